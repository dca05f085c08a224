package dev.tessera.model.sparse.conv;

import dev.tessera.model.Torch;
import dev.tessera.model.nn.Layers;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The sparse residual block (TRELLIS's {@code SparseResBlock3d}, the sparse twin of {@code ResBlock3d}):
 * {@code h = conv2(silu(norm2(conv1(silu(norm1(x))))))}, output {@code h + skip(x)}, with 3×3×3
 * {@linkplain SubmanifoldConv3d submanifold convolutions} (so the active set is unchanged), {@code conv2}
 * zero-initialised (a new block is the identity), and a linear {@code skip_connection} only when the channel count
 * changes.
 */
public final class SparseResBlock3d extends Module {
    static {
        Torch.load();
    }

    private final SparseNorm norm1;
    private final SparseNorm norm2;
    private final SubmanifoldConv3d conv1;
    private final SubmanifoldConv3d conv2;
    private final LinearImpl skip;

    /** A block {@code channels → outChannels} with {@code normType} "layer" or "group". */
    public SparseResBlock3d(long channels, long outChannels, String normType, Generator g) {
        super("SparseResBlock3d");
        this.norm1 = SparseNorm.of(normType, channels);
        this.norm2 = SparseNorm.of(normType, outChannels);
        register_module("norm1", (Module) norm1);
        register_module("norm2", (Module) norm2);
        this.conv1 = register_module("conv1", new SubmanifoldConv3d(channels, outChannels, 3, true, g));
        this.conv2 = register_module("conv2", new SubmanifoldConv3d(outChannels, outChannels, 3, true, g).zeroInit());
        this.skip = channels == outChannels
                ? null
                : register_module("skip_connection", Layers.linear(channels, outChannels, true, g));
    }

    /** {@code x [N, C]} → {@code [N, C_out]} on the same voxels. */
    public SparseTensor forward(SparseTensor x) {
        SparseTensor h = norm1.forward(x); // [N, C]
        h = conv1.forward(h.replace(torch.silu(h.feats()))); // [N, C_out]
        h = norm2.forward(h); // [N, C_out]
        h = conv2.forward(h.replace(torch.silu(h.feats()))); // [N, C_out]
        Tensor s = skip == null ? x.feats() : skip.forward(x.feats()); // [N, C_out]
        return h.replace(h.feats().add(s)); // [N, C_out]
    }
}
