package dev.tessera.model.sparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tessera.geometry.MeshCheck;
import dev.tessera.geometry.ScalarField;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.model.Rng;
import dev.tessera.model.StateDict;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import dev.tessera.model.sparse.conv.DecodeTooLargeException;
import dev.tessera.model.sparse.conv.SparseTensor;
import java.util.List;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.junit.jupiter.api.Test;

/** Shapes, names, losses, memory refusal, bad input and meshing of the sparse SDF VAE. */
class SparseSdfVaeTest {

    static long parameters(Module m) {
        long n = 0;
        var ps = m.parameters();
        for (long i = 0; i < ps.size(); i++) {
            n += ps.get(i).numel();
        }
        return n;
    }

    @Test
    void tinyShapesLevelsAndNames() {
        SparseSdfVaeConfig c = SparseSdfVaeConfig.tiny();
        SparseSdfVae vae = new SparseSdfVae(c, Rng.cpu(1));
        SparseSdfShapes.Band a = SparseSdfShapes.band(SparseSdfShapes.sphere(0.6), 32, 2.5);
        SparseSdfShapes.Band b = SparseSdfShapes.band(SparseSdfShapes.sphere(0.4), 32, 2.5);
        try (StepScope s = new StepScope()) {
            SparseTensor x = vae.batch(List.of(a.coords(), b.coords()), List.of(a.sdf(), b.sdf()));
            assertThat(x.batchSize()).isEqualTo(2);
            SparseSdfEncoder.Posterior p = vae.encode(x);
            assertThat(p.voxels().spatialShape()).containsExactly(8, 8, 8);
            assertThat(p.gaussian().mean().size(1)).isEqualTo(4);
            SparseSdfVae.Losses l = vae.losses(x, Rng.cpu(2));
            assertThat(l.prediction().size()).isEqualTo(x.size());
            assertThat(l.loss().item_double())
                    .isCloseTo(
                            l.sdf().item_double() + 0.5 * l.prune().item_double() + 1e-4 * l.kl().item_double(),
                            within(1e-5));
            // a new decoder predicts 0 everywhere: the SDF loss is the mean |tsdf| of the input
            double meanAbs = vae.toTsdf(x.feats()).abs().mean().item_double();
            assertThat(l.sdf().item_double()).isCloseTo(meanAbs, within(1e-6));
            // occupancy heads start at bias 1: every child kept, so the first decode is the full subdivision
            SparseTensor r = vae.reconstruct(x);
            assertThat(r.size()).isEqualTo(64L * p.voxels().size());
        }
        assertThat(StateDict.of(vae).keySet())
                .contains(
                        "encoder.input_layer.weight",
                        "encoder.blocks.0.conv1.weight",
                        "encoder.blocks.1.weight",
                        "encoder.out_layer.0.weight",
                        "encoder.out_layer.2.weight",
                        "decoder.input_layer.weight",
                        "decoder.blocks.1.occupancy.weight",
                        "decoder.blocks.1.conv2.weight",
                        "decoder.out_layer.2.bias");
        assertThat(Tensors.shape(StateDict.of(vae).get("encoder.blocks.1.weight")))
                .containsExactly(16, 2, 2, 2, 8);
    }

    @Test
    void presetsAndParameterCounts() {
        assertThat(SparseSdfVaeConfig.tiny().latentResolution()).isEqualTo(8);
        assertThat(SparseSdfVaeConfig.bench().latentResolution()).isEqualTo(32);
        assertThat(SparseSdfVaeConfig.direct3dS2Like().latentResolution()).isEqualTo(32);
        long bench = parameters(new SparseSdfVae(SparseSdfVaeConfig.bench(), Rng.cpu(1)));
        long big = parameters(new SparseSdfVae(SparseSdfVaeConfig.direct3dS2Like(), Rng.cpu(1)));
        System.out.printf("sparse SDF VAE parameters: bench %,d, direct3dS2Like %,d%n", bench, big);
        assertThat(bench).isBetween(2_000_000L, 4_000_000L);
        assertThat(big).isBetween(50_000_000L, 120_000_000L);
    }

    @Test
    void configErrorsNameTheField() {
        assertThatThrownBy(() -> new SparseSdfVaeConfig(30, List.of(8, 16, 32), 1, 4, "layer", 3, "l1", 1, 0))
                .hasMessageContaining("multiple of 4");
        assertThatThrownBy(() -> new SparseSdfVaeConfig(32, List.of(8), 1, 4, "layer", 3, "l1", 1, 0))
                .hasMessageContaining("two levels");
        assertThatThrownBy(() -> new SparseSdfVaeConfig(32, List.of(8, 16), 1, 4, "batch", 3, "l1", 1, 0))
                .hasMessageContaining("norm_type");
        assertThatThrownBy(() -> new SparseSdfVaeConfig(32, List.of(8, 16), 1, 4, "layer", 0, "l1", 1, 0))
                .hasMessageContaining("truncation");
        assertThatThrownBy(() -> new SparseSdfVaeConfig(32, List.of(8, 16), 1, 4, "layer", 3, "huber", 1, 0))
                .hasMessageContaining("sdf_loss");
    }

    @Test
    void aDecodeOverTheBudgetIsRefusedWithTheEstimate() {
        SparseSdfVae vae = new SparseSdfVae(SparseSdfVaeConfig.tiny(), Rng.cpu(1)).withMaxDecodeBytes(1 << 20);
        SparseSdfShapes.Band a = SparseSdfShapes.band(SparseSdfShapes.sphere(0.7), 32, 2.5);
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            SparseTensor x = vae.batch(List.of(a.coords()), List.of(a.sdf()));
            assertThatThrownBy(() -> vae.reconstruct(x))
                    .isInstanceOf(DecodeTooLargeException.class)
                    .hasMessageContaining("GiB, over the 0.00 GiB budget")
                    .hasMessageContaining("³ grid")
                    .hasMessageContaining("--max-memory")
                    .satisfies(e -> assertThat(((DecodeTooLargeException) e).estimatedBytes())
                            .isGreaterThan(1 << 20));
            // the same decode fits a realistic budget
            assertThat(vae.withMaxDecodeBytes(1L << 30).reconstruct(x).size()).isPositive();
        }
    }

    @Test
    void aFreeDecodeWithoutGradientsRunsEachBlockInItsOwnScopeAndGivesTheSameSdf() {
        SparseSdfVae vae = new SparseSdfVae(SparseSdfVaeConfig.tiny(), Rng.cpu(3));
        try (NoGradGuard ng = new NoGradGuard()) { // a new output layer predicts 0 everywhere: give it weights
            StateDict.of(vae)
                    .get("decoder.out_layer.2.weight")
                    .normal_(0, 1, new org.bytedeco.pytorch.GeneratorOptional(Rng.cpu(4)));
        }
        SparseSdfShapes.Band a = SparseSdfShapes.band(SparseSdfShapes.sphere(0.6), 32, 2.5);
        try (StepScope s = new StepScope()) {
            SparseTensor x = vae.batch(List.of(a.coords()), List.of(a.sdf()));
            SparseSdfEncoder.Posterior p = vae.encode(x);
            // a latent far from the mean, so that the random occupancy heads drop some children
            SparseTensor z = p.latent(p.gaussian().mean().mul(new org.bytedeco.pytorch.Scalar(40.0)));
            SparseTensor withGraph = vae.decode(z); // one scope for everything (the graph needs it)
            SparseTensor scoped;
            try (NoGradGuard ng = new NoGradGuard()) {
                scoped = vae.decode(z); // a scope per block, the result handed over to this test's scope
            }
            assertThat(scoped.size()).isEqualTo(withGraph.size()).isLessThan(64L * z.size());
            assertThat(scoped.size()).isPositive();
            assertThat(Tensors.toLongs(scoped.coords())).containsExactly(Tensors.toLongs(withGraph.coords()));
            float[] sdf = Tensors.toFloats(scoped.feats());
            // the same values up to rounding: without gradients the GEMMs run in oneDNN (SparseConvolution.tallMatmul)
            assertThat(sdf).containsExactly(Tensors.toFloats(withGraph.feats().detach()), within(1e-4f));
            double min = 0, max = 0;
            for (float v : sdf) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertThat(min).isNegative(); // both signs: a surface to mesh
            assertThat(max).isPositive();
            // the handed-over coordinate set still works: its keys and a mesh of the result
            assertThat(scoped.keys().size(0)).isEqualTo(scoped.size());
            assertThat(SparseSdfMesh.extract(scoped, 0, 0f).triangleCount()).isPositive();
        }
    }

    @Test
    void badInputIsRefused() {
        SparseSdfVae vae = new SparseSdfVae(SparseSdfVaeConfig.tiny(), Rng.cpu(1));
        SparseSdfShapes.Band a = SparseSdfShapes.band(SparseSdfShapes.sphere(0.5), 32, 2.5);
        try (StepScope s = new StepScope()) {
            assertThatThrownBy(() -> vae.batch(List.of(a.coords(), new int[0]), List.of(a.sdf(), new float[0])))
                    .hasMessageContaining("batch item 1 has no sparse voxels");
            assertThatThrownBy(() -> vae.batch(List.of(a.coords()), List.of(new float[3])))
                    .hasMessageContaining("coordinates but 3 SDF values");
            SparseTensor wrong = SparseTensor.of(
                    Tensors.fromLongs(new long[] {0, 1, 2, 3}, 1, 4),
                    org.bytedeco.pytorch.global.torch.ones(1, 1),
                    1,
                    64,
                    64,
                    64);
            assertThatThrownBy(() -> vae.losses(wrong, Rng.cpu(1)))
                    .hasMessageContaining("takes 32³ voxels, got 64×64×64")
                    .hasMessageContaining("--sparse-resolution 32");
            SparseTensor oneEmpty = SparseTensor.of(
                    Tensors.fromLongs(new long[] {0, 1, 2, 3}, 1, 4),
                    org.bytedeco.pytorch.global.torch.ones(1, 1),
                    2,
                    32,
                    32,
                    32);
            assertThatThrownBy(() -> vae.encode(oneEmpty)).hasMessageContaining("batch item 1 has no active voxels");
        }
    }

    @Test
    void meshOfTheTrueBandIsTheSphere() {
        SparseSdfShapes.Band a = SparseSdfShapes.band(SparseSdfShapes.sphere(0.6), 48, 2.5);
        TriangleMesh m = SparseSdfMesh.extract(a.coords(), a.sdf(), 48, 0f);
        assertThat(m.triangleCount()).isGreaterThan(1000);
        assertThat(worstRadiusError(m, 0.6)).isLessThan(0.01); // linear interpolation of an exact SDF on 2/48 cells
        assertThat(m.volume()).isCloseTo(4 / 3.0 * Math.PI * 0.216, within(0.02));
        assertThat(MeshCheck.of(m).closed()).isTrue();
    }

    @Test
    void gapsInTheBandAreFilledSoTheSurfaceIsClosed() {
        double h = 2.0 / 48;
        // a band of ±0.6 steps: few cells have their eight corners decoded
        SparseSdfShapes.Band thin = SparseSdfShapes.band(SparseSdfShapes.sphere(0.6), 48, 0.6);
        TriangleMesh t = SparseSdfMesh.extract(thin.coords(), thin.sdf(), 48, 0f);
        assertThat(MeshCheck.of(t).closed()).isTrue();
        assertThat(MeshCheck.of(t).components()).isEqualTo(1);
        assertThat(worstRadiusError(t, 0.6)).isLessThan(1.5 * h); // values extrapolated up to two steps
        assertThat(t.volume()).isCloseTo(4 / 3.0 * Math.PI * 0.216, within(0.05));
        // a good band with every 7th voxel dropped, as a decoder's pruning drops some: closed, and on the sphere
        SparseSdfShapes.Band full = SparseSdfShapes.band(SparseSdfShapes.sphere(0.6), 48, 2.5);
        int n = full.sdf().length, kept = 0;
        int[] c = new int[3 * n];
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            if (i % 7 != 3) {
                System.arraycopy(full.coords(), 3 * i, c, 3 * kept, 3);
                v[kept++] = full.sdf()[i];
            }
        }
        TriangleMesh holed =
                SparseSdfMesh.extract(java.util.Arrays.copyOf(c, 3 * kept), java.util.Arrays.copyOf(v, kept), 48, 0f);
        assertThat(MeshCheck.of(holed).closed()).isTrue();
        assertThat(worstRadiusError(holed, 0.6)).isLessThan(0.2 * h);
        // the fill adds no surface where the band is whole: its edges keep one sign
        TriangleMesh whole = SparseSdfMesh.extract(full.coords(), full.sdf(), 48, 0f);
        assertThat(MeshCheck.of(whole).components()).isEqualTo(1);
    }

    @Test
    void aPocketTheOutsideCannotReachBecomesInsideButAnOpenCavityStays() {
        double outer = 0.6, inner = 0.4;
        ScalarField ball = SparseSdfShapes.sphere(outer);
        // a hollow ball: solid between the radii, a closed positive pocket inside (a decoder's second, inner wall)
        ScalarField hollow = (x, y, z) -> Math.max(ball.value(x, y, z), inner - Math.sqrt(x * x + y * y + z * z));
        SparseSdfShapes.Band h = SparseSdfShapes.band(hollow, 48, 2.5);
        TriangleMesh solid = SparseSdfMesh.extract(h.coords(), h.sdf(), 48, 0f);
        assertThat(MeshCheck.of(solid).components()).isEqualTo(1);
        assertThat(MeshCheck.of(solid).closed()).isTrue();
        assertThat(solid.volume()).isCloseTo(4 / 3.0 * Math.PI * outer * outer * outer, within(0.02));
        // the same ball cut open at the top: a cup, whose cavity the outside reaches, keeps its cavity
        ScalarField cup = (x, y, z) -> Math.max(hollow.value(x, y, z), y - 0.3);
        SparseSdfShapes.Band c = SparseSdfShapes.band(cup, 48, 2.5);
        TriangleMesh open = SparseSdfMesh.extract(c.coords(), c.sdf(), 48, 0f);
        assertThat(MeshCheck.of(open).closed()).isTrue();
        // the shell less its caps above y = 0.3 (heights 0.3 and 0.1); filled, it would be 0.76
        double shell = 4 / 3.0 * Math.PI * (Math.pow(outer, 3) - Math.pow(inner, 3));
        double caps = Math.PI * 0.09 * (3 * outer - 0.3) / 3 - Math.PI * 0.01 * (3 * inner - 0.1) / 3;
        assertThat(open.volume()).isCloseTo(shell - caps, within(0.02));
    }

    private static double worstRadiusError(TriangleMesh m, double radius) {
        float[] p = m.positions();
        double worst = 0;
        for (int i = 0; i < p.length; i += 3) {
            worst = Math.max(
                    worst, Math.abs(Math.sqrt(p[i] * p[i] + p[i + 1] * p[i + 1] + p[i + 2] * p[i + 2]) - radius));
        }
        return worst;
    }
}
