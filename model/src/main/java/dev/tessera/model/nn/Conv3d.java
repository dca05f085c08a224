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
        double bound = 1.0 / Math.sqrt((double) in * kernel * kernel * kernel);
        Init.uniform(weight, -bound, bound, g);
        if (this.bias != null) {
            Init.uniform(this.bias, -bound, bound, g);
        }
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
        Init.zeros(weight);
        if (bias != null) {
            Init.zeros(bias);
        }
        return this;
    }

    /** {@code x [B, in, D, H, W]} → {@code [B, out, D', H', W']}. */
    public Tensor forward(Tensor x) {
        return torch.conv3d(
                x,
                weight,
                bias == null ? new TensorOptional() : new TensorOptional(bias),
                stride,
                padding,
                DILATION,
                1);
    }
}
