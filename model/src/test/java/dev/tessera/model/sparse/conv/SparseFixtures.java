package dev.tessera.model.sparse.conv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.model.Rng;
import dev.tessera.model.Tensors;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Random sparse inputs and comparisons shared by the sparse-convolution tests. */
final class SparseFixtures {
    private SparseFixtures() {}

    /** A random occupancy {@code [B, D, H, W]} (bool) with about {@code fraction} of the voxels active. */
    static Tensor mask(Generator g, double fraction, long b, long d, long h, long w) {
        return Rng.rand(g, b, d, h, w).lt(new Scalar(fraction));
    }

    /** Random features N(0, 1) at the active voxels of {@code mask}. */
    static SparseTensor random(Generator g, Tensor mask, long channels) {
        Tensor coords = torch.nonzero(mask); // [N, 4]
        Tensor feats = Rng.randn(g, coords.size(0), channels); // [N, C]
        int[] shape = {(int) mask.size(1), (int) mask.size(2), (int) mask.size(3)};
        return SparseTensor.of(coords, feats, (int) mask.size(0), shape);
    }

    /** The same voxels with a fresh leaf copy of the features that requires grad. */
    static SparseTensor leaf(SparseTensor x) {
        return x.replace(x.feats().detach().clone().requires_grad_(true));
    }

    /** max |a − b| / max(1, max |b|). */
    static double relError(Tensor a, Tensor b) {
        assertThat(Tensors.shape(a)).containsExactly(Tensors.shape(b));
        double scale = Math.max(1.0, b.abs().max().item_double());
        return a.sub(b).abs().max().item_double() / scale;
    }

    /** Sorted (batch, x, y, z) rows of a coordinate tensor as longs, for set comparisons. */
    static long[] rows(Tensor coords) {
        return Tensors.toLongs(coords.to(ScalarType.Long));
    }
}
