package dev.tessera.model.sparse.conv;

import dev.tessera.model.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Subdivision of every active voxel into its eight children on the grid of twice the resolution (TRELLIS's and
 * Direct3D-S2's {@code SparseSubdivide}, nearest-neighbour upsampling): child {@code 2·(x, y, z) + (i, j, k)},
 * {@code i, j, k ∈ {0, 1}}, gets its parent's features. Decoders follow it with a convolution and a
 * {@linkplain SparseUpsampleBlock3d pruning} of the children predicted empty.
 */
public final class SparseSubdivide {
    private SparseSubdivide() {}

    /**
     * The children of {@code x}, in canonical order, and for each the row of its parent in {@code x}.
     *
     * @param children {@code [8N, C]} on a grid of twice {@code x}'s shape
     * @param parent {@code [8N]} int64, the parent row of each child
     */
    public record Children(SparseTensor children, Tensor parent) {}

    /** Subdivides {@code x [N, C]} into its {@code 8N} children. */
    public static Children apply(SparseTensor x) {
        int[] s = x.spatialShape();
        int[] shape = {2 * s[0], 2 * s[1], 2 * s[2]};
        VoxelKeys.checkKeySpace(x.batchSize(), shape);
        long n = x.size();
        Tensor scale =
                Tensors.fromLongs(new long[] {1, 2, 2, 2}, 1, 4).to(x.coords().device(), ScalarType.Long); // [1, 4]
        long[] offsets = new long[32];
        for (int c = 0; c < 8; c++) {
            offsets[4 * c + 1] = c >> 2 & 1;
            offsets[4 * c + 2] = c >> 1 & 1;
            offsets[4 * c + 3] = c & 1;
        }
        Tensor off = Tensors.fromLongs(offsets, 1, 8, 4).to(x.coords().device(), ScalarType.Long); // [1, 8, 4]
        Tensor coords = x.coords().mul(scale).unsqueeze(1).add(off).reshape(8 * n, 4); // [8N, 4] parent-major
        Tensor parent = VoxelKeys.arange(n, x.coords().device()).repeat_interleave(8); // [8N]
        Tensor keys = VoxelKeys.encode(coords, shape); // [8N]
        if (n > 0) {
            Tensor order = torch.argsort(keys); // [8N] canonical order (keys are distinct)
            keys = keys.index_select(0, order);
            coords = coords.index_select(0, order);
            parent = parent.index_select(0, order);
        }
        Tensor feats = x.feats().index_select(0, parent); // [8N, C]
        return new Children(SparseTensor.canonical(coords, keys, feats, x.batchSize(), shape), parent);
    }
}
