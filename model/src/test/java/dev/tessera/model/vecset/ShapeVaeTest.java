package dev.tessera.model.vecset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.geometry.FarthestPointSampler;
import dev.tessera.model.Checkpoint;
import dev.tessera.model.Conformance;
import dev.tessera.model.DiagonalGaussian;
import dev.tessera.model.Rng;
import dev.tessera.model.StateDict;
import dev.tessera.model.StateDictMismatchException;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shapes of every stage, names and options of the vecset VAE, FPS queries, the posterior's KL. */
class ShapeVaeTest {

    /** Random unit-sphere points with outward normals, {@code n} rows of xyz + normal. */
    static float[] spherePoints(int n, SplittableRandom r) {
        float[] out = new float[6 * n];
        for (int i = 0; i < n; i++) {
            double x = r.nextGaussian(), y = r.nextGaussian(), z = r.nextGaussian();
            double len = Math.sqrt(x * x + y * y + z * z);
            float[] p = {(float) (x / len), (float) (y / len), (float) (z / len)};
            for (int j = 0; j < 3; j++) {
                out[6 * i + j] = 0.8f * p[j];
                out[6 * i + 3 + j] = p[j];
            }
        }
        return out;
    }

    static EncoderInput input(ShapeVaeConfig c, int batch, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] u = new float[batch][], s = new float[batch][];
        for (int b = 0; b < batch; b++) {
            u[b] = spherePoints(c.uniformInputs(), r);
            s[b] = spherePoints(c.sharpInputs(), r);
        }
        return EncoderInput.fromPoints(c, u, s);
    }

    /**
     * Inputs of two shapes, {@code [uniform, sharp]} rows per shape: a sphere of radius 0.8, and the same squashed to
     * 0.3 in y and shifted by 0.1 in x (an ellipsoid).
     */
    static float[][][] sphereAndEllipsoid(ShapeVaeConfig c, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] u = new float[2][], sh = new float[2][];
        for (int b = 0; b < 2; b++) {
            u[b] = spherePoints(c.uniformInputs(), r);
            sh[b] = spherePoints(c.sharpInputs(), r);
        }
        for (int i = 0; i < u[1].length; i += 6) {
            u[1][i + 1] *= 0.3f;
            u[1][i] += 0.1f;
        }
        return new float[][][] {u, sh};
    }

    /**
     * A shape's latents, decoded tokens and field do not depend on the other shapes of its batch: encoding, decoding
     * and querying a batch of two equals doing each alone. (A reshape that mixed the batch axis into the token or point
     * axis would leak one shape's points into another's latents and train a model of averages.)
     */
    @Test
    void eachShapeOfABatchIsIndependentOfTheOthers() {
        ShapeVaeConfig c = ShapeVaeConfig.tiny();
        ShapeVae vae = new ShapeVae(c, Rng.cpu(1));
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            float[][][] in = sphereAndEllipsoid(c, 11);
            float[][] u = in[0], sh = in[1];
            EncoderInput both = EncoderInput.fromPoints(c, u, sh);
            Tensor pts = Rng.rand(Rng.cpu(2), 2, 50, 3);
            Tensor zBoth = vae.encode(both).mean();
            Tensor fieldBoth = vae.query(pts, vae.decode(zBoth));
            for (int b = 0; b < 2; b++) {
                EncoderInput one = EncoderInput.fromPoints(c, new float[][] {u[b]}, new float[][] {sh[b]});
                Tensor z = vae.encode(one).mean();
                assertThat(Conformance.maxAbsDiff(z, zBoth.narrow(0, b, 1)))
                        .as("latents of shape %d", b)
                        .isLessThan(1e-5);
                Tensor field = vae.query(pts.narrow(0, b, 1), vae.decode(z));
                assertThat(Conformance.maxAbsDiff(field, fieldBoth.narrow(0, b, 1)))
                        .as("field of shape %d", b)
                        .isLessThan(1e-5);
            }
            assertThat(Conformance.maxAbsDiff(zBoth.narrow(0, 0, 1), zBoth.narrow(0, 1, 1)))
                    .as("two different shapes get different latents")
                    .isGreaterThan(1e-3);
        }
    }

    /**
     * A new VAE's latents carry the shape from the first step: the posterior's noise is far below the difference
     * between two shapes' means (a sphere and an ellipsoid). With PyTorch's default bias σ starts near 1, larger than
     * that difference, and the decoder learns the data's mean shape instead of reading the latents.
     */
    @Test
    void aNewPosteriorStartsNearlyDeterministic() {
        ShapeVaeConfig c = ShapeVaeConfig.tiny();
        ShapeVae vae = new ShapeVae(c, Rng.cpu(1));
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            float[][][] in = sphereAndEllipsoid(c, 12);
            DiagonalGaussian p = vae.encode(EncoderInput.fromPoints(c, in[0], in[1]));
            double apart = p.mean()
                    .narrow(0, 0, 1)
                    .sub(p.mean().narrow(0, 1, 1))
                    .square()
                    .mean()
                    .sqrt()
                    .item_double(); // RMS difference of the two shapes' means
            double sigma = p.std().max().item_double();
            assertThat(sigma).isLessThan(0.05);
            assertThat(apart).isGreaterThan(10 * sigma);
        }
    }

    /** One loss's backward reaches every parameter: encoder, KL layers, decoder transformer and geometry decoder. */
    @Test
    void everyParameterGetsAGradient() {
        ShapeVaeConfig c = ShapeVaeConfig.tiny();
        ShapeVae vae = new ShapeVae(c, Rng.cpu(1));
        try (StepScope s = new StepScope()) {
            VecsetBatch batch = new VecsetBatch(
                    input(c, 2, 3),
                    Rng.rand(Rng.cpu(3), 2, 64, 3)
                            .mul(new org.bytedeco.pytorch.Scalar(2.0))
                            .sub(new org.bytedeco.pytorch.Scalar(1.0)),
                    Rng.rand(Rng.cpu(4), 2, 64).sub(new org.bytedeco.pytorch.Scalar(0.5)),
                    Rng.rand(Rng.cpu(5), 2, 64).div(new org.bytedeco.pytorch.Scalar(32.0)));
            vae.losses(batch, 1e-3, Rng.cpu(9)).loss().backward();
            List<String> without = new ArrayList<>();
            int count = 0;
            for (Map.Entry<String, Tensor> e : StateDict.of(vae).entrySet()) {
                Tensor g = e.getValue().grad();
                count++;
                if (!g.defined() || g.abs().max().item_double() == 0) {
                    without.add(e.getKey());
                }
            }
            assertThat(count).isGreaterThan(20);
            assertThat(without).as("parameters without a gradient").isEmpty();
        }
    }

    @Test
    void everyStageHasItsShape() {
        ShapeVaeConfig c = ShapeVaeConfig.tiny();
        ShapeVae vae = new ShapeVae(c, Rng.cpu(1));
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            EncoderInput in = input(c, 2, 3);
            assertThat(Tensors.shape(in.queries())).containsExactly(2, 64, 6);
            assertThat(Tensors.shape(in.data())).containsExactly(2, 768 + 256, 6);
            assertThat(in.uniformQueries()).isEqualTo(48);
            assertThat(in.uniformData()).isEqualTo(768);
            assertThat(Tensors.shape(vae.encoderModule().embed(in.data())))
                    .containsExactly(2, 1024, 3 + 3 * 2 * 6 + 3); // xyz, sin and cos of 6 octaves, normal
            assertThat(Tensors.shape(vae.encoderTokens(in))).containsExactly(2, 64, 128);
            DiagonalGaussian post = vae.encode(in);
            assertThat(Tensors.shape(post.mean())).containsExactly(2, 64, 8);
            assertThat(Tensors.shape(post.logvar())).containsExactly(2, 64, 8);
            Tensor z = post.sample(Rng.cpu(5));
            assertThat(Tensors.shape(z)).containsExactly(2, 64, 8);
            Tensor tokens = vae.decode(z);
            assertThat(Tensors.shape(tokens)).containsExactly(2, 64, 128);
            Tensor pts = Rng.rand(Rng.cpu(2), 2, 100, 3);
            Tensor raw = vae.query(pts, tokens);
            assertThat(Tensors.shape(raw)).containsExactly(2, 100, 1);
            assertThat(Tensors.shape(vae.signedField(raw))).containsExactly(2, 100);
            Tensor kv = vae.queryKeysValues(tokens);
            assertThat(Tensors.shape(kv)).containsExactly(2, 64, 256);
            assertThat(Conformance.maxAbsDiff(vae.queryCached(pts, kv), raw)).isLessThan(1e-5);
        }
    }

    @Test
    void klOfAStandardNormalPosteriorIsZero() {
        try (StepScope s = new StepScope()) {
            Tensor zeros = Rng.randn(Rng.cpu(0), 2, 16, 8).mul(new org.bytedeco.pytorch.Scalar(0.0));
            DiagonalGaussian standard = new DiagonalGaussian(zeros, zeros);
            assertThat(standard.klMean().item_double()).isEqualTo(0.0);
            // and the closed form elsewhere: mean 1, logvar 0 → ½ per element
            Tensor ones = zeros.add(new org.bytedeco.pytorch.Scalar(1.0));
            assertThat(new DiagonalGaussian(ones, zeros).klMean().item_double()).isEqualTo(0.5);
            // a posterior encoded to (0, 0) by zeroed pre_kl has KL 0 in the model's loss
            ShapeVaeConfig c = ShapeVaeConfig.tiny();
            ShapeVae vae = new ShapeVae(c, Rng.cpu(1));
            try (NoGradGuard ng = new NoGradGuard()) {
                for (Tensor t : StateDict.of(vae).entrySet().stream()
                        .filter(e -> e.getKey().startsWith("pre_kl."))
                        .map(Map.Entry::getValue)
                        .toList()) {
                    t.zero_();
                }
            }
            EncoderInput in = input(c, 2, 4);
            VecsetBatch batch = new VecsetBatch(
                    in,
                    Rng.rand(Rng.cpu(3), 2, 10, 3),
                    Rng.rand(Rng.cpu(4), 2, 10),
                    Rng.rand(Rng.cpu(4), 2, 10)
                            .mul(new org.bytedeco.pytorch.Scalar(0.0))
                            .add(new org.bytedeco.pytorch.Scalar(0.1)));
            assertThat(vae.losses(batch, 1e-3, Rng.cpu(9)).kl().item_double()).isEqualTo(0.0);
        }
    }

    @Test
    void queryTokensAreGeometrysFarthestPointSample() {
        ShapeVaeConfig c = ShapeVaeConfig.tiny();
        SplittableRandom r = new SplittableRandom(8);
        float[] uniform = spherePoints(c.uniformInputs(), r);
        float[] sharp = spherePoints(c.sharpInputs(), r);
        float[] xyz = new float[3 * c.uniformInputs()];
        for (int i = 0; i < c.uniformInputs(); i++) {
            System.arraycopy(uniform, 6 * i, xyz, 3 * i, 3);
        }
        int[] expected = FarthestPointSampler.reference(xyz, c.uniformQueries(), 0);
        assertThat(EncoderInput.farthestQueries(uniform, 6, c.uniformQueries())).containsExactly(expected);
        assertThat(expected).containsExactly(FarthestPointSampler.sample(xyz, c.uniformQueries(), 0));
        try (StepScope s = new StepScope()) {
            EncoderInput in = EncoderInput.fromPoints(c, new float[][] {uniform}, new float[][] {sharp});
            float[] q = Tensors.toFloats(in.queries());
            for (int i = 0; i < expected.length; i++) {
                for (int j = 0; j < 6; j++) {
                    assertThat(q[6 * i + j]).isEqualTo(uniform[6 * expected[i] + j]);
                }
            }
        }
    }

    @Test
    void registeredNamesFollowTheReference() {
        ShapeVae vae = new ShapeVae(ShapeVaeConfig.tiny(), Rng.cpu(0));
        List<String> keys = new ArrayList<>(StateDict.of(vae).keySet());
        assertThat(keys)
                .contains(
                        "encoder.input_proj.weight",
                        "encoder.cross_attn.attn.c_q.weight",
                        "encoder.cross_attn.attn.c_kv.weight",
                        "encoder.cross_attn.attn.attention.q_norm.weight",
                        "encoder.self_attn.resblocks.0.attn.c_qkv.weight",
                        "encoder.ln_post.bias",
                        "pre_kl.weight",
                        "post_kl.weight",
                        "transformer.resblocks.1.mlp.c_proj.weight",
                        "geo_decoder.query_proj.weight",
                        "geo_decoder.cross_attn_decoder.ln_3.weight",
                        "geo_decoder.ln_post.weight",
                        "geo_decoder.output_proj.bias")
                .noneMatch(k -> k.contains("c_qkv.bias") || k.contains("c_q.bias") || k.contains("frequencies"));

        // Dora's separate sharp-edge branch and a narrower geometry decoder add their own modules
        ShapeVaeConfig dora = ShapeVaeConfig.tiny().withSharpCrossAttn(true);
        ShapeVae d = new ShapeVae(dora, Rng.cpu(0));
        assertThat(StateDict.of(d).keySet()).contains("encoder.input_proj1.weight", "encoder.cross_attn1.ln_2.weight");
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            assertThat(Tensors.shape(d.encoderTokens(input(dora, 2, 1)))).containsExactly(2, 64, 128);
        }
    }

    @Test
    void aCheckpointOfAnotherConfigIsRefusedWithTheFullReport(@TempDir Path dir) throws Exception {
        ShapeVae small = new ShapeVae(ShapeVaeConfig.tiny(), Rng.cpu(0));
        Checkpoint.save(dir, small.config(), small);
        ShapeVaeConfig other = ShapeVaeConfig.tiny().withSharpCrossAttn(true);
        ShapeVae wider = new ShapeVae(other, Rng.cpu(0));
        assertThatThrownBy(() -> Checkpoint.load(dir, wider))
                .isInstanceOf(StateDictMismatchException.class)
                .hasMessageContaining("encoder.input_proj1.weight")
                .hasMessageContaining("encoder.cross_attn1.attn.c_q.weight");
        // the config round-trips through config.json
        assertThat(Checkpoint.config(dir, ShapeVaeConfig.class)).isEqualTo(ShapeVaeConfig.tiny());
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve(Checkpoint.WEIGHTS))) {
            assertThat(StateDict.load(new ShapeVae(ShapeVaeConfig.tiny(), Rng.cpu(3)), r)
                            .isClean())
                    .isTrue();
        }
    }

    @Test
    void configsAreCheckedWithTheFieldNamed() {
        assertThat(ShapeVaeConfig.tiny().withPointSets(1000, 1000).uniformQueries())
                .isEqualTo(32);
        assertThatThrownBy(() -> ShapeVaeConfig.tiny().withPointSets(1000, 500))
                .hasMessageContaining("pc_size / (pc_size + pc_sharpedge_size)")
                .hasMessageContaining("42.66");
        assertThatThrownBy(() -> ShapeVaeConfig.tiny().withLabel("sdf", 0.05)).hasMessageContaining("label_type");
        assertThatThrownBy(() -> ShapeVaeConfig.tiny().withLabel("tsdf", 0)).hasMessageContaining("tsdf_truncation");
        assertThatThrownBy(() -> ShapeVaeConfig.bench().withSharpCrossAttn(true))
                .hasMessageContaining("pc_sharpedge_size");
    }

    @Test
    void presetsMatchTheirDescriptions() {
        ShapeVaeConfig h = ShapeVaeConfig.hunyuan3d2();
        assertThat(h.numLatents()).isEqualTo(3072);
        assertThat(h.embedDim()).isEqualTo(64);
        assertThat(h.width()).isEqualTo(1024);
        assertThat(h.uniformQueries()).isEqualTo(1536);
        assertThat(h.uniformInputs()).isEqualTo(1536 * 20);
        ShapeVaeConfig b = ShapeVaeConfig.bench();
        assertThat(b.uniformInputs()).isEqualTo(2048);
        assertThat(b.sharpInputs()).isZero();
        // the parameter counts docs/vecset-vae.md gives
        assertThat(parameters(new ShapeVae(b, Rng.cpu(0)))).isEqualTo(4_793_153L);
        assertThat(parameters(new ShapeVae(ShapeVaeConfig.tiny(), Rng.cpu(0)))).isEqualTo(1_005_073L);
    }

    private static long parameters(ShapeVae vae) {
        return StateDict.of(vae).values().stream().mapToLong(Tensor::numel).sum();
    }
}
