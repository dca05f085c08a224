package dev.tessera.model.vecset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.model.Conformance;
import dev.tessera.model.DiagonalGaussian;
import dev.tessera.model.LoadReport;
import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hunyuan3D-2's recorded {@code ShapeVAE} ({@code testdata/conformance/hunyuan3d2-shapevae[-sharpedge]}): strict load
 * of the reference's weights, then every recorded stage — Fourier embedding, the input points and FPS queries, the
 * embedded points, the encoder's tokens, mean and log-variance, the decoded tokens and the geometry decoder's logits —
 * within 1e-4.
 */
class ShapeVaeConformanceTest {
    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"hunyuan3d2-shapevae", "hunyuan3d2-shapevae-sharpedge"})
    void reproducesEveryRecordedStage(String folder) throws Exception {
        ShapeVaeConfig c = ShapeVaeConfig.fromHunyuanParams(Conformance.config(folder));
        ShapeVae vae = new ShapeVae(c, Rng.cpu(0));
        vae.eval();
        LoadReport report = Conformance.loadWeights(folder, vae);
        assertThat(report.isClean()).as(report.toString()).isTrue();
        try (SafetensorsReader w =
                SafetensorsReader.open(Conformance.folder(folder).resolve("weights.safetensors"))) {
            assertThat(report.loaded()).isEqualTo(w.names().size());
        }
        Path io = Conformance.folder(folder).resolve("io.safetensors");
        assertThat(Files.exists(io)).isTrue();
        try (SafetensorsReader r = SafetensorsReader.open(io);
                StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            // Fourier embedding
            Tensor fourier = vae.fourier().forward(Tensors.read(r, "fourier.in")); // [2, 50, 51]
            expectClose(folder, "fourier.out", fourier, Tensors.read(r, "fourier.out"));

            // the input points and the FPS query tokens of each set
            Tensor surface = Tensors.read(r, "encode.surface"); // [2, 1024, 6]
            long[] u = Tensors.toLongs(Tensors.read(r, "encode.input_index.0"));
            long[] sh = r.contains("encode.input_index.1")
                    ? Tensors.toLongs(Tensors.read(r, "encode.input_index.1"))
                    : new long[0];
            EncoderInput in = EncoderInput.fromSurface(c, surface, u, sh);
            checkFps(c, r, in, surface, u, sh);

            PointCrossAttentionEncoder enc = vae.encoderModule();
            Tensor queryEmbed = enc.embed(in.queries()); // [2, 32, 54]
            Tensor dataEmbed = enc.embed(in.data()); // [2, 640, 54]
            expectClose(folder, "encode.query_embed", queryEmbed, Tensors.read(r, "encode.query_embed"));
            expectClose(folder, "encode.data_embed", dataEmbed, Tensors.read(r, "encode.data_embed"));

            Tensor tokens = vae.encoderTokens(in); // [2, 32, 64]
            expectClose(folder, "encode.tokens", tokens, Tensors.read(r, "encode.tokens"));
            DiagonalGaussian post = vae.encode(in);
            expectClose(folder, "encode.mean", post.mean(), Tensors.read(r, "encode.mean"));
            expectClose(folder, "encode.logvar", post.logvar(), Tensors.read(r, "encode.logvar"));

            Tensor decoded = vae.decode(Tensors.read(r, "encode.mean")); // [2, 32, 64]
            expectClose(folder, "decode.tokens", decoded, Tensors.read(r, "decode.tokens"));

            Tensor logits = vae.query(Tensors.read(r, "query.points"), Tensors.read(r, "decode.tokens")); // [2, 300, 1]
            expectClose(folder, "query.logits", logits, Tensors.read(r, "query.logits"));
            // the cached-keys path used for grid decoding is the same function
            Tensor kv = vae.queryKeysValues(Tensors.read(r, "decode.tokens"));
            Tensor cached = vae.queryCached(Tensors.read(r, "query.points"), kv);
            expectClose(folder, "query.logits (cached keys)", cached, Tensors.read(r, "query.logits"));
        }
    }

    /** The recorded FPS indices are {@code FarthestPointSampler}'s, per shape and per set, started at point 0. */
    private static void checkFps(
            ShapeVaeConfig c, SafetensorsReader r, EncoderInput in, Tensor surface, long[] u, long[] sh)
            throws Exception {
        float[] all = Tensors.toFloats(surface);
        int n = (int) surface.size(1), ch = c.pointChannels();
        float[] queries = Tensors.toFloats(in.queries());
        for (int set = 0; set < 2; set++) {
            String key = "encode.fps_index." + set;
            int inputs = set == 0 ? c.uniformInputs() : c.sharpInputs();
            int k = set == 0 ? c.uniformQueries() : c.sharpQueries();
            if (k == 0) {
                assertThat(r.contains(key)).isFalse();
                continue;
            }
            long[] expected = Tensors.toLongs(Tensors.read(r, key)); // [2, k]
            for (int b = 0; b < 2; b++) {
                float[] rows = new float[inputs * ch];
                for (int i = 0; i < inputs; i++) {
                    int src = set == 0 ? (int) u[i] : c.pcSize() + (int) sh[i];
                    System.arraycopy(all, (b * n + src) * ch, rows, i * ch, ch);
                }
                int[] fps = EncoderInput.farthestQueries(rows, ch, k);
                for (int i = 0; i < k; i++) {
                    assertThat((long) fps[i])
                            .as("%s shape %d pick %d", key, b, i)
                            .isEqualTo(expected[b * k + i]);
                    // and the query token is that point
                    int row = b * c.numLatents() + (set == 0 ? 0 : c.uniformQueries()) + i;
                    for (int j = 0; j < ch; j++) {
                        assertThat(queries[row * ch + j]).isEqualTo(rows[fps[i] * ch + j]);
                    }
                }
            }
        }
    }

    private static void expectClose(String folder, String name, Tensor actual, Tensor expected) {
        assertThat(Tensors.shape(actual)).as(name).containsExactly(Tensors.shape(expected));
        double d = torch.max(actual.sub(expected).abs()).item_double();
        System.out.printf("%s %s: max |Δ| = %.3g%n", folder, name, d);
        assertThat(d).as("%s %s max |Δ|", folder, name).isLessThanOrEqualTo(TOLERANCE);
    }
}
