package dev.tessera.model.nn;

import dev.tessera.model.Torch;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code nn.Conv3d(in, out, kernel, stride, padding)} with cubic kernels: parameters {@code weight [out, in, k, k, k]}
 * and {@code bias [out]}, initialised as PyTorch does (U(±1/√fan_in) for both, fan_in = in·k³) but from an explicit
 * generator. The forward pass is libtorch's {@code conv3d}, which takes either memory format (contiguous NCDHW or
 * channels-last-3d NDHWC) and returns the format of its input.
 *
 * <p><b>A oneDNN bug worked around.</b> libtorch 2.10's oneDNN 3.7.1 computes wrong <i>input</i> gradients with its
 * AVX-512 backward-data kernel ({@code jit:avx512_core}) when the batch has more than one item and the output channel
 * count is not a multiple of 16 (measured on an AMD EPYC Zen 5: a 32 → 1 convolution of a batch of 2 was off by 4.6
 * on gradients of order 10; weight gradients and forward passes are right, batch 1 is right, and so is the AVX2
 * kernel, {@code ONEDNN_MAX_CPU_ISA=AVX2}). {@link #conv3d} therefore pads the output channels of such a CPU
 * convolution with zero filters up to a multiple of 16 and drops them again; the result and every gradient are those
 * of the plain convolution ({@code Conv3dGradientTest}).
 */
public final class Conv3d extends Module {
    static {
        Torch.load();
    }

    private final Tensor weight;
    private final Tensor bias;
    private final long[] stride;
    private final long[] padding;
    private static final long[] DILATION = {1, 1, 1};

    /** A convolution {@code in → out} channels with a {@code kernel³} kernel. */
    public Conv3d(long in, long out, long kernel, long stride, long padding, boolean bias, Generator g) {
        super("Conv3d");
        if (in <= 0 || out <= 0 || kernel <= 0 || stride <= 0 || padding < 0) {
            throw new IllegalArgumentException("bad Conv3d(in=" + in + ", out=" + out + ", kernel=" + kernel
                    + ", stride=" + stride + ", padding=" + padding + ")");
        }
        // keep the tensors we register, not register_parameter's return value: that is a reference into the module's
        // parameter list, which moves when the next parameter is registered
        this.weight = torch.empty(out, in, kernel, kernel, kernel);
        register_parameter("weight", weight);
        this.bias = bias ? torch.empty(out) : null;
        if (this.bias != null) {
            register_parameter("bias", this.bias);
        }
        this.stride = new long[] {stride, stride, stride};
        this.padding = new long[] {padding, padding, padding};
        Init.torchDefault(weight, this.bias, in * kernel * kernel * kernel, g);
    }

    public Tensor weight() {
        return weight;
    }

    /** The bias, or {@code null} when the layer has none. */
    public Tensor bias() {
        return bias;
    }

    /** Zeroes weight and bias (TRELLIS's and guided diffusion's {@code zero_module}); returns this. */
    public Conv3d zeroInit() {
        Init.zeros(weight, bias);
        return this;
    }

    /** {@code x [B, in, D, H, W]} → {@code [B, out, D', H', W']}. */
    public Tensor forward(Tensor x) {
        return conv3d(x, weight, bias, stride, padding);
    }

    /** Output channels are padded to a multiple of this on the CPU (see the class comment). */
    static final long CHANNEL_BLOCK = 16;

    /**
     * {@code torch.conv3d} with dilation 1 and one group, with the oneDNN workaround described above: {@code x [B,
     * C_in, D, H, W]}, {@code weight [C_out, C_in, k, k, k]}, {@code bias [C_out]} or {@code null}.
     */
    public static Tensor conv3d(Tensor x, Tensor weight, Tensor bias, long[] stride, long[] padding) {
        long out = weight.size(0);
        boolean affected = x.size(0) > 1
                && out % CHANNEL_BLOCK != 0
                && x.requires_grad()
                && org.bytedeco.pytorch.GradMode.is_enabled()
                && x.device().is_cpu();
        if (!affected) {
            return torch.conv3d(
                    x,
                    weight,
                    bias == null ? new TensorOptional() : new TensorOptional(bias),
                    stride,
                    padding,
                    DILATION,
                    1);
        }
        long padded = (out + CHANNEL_BLOCK - 1) / CHANNEL_BLOCK * CHANNEL_BLOCK;
        long[] ws = dev.tessera.model.Tensors.shape(weight);
        ws[0] = padded - out;
        Tensor w = torch.cat(new org.bytedeco.pytorch.TensorVector(weight, weight.new_zeros(ws))); // [C_pad, C_in, k³]
        Tensor b = bias == null
                ? new Tensor()
                : torch.cat(new org.bytedeco.pytorch.TensorVector(bias, bias.new_zeros(new long[] {padded - out})));
        Tensor y = torch.conv3d(
                x, w, bias == null ? new TensorOptional() : new TensorOptional(b), stride, padding, DILATION, 1);
        return y.narrow(1, 0, out); // [B, C_out, D', H', W']
    }
}
