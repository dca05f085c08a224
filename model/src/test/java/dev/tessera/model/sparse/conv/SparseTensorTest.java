package dev.tessera.model.sparse.conv;

import static dev.tessera.model.sparse.conv.SparseFixtures.mask;
import static dev.tessera.model.sparse.conv.SparseFixtures.random;
import static dev.tessera.model.sparse.conv.SparseFixtures.relError;
import static dev.tessera.model.sparse.conv.SparseFixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/** Construction, validation and normalisation of sparse tensors; dense round trips; bad input. */
class SparseTensorTest {

    @Test
    void rowsInAnyOrderAreSortedWithTheirFeaturesAndTheOrderIsReported() {
        try (StepScope s = new StepScope()) {
            // batch indices out of order, and x, y, z unsorted within a batch item
            long[] c = {1, 0, 0, 0, 0, 3, 1, 2, 1, 2, 0, 0, 0, 0, 1, 1, 0, 3, 0, 0};
            Tensor coords = Tensors.fromLongs(c, 5, 4);
            Tensor feats = Tensors.fromFloats(new float[] {10, 11, 12, 13, 14}, 5, 1);
            SparseTensor x = SparseTensor.of(coords, feats, 2, 4, 4, 4);
            assertThat(rows(x.coords())).containsExactly(0, 0, 1, 1, 0, 3, 0, 0, 0, 3, 1, 2, 1, 0, 0, 0, 1, 2, 0, 0);
            assertThat(Tensors.toFloats(x.feats())).containsExactly(13, 14, 11, 10, 12);
            assertThat(Tensors.toLongs(x.inputOrder())).containsExactly(3, 4, 1, 0, 2);
            assertThat(Tensors.toLongs(x.batchCounts())).containsExactly(3, 2);
            // int32 and int16 coordinates are accepted too
            SparseTensor y = SparseTensor.of(coords.to(ScalarType.Short), feats, 2, 4, 4, 4);
            assertThat(rows(y.coords())).containsExactly(rows(x.coords()));
            // already canonical input is kept as is
            assertThat(SparseTensor.of(x.coords(), x.feats(), 2, 4, 4, 4).inputOrder())
                    .isNull();
        }
    }

    @Test
    void duplicatesAreRefusedNamingBothRows() {
        try (StepScope s = new StepScope()) {
            Tensor coords = Tensors.fromLongs(new long[] {0, 1, 2, 3, 0, 0, 0, 0, 0, 1, 2, 3}, 3, 4);
            Tensor feats = torch.ones(3, 2);
            assertThatThrownBy(() -> SparseTensor.of(coords, feats, 1, 4, 4, 4))
                    .isInstanceOf(InvalidSparseTensorException.class)
                    .hasMessageContaining("rows 0 and 2")
                    .hasMessageContaining("(batch 0, x 1, y 2, z 3)")
                    .hasMessageContaining("merge duplicate voxels");
        }
    }

    @Test
    void coordinatesOutsideTheBatchOrGridAreRefusedNamingTheRow() {
        try (StepScope s = new StepScope()) {
            Tensor feats = torch.ones(2, 1);
            assertThatThrownBy(() -> SparseTensor.of(
                            Tensors.fromLongs(new long[] {0, 0, 0, 0, 0, 4, 0, 0}, 2, 4), feats, 1, 4, 4, 4))
                    .isInstanceOf(InvalidSparseTensorException.class)
                    .hasMessageContaining("row 1 at (batch 0, x 4, y 0, z 0)")
                    .hasMessageContaining("[4, 4, 4]");
            assertThatThrownBy(() -> SparseTensor.of(
                            Tensors.fromLongs(new long[] {0, 0, 0, 0, 0, 0, -1, 0}, 2, 4), feats, 1, 4, 4, 4))
                    .hasMessageContaining("row 1");
            assertThatThrownBy(() -> SparseTensor.of(
                            Tensors.fromLongs(new long[] {2, 0, 0, 0, 0, 0, 0, 0}, 2, 4), feats, 2, 4, 4, 4))
                    .hasMessageContaining("row 0 at (batch 2")
                    .hasMessageContaining("batch size 2");
        }
    }

    @Test
    void shapesAndDtypesAreChecked() {
        try (StepScope s = new StepScope()) {
            Tensor coords = Tensors.fromLongs(new long[] {0, 0, 0, 0}, 1, 4);
            assertThatThrownBy(() -> SparseTensor.of(coords.narrow(1, 0, 3), torch.ones(1, 1), 1, 4, 4, 4))
                    .hasMessageContaining("[N, 4]");
            assertThatThrownBy(() -> SparseTensor.of(coords.to(ScalarType.Float), torch.ones(1, 1), 1, 4, 4, 4))
                    .hasMessageContaining("int64, int32 or int16");
            assertThatThrownBy(() -> SparseTensor.of(coords, torch.ones(2, 1), 1, 4, 4, 4))
                    .hasMessageContaining("one row per coordinate");
            assertThatThrownBy(() -> SparseTensor.of(coords, torch.ones(1, 1).to(ScalarType.Long), 1, 4, 4, 4))
                    .hasMessageContaining("floating point");
            assertThatThrownBy(() -> SparseTensor.of(coords, torch.ones(1, 1), 1, 4, 0, 4))
                    .hasMessageContaining("spatial sizes ≥ 1");
            assertThatThrownBy(() -> SparseTensor.of(coords, torch.ones(1, 1), 1 << 20, 1 << 20, 1 << 20, 1 << 20))
                    .hasMessageContaining("2^62");
        }
    }

    @Test
    void emptySetsAreValidAndStayEmptyThroughEveryOp() {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(1);
            SparseTensor x = SparseTensor.of(
                    torch.zeros(new long[] {0, 4}, new org.bytedeco.pytorch.TensorOptions(ScalarType.Long)),
                    torch.zeros(0, 8),
                    2,
                    8,
                    8,
                    8);
            assertThat(x.size()).isZero();
            assertThat(new SubmanifoldConv3d(8, 4, 3, true, g).forward(x).size())
                    .isZero();
            SparseTensor down = SparseConv3d.downsample(8, 16, g).forward(x);
            assertThat(down.size()).isZero();
            assertThat(down.spatialShape()).containsExactly(4, 4, 4);
            assertThat(new SparseGroupNorm(4, 8).forward(x).size()).isZero();
            assertThat(new SparseLayerNorm(8).forward(x).size()).isZero();
            assertThat(SparseSubdivide.apply(x).children().size()).isZero();
            assertThat(new SparseResBlock3d(8, 16, "group", g).forward(x).channels())
                    .isEqualTo(16);
            assertThat(Tensors.toLongs(x.batchCounts())).containsExactly(0, 0);
        }
    }

    @Test
    void denseRoundTripKeepsActiveValuesAndZeroesTheRest() {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(3);
            Tensor m = mask(g, 0.3, 2, 5, 6, 7);
            SparseTensor x = random(g, m, 3);
            Tensor dense = x.toDense(); // [2, 3, 5, 6, 7]
            assertThat(Tensors.shape(dense)).containsExactly(2, 3, 5, 6, 7);
            assertThat(dense.abs()
                            .sum(new long[] {1})
                            .gt(new Scalar(0))
                            .eq(m)
                            .all()
                            .item_bool())
                    .isTrue();
            SparseTensor back = SparseTensor.fromDense(dense, m);
            assertThat(relError(back.feats(), x.feats())).isZero();
            assertThat(rows(back.coords())).containsExactly(rows(x.coords()));
        }
    }

    @Test
    void selectKeepsTheChosenRowsInOrder() {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(4);
            SparseTensor x = random(g, mask(g, 0.4, 1, 6, 6, 6), 2);
            Tensor keep = Rng.rand(g, x.size()).lt(new Scalar(0.5)); // [N]
            SparseTensor y = x.select(keep);
            Tensor rowsKept = torch.nonzero(keep).select(1, 0);
            assertThat(rows(y.coords())).containsExactly(rows(x.coords().index_select(0, rowsKept)));
            assertThat(relError(y.feats(), x.feats().index_select(0, rowsKept))).isZero();
            assertThat(Tensors.toLongs(y.keys())).isSorted();
        }
    }
}
