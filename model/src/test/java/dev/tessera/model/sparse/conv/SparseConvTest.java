package dev.tessera.model.sparse.conv;

import static dev.tessera.model.sparse.conv.SparseFixtures.leaf;
import static dev.tessera.model.sparse.conv.SparseFixtures.mask;
import static dev.tessera.model.sparse.conv.SparseFixtures.random;
import static dev.tessera.model.sparse.conv.SparseFixtures.relError;
import static dev.tessera.model.sparse.conv.SparseFixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.nn.Conv3d;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Sparse convolutions equal dense {@code conv3d} ({@link Conv3d#conv3d}, which works around a oneDNN gradient bug)
 * on the same voxels — outputs and the gradients of input, weight and
 * bias — for random sparse inputs, several channel counts, kernels, strides and paddings.
 */
class SparseConvTest {
    private static final double TOL = 1e-5;

    /** The dense weight {@code [C_out, C_in, k, k, k]} of a sparse one {@code [C_out, k, k, k, C_in]}. */
    private static Tensor dense(Tensor sparseWeight) {
        return sparseWeight.permute(0, 4, 1, 2, 3);
    }

    @ParameterizedTest(name = "C_in {0} → C_out {1}, kernel {2}, occupancy {3}, {4}")
    @CsvSource({
        "1, 4, 3, 0.3, GATHER_SCATTER",
        "1, 4, 3, 0.3, IMPLICIT_GEMM",
        "1, 4, 3, 0.3, OUTPUT_GATHER",
        "3, 8, 3, 0.5, GATHER_SCATTER",
        "3, 8, 3, 0.5, IMPLICIT_GEMM",
        "16, 16, 3, 0.2, GATHER_SCATTER",
        "16, 16, 3, 0.2, IMPLICIT_GEMM",
        "16, 16, 3, 0.2, OUTPUT_GATHER",
        "3, 8, 3, 0.5, OUTPUT_GATHER",
        "8, 5, 1, 0.4, AUTO",
        "4, 6, 5, 0.15, GATHER_SCATTER",
        "4, 6, 5, 0.15, IMPLICIT_GEMM",
        "4, 6, 5, 0.15, OUTPUT_GATHER",
        "2, 3, 3, 1.0, AUTO"
    })
    void submanifoldEqualsDenseConv3dWithGradients(
            int cin, int cout, int kernel, double occupancy, SparseConvolution.Algorithm algorithm) {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(100 + cin * 7 + kernel);
            Tensor m = mask(g, occupancy, 2, 9, 7, 6); // [B, D, H, W], non-cubic on purpose
            SparseTensor x = leaf(random(g, m, cin));
            SubmanifoldConv3d conv = new SubmanifoldConv3d(cin, cout, kernel, true, g);
            SparseTensor y = conv.forward(x, algorithm); // [N, C_out]
            Tensor r = Rng.randn(g, y.size(), cout); // [N, C_out] a random cotangent
            y.feats().mul(r).sum().backward();

            // the dense reference: zeros at inactive voxels, conv3d with padding k/2, read back at the active ones
            SparseTensor xd = leaf(x);
            Tensor wd = dense(conv.weight()).detach().clone().requires_grad_(true); // [C_out, C_in, k, k, k]
            Tensor bd = conv.bias().detach().clone().requires_grad_(true); // [C_out]
            long p = kernel / 2;
            Tensor outDense = Conv3d.conv3d(
                    xd.toDense(), wd, bd, new long[] {1, 1, 1}, new long[] {p, p, p}); // [B, C_out, D, H, W]
            Tensor yd = SparseTensor.fromDense(outDense, m).feats(); // [N, C_out]
            yd.mul(r).sum().backward();

            assertThat(relError(y.feats(), yd)).isLessThan(TOL);
            assertThat(relError(x.feats().grad(), xd.feats().grad())).isLessThan(TOL);
            assertThat(relError(conv.weight().grad(), wd.grad().permute(0, 2, 3, 4, 1)))
                    .isLessThan(TOL);
            assertThat(relError(conv.bias().grad(), bd.grad())).isLessThan(TOL);
            // the map has one pair per (active voxel, active neighbour): count them from the dense mask
            Tensor ones = torch.ones(1, 1, kernel, kernel, kernel);
            double neighbours = torch.conv3d(
                            m.to(ScalarType.Float).unsqueeze(1),
                            ones,
                            new TensorOptional(),
                            new long[] {1, 1, 1},
                            new long[] {p, p, p},
                            new long[] {1, 1, 1},
                            1)
                    .squeeze(1)
                    .masked_select(m)
                    .sum()
                    .item_double();
            assertThat(KernelMap.submanifold(x, kernel).pairs()).isEqualTo((long) neighbours);
        }
    }

    @ParameterizedTest(name = "C_in {0} → C_out {1}, kernel {2}, stride {3}, padding {4}, {5}")
    @CsvSource({
        "1, 4, 2, 2, 0, AUTO",
        "6, 8, 2, 2, 0, AUTO",
        "6, 8, 2, 2, 0, OUTPUT_GATHER",
        "5, 7, 3, 2, 1, AUTO",
        "5, 7, 3, 2, 1, OUTPUT_GATHER",
        "4, 4, 3, 1, 1, AUTO",
        "3, 2, 3, 2, 0, AUTO",
        "2, 3, 4, 3, 1, AUTO",
        "2, 3, 4, 3, 1, OUTPUT_GATHER"
    })
    void stridedEqualsDenseStridedConvOnActiveOutputs(
            int cin, int cout, int k, int s, int p, SparseConvolution.Algorithm algorithm) {
        try (StepScope scope = new StepScope()) {
            Generator g = Rng.cpu(200 + cin * 11 + k * 3 + s);
            Tensor m = mask(g, 0.15, 2, 10, 9, 8); // [B, D, H, W]
            SparseTensor x = leaf(random(g, m, cin));
            SparseConv3d conv = new SparseConv3d(cin, cout, k, s, p, true, g);
            SparseTensor y = conv.forward(x, algorithm); // [M, C_out]

            // the active outputs are exactly those whose window holds an active input
            Tensor ones = torch.ones(1, 1, k, k, k);
            Tensor reach = torch.conv3d(
                            m.to(ScalarType.Float).unsqueeze(1),
                            ones,
                            new TensorOptional(),
                            new long[] {s, s, s},
                            new long[] {p, p, p},
                            new long[] {1, 1, 1},
                            1)
                    .squeeze(1)
                    .gt(new Scalar(0.5)); // [B, D', H', W']
            assertThat(rows(y.coords())).containsExactly(rows(torch.nonzero(reach)));
            assertThat(y.spatialShape()).containsExactly((int) reach.size(1), (int) reach.size(2), (int) reach.size(3));

            Tensor r = Rng.randn(g, y.size(), cout); // [M, C_out]
            y.feats().mul(r).sum().backward();
            SparseTensor xd = leaf(x);
            Tensor wd = dense(conv.weight()).detach().clone().requires_grad_(true); // [C_out, C_in, k, k, k]
            Tensor bd = conv.bias().detach().clone().requires_grad_(true);
            Tensor outDense = Conv3d.conv3d(
                    xd.toDense(), wd, bd, new long[] {s, s, s}, new long[] {p, p, p}); // [B, C_out, D', H', W']
            Tensor yd = SparseTensor.fromDense(outDense, reach).feats(); // [M, C_out]
            yd.mul(r).sum().backward();

            assertThat(relError(y.feats(), yd)).isLessThan(TOL);
            assertThat(relError(x.feats().grad(), xd.feats().grad())).isLessThan(TOL);
            assertThat(relError(conv.weight().grad(), wd.grad().permute(0, 2, 3, 4, 1)))
                    .isLessThan(TOL);
            assertThat(relError(conv.bias().grad(), bd.grad())).isLessThan(TOL);
        }
    }

    @ParameterizedTest(name = "{0} channels")
    @CsvSource({"8", "32"})
    void kernelMapsAreCachedPerCoordinateSetAndRebuiltAfterTheirScope(int channels) {
        Generator g = Rng.cpu(7);
        SparseTensor x;
        try (NoGradGuard ng = new NoGradGuard()) {
            x = random(g, mask(g, 0.3, 1, 6, 6, 6), channels); // outlives the scopes below
        }
        SubmanifoldConv3d a = new SubmanifoldConv3d(channels, channels, 3, false, g);
        KernelMap first;
        Tensor out1;
        try (StepScope s = new StepScope()) {
            SparseTensor h = a.forward(x);
            first = KernelMap.submanifold(x, 3);
            // a tensor with the same coordinates shares the map; so does the convolution's output
            assertThat(KernelMap.submanifold(x.replace(x.feats().mul(new Scalar(2))), 3))
                    .isSameAs(first);
            assertThat(KernelMap.submanifold(h, 3)).isSameAs(first);
            out1 = a.forward(x).feats().clone();
            StepScope.keep(out1);
        }
        assertThat(first.alive()).isFalse(); // freed with the step
        try (StepScope s = new StepScope()) {
            KernelMap again = KernelMap.submanifold(x, 3);
            assertThat(again).isNotSameAs(first);
            assertThat(again.alive()).isTrue();
            assertThat(relError(a.forward(x).feats(), out1)).isZero();
        } finally {
            StepScope.release(out1);
        }
    }

    @ParameterizedTest(name = "offset groups of {0}")
    @CsvSource({"1", "4", "13", "27"})
    void outputGatherInOffsetGroupsEqualsGatherScatterWithGradients(int group) {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(300 + group);
            SparseTensor x = leaf(random(g, mask(g, 0.4, 2, 7, 6, 8), 5));
            SubmanifoldConv3d conv = new SubmanifoldConv3d(5, 6, 3, true, g);
            KernelMap map = KernelMap.submanifold(x, 3);
            Tensor y = SparseConvolution.outputGather(x.feats(), map, conv.weight(), conv.bias(), group); // [N, 6]
            Tensor r = Rng.randn(g, x.size(), 6); // [N, 6]
            y.mul(r).sum().backward();
            Tensor gx = x.feats().grad().clone(), gw = conv.weight().grad().clone();
            SparseTensor x2 = leaf(x);
            conv.weight().grad().zero_();
            conv.bias().grad().zero_();
            Tensor ref =
                    conv.forward(x2, SparseConvolution.Algorithm.GATHER_SCATTER).feats(); // [N, 6]
            ref.mul(r).sum().backward();
            assertThat(relError(y, ref)).isLessThan(TOL);
            assertThat(relError(gx, x2.feats().grad())).isLessThan(TOL);
            assertThat(relError(gw, conv.weight().grad())).isLessThan(TOL);
            // the gather lists: one entry per pair, int32, each group's offsets non-decreasing
            long entries = 0;
            for (KernelMap.Bags b : map.bags(group)) {
                if (b != null) {
                    entries += b.indices().size(0);
                    assertThat(b.indices().scalar_type().intern()).isEqualTo(ScalarType.Int);
                    Tensor o = b.offsets();
                    assertThat(o.narrow(0, 1, o.size(0) - 1)
                                    .ge(o.narrow(0, 0, o.size(0) - 1))
                                    .all()
                                    .item_bool())
                            .isTrue();
                }
            }
            assertThat(entries).isEqualTo(map.pairs());
        }
    }

    @org.junit.jupiter.api.Test
    void autoTurnsToTheOutputGatherWhenMemoryIsShortAndRefusesWhenEvenThatDoesNotFit() {
        // 3.36 M voxels with two thirds of their 27 neighbours, 16 channels: the 256³, 20 % benchmark case
        SparseConvolution.Shape s = new SparseConvolution.Shape(3_360_000, 3_360_000, 60_000_000, 2_500_000, 27, true);
        assertThat(SparseConvolution.choose(s.pairs(), s.outputs(), 27))
                .isEqualTo(SparseConvolution.Algorithm.IMPLICIT_GEMM);
        long implicit = SparseConvolution.estimateBytes(SparseConvolution.Algorithm.IMPLICIT_GEMM, s, 16, 16, true);
        long lean = SparseConvolution.estimateBytes(SparseConvolution.Algorithm.OUTPUT_GATHER, s, 16, 16, true);
        long gather = SparseConvolution.estimateBytes(SparseConvolution.Algorithm.GATHER_SCATTER, s, 16, 16, true);
        assertThat(implicit).isGreaterThan(10L << 30); // keeps and differentiates a [N, 27·16] matrix: 11.6 GB
        assertThat(lean).isLessThan(implicit / 5).isLessThan(gather / 2);
        // plenty of memory: the fast choice
        assertThat(SparseConvolution.plan(SparseConvolution.Algorithm.AUTO, s, 16, 16, true, 1L << 40)
                        .algorithm())
                .isEqualTo(SparseConvolution.Algorithm.IMPLICIT_GEMM);
        // 20 GB: the implicit GEMM would take over a quarter of it
        SparseConvolution.Plan p = SparseConvolution.plan(SparseConvolution.Algorithm.AUTO, s, 16, 16, true, 20L << 30);
        assertThat(p.algorithm()).isEqualTo(SparseConvolution.Algorithm.OUTPUT_GATHER);
        assertThat(p.group()).isBetween(1, 26); // Y in offset groups of at most 64 MiB
        assertThat(p.bytes()).isEqualTo(lean);
        // without gradients nothing is kept for a backward pass: less memory
        assertThat(SparseConvolution.estimateBytes(SparseConvolution.Algorithm.OUTPUT_GATHER, s, 16, 16, false))
                .isLessThan(lean);
        // not even the output gather fits: refused with the estimate, before anything is allocated
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> SparseConvolution.plan(SparseConvolution.Algorithm.AUTO, s, 16, 16, true, lean - 1))
                .isInstanceOf(ConvolutionTooLargeException.class)
                .hasMessageContaining("3,360,000 voxels")
                .hasMessageContaining("GiB")
                .satisfies(e -> assertThat(((ConvolutionTooLargeException) e).estimatedBytes())
                        .isEqualTo(lean));
    }

    @org.junit.jupiter.api.Test
    void aBudgetBelowTheEstimateMakesAutoRunTheOutputGatherWithTheSameResult() {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(41);
            SparseTensor x = leaf(random(g, mask(g, 0.6, 1, 8, 8, 8), 4)); // dense enough for the implicit GEMM
            SubmanifoldConv3d conv = new SubmanifoldConv3d(4, 4, 3, true, g);
            KernelMap map = KernelMap.submanifold(x, 3);
            assertThat(SparseConvolution.plan(map, 4, 4, true, SparseConvolution.Algorithm.AUTO)
                            .algorithm())
                    .isEqualTo(SparseConvolution.Algorithm.IMPLICIT_GEMM);
            Tensor fast = conv.forward(x).feats().detach().clone();
            long budget = SparseConvolution.memoryBudget();
            try {
                SparseConvolution.Shape sh = SparseConvolution.Shape.of(map);
                long lean = SparseConvolution.estimateBytes(SparseConvolution.Algorithm.OUTPUT_GATHER, sh, 4, 4, true);
                SparseConvolution.setMemoryBudget(lean * 2); // the implicit GEMM needs more than a quarter of it
                assertThat(SparseConvolution.plan(map, 4, 4, true, SparseConvolution.Algorithm.AUTO)
                                .algorithm())
                        .isEqualTo(SparseConvolution.Algorithm.OUTPUT_GATHER);
                assertThat(relError(conv.forward(x).feats(), fast)).isLessThan(TOL);
                SparseConvolution.setMemoryBudget(lean / 2);
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> conv.forward(x))
                        .isInstanceOf(ConvolutionTooLargeException.class);
            } finally {
                SparseConvolution.setMemoryBudget(budget);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"GATHER_SCATTER", "IMPLICIT_GEMM", "OUTPUT_GATHER"})
    void resultsAndGradientsDoNotDependOnTheThreadCount(SparseConvolution.Algorithm algorithm) {
        int threads = torch.get_num_threads();
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(55);
            // large enough that libtorch splits its loops and reductions over threads (grain size 32 768)
            SparseTensor x = random(g, mask(g, 0.5, 2, 24, 24, 24), 8);
            SubmanifoldConv3d conv = new SubmanifoldConv3d(8, 8, 3, true, g);
            Tensor r = Rng.randn(g, x.size(), 8); // [N, 8]
            Tensor[][] runs = new Tensor[2][];
            for (int i = 0; i < 2; i++) {
                torch.set_num_threads(i + 1);
                SparseTensor xi = leaf(x);
                if (conv.weight().grad().defined()) {
                    conv.weight().grad().zero_();
                    conv.bias().grad().zero_();
                }
                Tensor y = conv.forward(xi, algorithm).feats(); // [N, 8]
                y.mul(r).sum().backward();
                runs[i] = new Tensor[] {
                    y.detach().clone(),
                    xi.feats().grad().clone(),
                    conv.weight().grad().clone(),
                    conv.bias().grad().clone()
                };
            }
            for (int k = 0; k < 4; k++) {
                assertThat(torch.equal(runs[0][k], runs[1][k]))
                        .as("tensor %d bit-identical", k)
                        .isTrue();
            }
        } finally {
            torch.set_num_threads(threads);
        }
    }

    /**
     * The channel counts for which oneDNN's 1×1 convolution divides by zero on machines whose CPUID reports no cache
     * sizes (SIGFPE: the test JVM dies) give the same product as {@code mm}, at the pool's two threads.
     */
    @ParameterizedTest
    @CsvSource({"256, 1024", "512, 1024", "512, 2048", "1024, 512", "1024, 2048"})
    void productsOneDnnCannotBlockRunAndAreRight(long k, long c) {
        int threads = torch.get_num_threads();
        torch.set_num_threads(2);
        try (StepScope s = new StepScope();
                NoGradGuard off = new NoGradGuard()) {
            Generator g = Rng.cpu(k + c);
            Tensor x = Rng.randn(g, 512, k); // [N, K]
            Tensor w = Rng.randn(g, c, k); // [C, K]
            assertThat(SparseConvolution.oneDnnCannotBlock(k, c)).isTrue();
            assertThat(relError(SparseConvolution.tallMatmul(x, w, null), x.mm(w.t())))
                    .isLessThan(1e-5);
        } finally {
            torch.set_num_threads(threads);
        }
    }
}
