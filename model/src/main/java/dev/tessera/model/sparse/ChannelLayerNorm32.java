package dev.tessera.model.sparse;

import dev.tessera.model.Torch;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.MemoryFormat;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * TRELLIS's {@code ChannelLayerNorm32}: a LayerNorm over the channel axis of a {@code [B, C, D, H, W]} grid — channels
 * moved last, normalised per voxel with weight and bias ({@code [C]}, eps 1e-5, computed in float32), moved back. It
 * is the default normalisation of the sparse-structure VAE's {@code ResBlock3d} and output layers (not GroupNorm).
 *
 * <p>On a channels-last-3d input the permuted view is already contiguous, so no copy is made and the output stays
 * channels-last; a contiguous (NCDHW) input gives a contiguous output, as the reference's {@code .contiguous()} does.
 */
public final class ChannelLayerNorm32 extends Module implements Norm3d {
    static {
        Torch.load();
    }

    /** PyTorch's {@code nn.LayerNorm} default. */
    public static final double EPS = 1e-5;

    private final long channels;
    private final Tensor weight;
    private final Tensor bias;

    /** A channel LayerNorm over {@code channels} channels, weight ones and bias zeros. */
    public ChannelLayerNorm32(long channels) {
        super("ChannelLayerNorm32");
        this.channels = channels;
        this.weight = torch.ones(channels); // kept ourselves: register_parameter's result moves with the next one
        this.bias = torch.zeros(channels);
        register_parameter("weight", weight);
        register_parameter("bias", bias);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 5 || x.size(1) != channels) {
            throw new IllegalArgumentException("ChannelLayerNorm32(" + channels + ") needs [B, " + channels
                    + ", D, H, W], got " + java.util.Arrays.toString(dev.tessera.model.Tensors.shape(x)));
        }
        ScalarType type = x.scalar_type().intern();
        boolean channelsLast = !x.is_contiguous() && x.is_contiguous(MemoryFormat.ChannelsLast3d);
        Tensor xf = type == ScalarType.Float ? x : x.to(ScalarType.Float);
        Tensor h = xf.permute(0, 2, 3, 4, 1); // [B, D, H, W, C]
        h = torch.layer_norm(
                h,
                new long[] {channels},
                new TensorOptional(weight),
                new TensorOptional(bias),
                EPS,
                false); // [B, D, H, W, C]
        h = h.permute(0, 4, 1, 2, 3); // [B, C, D, H, W]
        if (!channelsLast) {
            h = h.contiguous(); // [B, C, D, H, W] NCDHW
        }
        return type == ScalarType.Float ? h : h.to(type);
    }
}
