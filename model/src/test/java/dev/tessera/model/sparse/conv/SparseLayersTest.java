package dev.tessera.model.sparse.conv;

import static dev.tessera.model.sparse.conv.SparseFixtures.leaf;
import static dev.tessera.model.sparse.conv.SparseFixtures.mask;
import static dev.tessera.model.sparse.conv.SparseFixtures.random;
import static dev.tessera.model.sparse.conv.SparseFixtures.relError;
import static dev.tessera.model.sparse.conv.SparseFixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.model.Rng;
import dev.tessera.model.StateDict;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import dev.tessera.model.nn.Init;
import dev.tessera.model.sparse.ChannelLayerNorm32;
import java.util.HashSet;
import java.util.Set;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Subdivision and pruning, sparse norms against their dense counterparts, and the residual block. */
class SparseLayersTest {

    @Test
    void subdivisionMakesTheEightChildrenWithTheParentsFeatures() {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(1);
            SparseTensor x = random(g, mask(g, 0.2, 2, 4, 3, 5), 3);
            SparseSubdivide.Children c = SparseSubdivide.apply(x);
            SparseTensor ch = c.children();
            assertThat(ch.size()).isEqualTo(8 * x.size());
            assertThat(ch.spatialShape()).containsExactly(8, 6, 10);
            assertThat(Tensors.toLongs(ch.keys())).isSorted();
            long[] child = rows(ch.coords()), parent = Tensors.toLongs(c.parent()), px = rows(x.coords());
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < ch.size(); i++) {
                int p = (int) parent[i];
                assertThat(child[4 * i]).isEqualTo(px[4 * p]);
                for (int a = 1; a < 4; a++) {
                    assertThat(child[4 * i + a] / 2).isEqualTo(px[4 * p + a]);
                }
                seen.add(child[4 * i + 1] * 1000 + child[4 * i + 2] * 100 + child[4 * i + 3] + child[4 * i] * 100000);
            }
            assertThat(seen).hasSize((int) ch.size());
            assertThat(relError(ch.feats(), x.feats().index_select(0, c.parent())))
                    .isZero();
        }
    }

    @Test
    void pruningKeepsExactlyThePredictedChildren() {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(2);
            SparseTensor x = leaf(random(g, mask(g, 0.3, 2, 5, 5, 5), 4));
            SparseUpsampleBlock3d up = new SparseUpsampleBlock3d(4, 6, g);
            Init.uniform(up.occupancy().weight(), -1, 1, g);
            Init.zeros(up.occupancy().bias()); // about half of the children predicted occupied
            SparseUpsampleBlock3d.Output out = up.forward(x, null);
            Tensor predicted = out.logits().gt(new Scalar(0)); // [8N]
            long kept = predicted.sum().item_long();
            assertThat(kept).isBetween(out.children().size() / 5, out.children().size() * 4 / 5);
            Tensor rowsKept = torch.nonzero(predicted).select(1, 0);
            assertThat(rows(out.kept().coords()))
                    .containsExactly(rows(out.children().coords().index_select(0, rowsKept)));
            assertThat(relError(out.kept().feats(), out.children().feats().index_select(0, rowsKept)))
                    .isZero();
            assertThat(Tensors.toLongs(out.keep().to(torch.ScalarType.Long)))
                    .containsExactly(Tensors.toLongs(predicted.to(torch.ScalarType.Long)));
            assertThat(out.kept().spatialShape()).containsExactly(10, 10, 10);
            // the kept features carry gradients back to the input and the convolutions
            out.kept().feats().sum().add(out.logits().sum()).backward();
            assertThat(x.feats().grad().abs().sum().item_double()).isPositive();
        }
    }

    @Test
    void guidedPruningKeepsExactlyTheGuideVoxelsAmongTheChildren() {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(3);
            SparseTensor x = random(g, mask(g, 0.3, 1, 4, 4, 4), 2);
            SparseUpsampleBlock3d up = new SparseUpsampleBlock3d(2, 2, g);
            // the guide: a random subset of the children, plus voxels that are nobody's child (ignored)
            SparseTensor children = SparseSubdivide.apply(x).children();
            Tensor pick = Rng.rand(g, children.size()).lt(new Scalar(0.3));
            Tensor guideKeys = children.keys().masked_select(pick);
            Tensor stray = VoxelKeys.encode(Tensors.fromLongs(new long[] {0, 7, 7, 7}, 1, 4), new int[] {8, 8, 8});
            Tensor guide = VoxelKeys.sortedUnique(torch.cat(new TensorVector(guideKeys, stray)));
            SparseUpsampleBlock3d.Output out = up.forward(x, guide);
            Tensor expected = guide.masked_select(VoxelKeys.find(children.keys(), guide)[1]); // guide ∩ children
            assertThat(expected.size(0)).isGreaterThanOrEqualTo(pick.sum().item_long());
            assertThat(Tensors.toLongs(out.kept().keys())).containsExactly(Tensors.toLongs(expected));
        }
    }

    @ParameterizedTest(name = "{0} groups of {1} channels, batch {2}")
    @CsvSource({"4, 8, 2", "1, 6, 3", "8, 8, 1", "32, 64, 2"})
    void groupNormEqualsDenseGroupNormOverEachItemsActiveVoxels(int groups, int channels, int batch) {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(10 + groups);
            SparseTensor x = leaf(random(g, mask(g, 0.25, batch, 6, 5, 4), channels));
            x = x.replace(
                    x.feats().mul(new Scalar(3)).add(new Scalar(1)).detach().requires_grad_(true));
            SparseGroupNorm norm = new SparseGroupNorm(groups, channels);
            Init.uniform(norm.weight(), 0.5, 1.5, g);
            Init.uniform(norm.bias(), -0.5, 0.5, g);
            Tensor y = norm.forward(x).feats(); // [N, C]
            Tensor r = Rng.randn(g, y.size(0), channels);
            y.mul(r).sum().backward();

            Tensor ref = x.feats().detach().clone().requires_grad_(true);
            Tensor w = norm.weight().detach().clone().requires_grad_(true);
            Tensor b = norm.bias().detach().clone().requires_grad_(true);
            Tensor counts = x.batchCounts();
            TensorVector parts = new TensorVector();
            long start = 0;
            for (int i = 0; i < batch; i++) {
                long n = counts.select(0, i).item_long();
                Tensor item = ref.narrow(0, start, n).t().unsqueeze(0); // [1, C, N_b]
                Tensor yi = torch.group_norm(item, groups, new TensorOptional(w), new TensorOptional(b), 1e-5, false);
                parts.push_back(yi.squeeze(0).t()); // [N_b, C]
                start += n;
            }
            Tensor yr = torch.cat(parts); // [N, C]
            yr.mul(r).sum().backward();
            assertThat(relError(y, yr)).isLessThan(1e-5);
            assertThat(relError(x.feats().grad(), ref.grad())).isLessThan(1e-4);
            assertThat(relError(norm.weight().grad(), w.grad())).isLessThan(1e-4);
            assertThat(relError(norm.bias().grad(), b.grad())).isLessThan(1e-4);
        }
    }

    @Test
    void layerNormEqualsTheDenseChannelLayerNormAtActiveVoxels() {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(5);
            Tensor m = mask(g, 0.3, 2, 5, 5, 5);
            SparseTensor x = random(g, m, 12);
            SparseLayerNorm norm = new SparseLayerNorm(12);
            ChannelLayerNorm32 dense = new ChannelLayerNorm32(12);
            Init.uniform(norm.weight(), 0.5, 1.5, g);
            Init.uniform(norm.bias(), -0.5, 0.5, g);
            Tensor[] dp = {
                StateDict.of(dense).get("weight"), StateDict.of(dense).get("bias")
            };
            try (var ng = new org.bytedeco.pytorch.NoGradGuard()) {
                dp[0].copy_(norm.weight());
                dp[1].copy_(norm.bias());
            }
            Tensor y = norm.forward(x).feats();
            Tensor yd = SparseTensor.fromDense(dense.forward(x.toDense()), m).feats();
            assertThat(relError(y, yd)).isLessThan(1e-5);
        }
    }

    @Test
    void residualBlockStartsAsTheIdentityOrItsSkipAndKeepsTheVoxels() {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(6);
            SparseTensor x = random(g, mask(g, 0.3, 2, 6, 6, 6), 8);
            SparseResBlock3d same = new SparseResBlock3d(8, 8, "layer", g);
            SparseTensor y = same.forward(x);
            assertThat(relError(y.feats(), x.feats())).isZero(); // conv2 starts at zero
            assertThat(KernelMap.submanifold(y, 3)).isSameAs(KernelMap.submanifold(x, 3));
            SparseResBlock3d wider = new SparseResBlock3d(8, 16, "group", g);
            SparseTensor z = wider.forward(x);
            assertThat(z.channels()).isEqualTo(16);
            assertThat(rows(z.coords())).containsExactly(rows(x.coords()));
            assertThat(StateDict.of(wider).keySet())
                    .containsExactlyInAnyOrder(
                            "norm1.weight",
                            "norm1.bias",
                            "norm2.weight",
                            "norm2.bias",
                            "conv1.weight",
                            "conv1.bias",
                            "conv2.weight",
                            "conv2.bias",
                            "skip_connection.weight",
                            "skip_connection.bias");
            assertThat(Tensors.shape(StateDict.of(wider).get("conv1.weight"))).containsExactly(16, 3, 3, 3, 8);
        }
    }
}
