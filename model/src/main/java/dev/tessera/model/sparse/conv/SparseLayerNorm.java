package dev.tessera.model.sparse.conv;

import dev.tessera.model.Torch;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * LayerNorm over the channels of each active voxel (weight and bias {@code [C]}, eps 1e-5, computed in float32): at
 * every active voxel it equals the dense channel LayerNorm ({@code ChannelLayerNorm32}, TRELLIS's default). It does
 * not depend on the other voxels, so it is the same for any batch composition.
 */
public final class SparseLayerNorm extends Module implements SparseNorm {
    static {
        Torch.load();
    }

    /** PyTorch's default. */
    public static final double EPS = 1e-5;

    private final long channels;
    private final Tensor weight;
    private final Tensor bias;

    public SparseLayerNorm(long channels) {
        super("SparseLayerNorm");
        this.channels = channels;
        this.weight = torch.ones(channels);
        this.bias = torch.zeros(channels);
        register_parameter("weight", weight);
        register_parameter("bias", bias);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    @Override
    public SparseTensor forward(SparseTensor x) {
        Tensor f = x.feats(); // [N, C]
        if (f.size(1) != channels) {
            throw new IllegalArgumentException("SparseLayerNorm(" + channels + ") got " + f.size(1) + " channels");
        }
        ScalarType type = f.scalar_type().intern();
        Tensor h = torch.layer_norm(
                type == ScalarType.Float ? f : f.to(ScalarType.Float),
                new long[] {channels},
                new TensorOptional(weight),
                new TensorOptional(bias),
                EPS,
                false); // [N, C]
        return x.replace(type == ScalarType.Float ? h : h.to(type));
    }
}
