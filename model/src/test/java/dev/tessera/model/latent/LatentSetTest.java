package dev.tessera.model.latent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.safetensors.SafetensorsWriter;
import dev.tessera.model.Checkpoint;
import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import dev.tessera.model.nn.Activation;
import dev.tessera.model.nn.Mlp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatentSetTest {
    @TempDir
    Path dir;

    static float[] values(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (r.nextGaussian() * 2 + 0.5);
        }
        return f;
    }

    static LatentSetInfo vecsetHeader() {
        return LatentSetInfo.of(LatentKind.VECSET, new long[] {4, 3}, Posterior.MEAN, null, "/data/shapes");
    }

    /** Five shapes of [4, 3]: ids s0..s4, labels a/b alternating (s4 unlabelled). */
    LatentSet writeFive(Path root) throws Exception {
        LatentSetWriter w = LatentSetWriter.create(root, vecsetHeader());
        for (int i = 0; i < 5; i++) {
            String label = i == 4 ? null : (i % 2 == 0 ? "a" : "b");
            if (i % 2 == 0) {
                w.write("s" + i, values(i, 12), label, "hash" + i);
            } else {
                try (StepScope s = new StepScope()) {
                    w.write("s" + i, Tensors.fromFloats(values(i, 12), 4, 3), label, "hash" + i);
                }
            }
        }
        return w.finish();
    }

    @Test
    void writtenLatentsReadBackExactlyWithTheirLabelsAndMetadata() throws Exception {
        LatentSet set = writeFive(dir.resolve("lat"));
        assertThat(set.size()).isEqualTo(5);
        assertThat(set.ids()).containsExactly("s0", "s1", "s2", "s3", "s4");
        assertThat(set.labels()).containsExactly("a", "b");
        assertThat(set.label("s1")).isEqualTo("b");
        assertThat(set.label("s4")).isNull();
        assertThat(set.entry("s3").contentHash()).isEqualTo("hash3");
        for (int i = 0; i < 5; i++) {
            assertThat(set.floats("s" + i)).containsExactly(values(i, 12));
            try (StepScope s = new StepScope()) {
                Tensor t = set.read("s" + i);
                assertThat(Tensors.shape(t)).containsExactly(4, 3);
                assertThat(Tensors.toFloats(t)).containsExactly(values(i, 12));
            }
        }
        try (SafetensorsReader r = SafetensorsReader.open(set.file("s1"))) {
            assertThat(r.metadata())
                    .containsEntry("id", "s1")
                    .containsEntry("label", "b")
                    .containsEntry("content_hash", "hash1");
        }
        try (SafetensorsReader r = SafetensorsReader.open(set.file("s4"))) {
            assertThat(r.metadata()).doesNotContainKey("label");
        }
        JsonNode json = LatentSet.JSON.readTree(dir.resolve("lat/latents.json").toFile());
        assertThat(json.get("kind").asText()).isEqualTo("vecset");
        assertThat(json.get("latent_shape").toString()).isEqualTo("[4,3]");
        assertThat(json.get("posterior").asText()).isEqualTo("mean");
        assertThat(json.get("count").asInt()).isEqualTo(5);
        assertThat(json.get("complete").asBoolean()).isTrue();
        try (Stream<Path> s = Files.walk(dir)) {
            assertThat(s.filter(p -> p.getFileName().toString().endsWith(".tmp")))
                    .isEmpty();
        }
    }

    @Test
    void shuffledOrderIsAPermutationFixedBySeedAndEpoch() throws Exception {
        LatentSet set = writeFive(dir.resolve("lat"));
        List<String> a = set.order(7, 0);
        assertThat(a).containsExactlyInAnyOrderElementsOf(set.ids());
        assertThat(set.order(7, 0)).isEqualTo(a);
        var seen = new HashSet<List<String>>();
        for (int e = 0; e < 10; e++) {
            seen.add(set.order(7, e));
        }
        assertThat(seen.size()).isGreaterThan(3); // epochs differ
    }

    @Test
    void inMemoryBatchesPickTheRightRowsAndLabels() throws Exception {
        LatentSet set = writeFive(dir.resolve("lat"));
        try (InMemoryLatents mem = set.load()) {
            assertThat(Tensors.shape(mem.all())).containsExactly(5, 4, 3);
            assertThat(mem.labels()).containsExactly("a", "b");
            try (StepScope s = new StepScope()) {
                Tensor b = mem.batch(new int[] {3, 0, 3});
                assertThat(Tensors.shape(b)).containsExactly(3, 4, 3);
                assertThat(Tensors.toFloats(b.select(0, 0))).containsExactly(values(3, 12));
                assertThat(Tensors.toFloats(b.select(0, 1))).containsExactly(values(0, 12));
                assertThat(Tensors.toLongs(mem.batchLabels(new int[] {0, 1, 4})))
                        .containsExactly(0, 1, -1);
            }
        }
        assertThatThrownBy(() -> set.load(set.ids(), 100)).hasMessageContaining("in-memory limit");
    }

    @Test
    void statisticsMatchAHandComputationForBothLayouts() throws Exception {
        LatentSet set = writeFive(dir.resolve("lat"));
        LatentStatistics st = set.statistics();
        double[] sum = new double[3], sq = new double[3];
        for (int i = 0; i < 5; i++) {
            float[] f = values(i, 12);
            for (int k = 0; k < 12; k++) {
                sum[k % 3] += f[k];
                sq[k % 3] += f[k] * (double) f[k];
            }
        }
        double all = (sum[0] + sum[1] + sum[2]) / 60, allSq = (sq[0] + sq[1] + sq[2]) / 60;
        assertThat(st.mean()).isCloseTo(all, within(1e-12));
        assertThat(st.std()).isCloseTo(Math.sqrt(allSq - all * all), within(1e-12));
        assertThat(st.channelMean()[2]).isCloseTo(sum[2] / 20, within(1e-12));
        assertThat(st.channelStd()[1]).isCloseTo(Math.sqrt(sq[1] / 20 - Math.pow(sum[1] / 20, 2)), within(1e-12));

        // grid: channels first; channel 1 is all 5s, channel 0 all -1s
        LatentSetWriter w = LatentSetWriter.create(
                dir.resolve("grid"),
                LatentSetInfo.of(LatentKind.SPARSE_STRUCTURE, new long[] {2, 2, 2, 2}, Posterior.SAMPLE, null, null));
        float[] g = new float[16];
        for (int i = 0; i < 16; i++) {
            g[i] = i < 8 ? -1 : 5;
        }
        w.write("x/y", g, null, null);
        LatentStatistics gs = w.finish().statistics();
        assertThat(gs.channelMean()).containsExactly(-1.0, 5.0);
        assertThat(gs.channelStd()).containsExactly(0.0, 0.0);
        assertThat(gs.mean()).isCloseTo(2.0, within(1e-12));
        assertThat(Files.exists(dir.resolve("grid/latents/x/y.safetensors"))).isTrue();
    }

    @Test
    void anInterruptedSetIsRefusedAndResumeKeepsWhatWasWritten() throws Exception {
        Path root = dir.resolve("lat");
        LatentSetWriter w = LatentSetWriter.create(root, vecsetHeader());
        w.write("s0", values(0, 12), "a", null);
        w.write("s1", values(1, 12), "b", null);
        // the process dies here: no finish()
        assertThatThrownBy(() -> LatentSet.open(root))
                .isInstanceOf(LatentSetException.class)
                .hasMessageContaining("incomplete")
                .hasMessageContaining("--resume");
        assertThatThrownBy(() -> LatentSetWriter.create(root, vecsetHeader()))
                .hasMessageContaining("already holds a latent set");
        LatentSetWriter again = LatentSetWriter.resume(root, vecsetHeader());
        assertThat(again.has("s0")).isTrue();
        assertThat(again.has("s1")).isTrue();
        assertThat(again.has("s2")).isFalse();
        again.write("s2", values(2, 12), null, null);
        LatentSet set = again.finish();
        assertThat(set.ids()).containsExactly("s0", "s1", "s2");
        assertThat(set.label("s1")).isEqualTo("b");
        assertThat(set.floats("s1")).containsExactly(values(1, 12));
    }

    @Test
    void resumingWithOtherLatentsIsRefusedNamingBoth() throws Exception {
        Path root = dir.resolve("lat");
        writeFive(root);
        LatentSetInfo other = LatentSetInfo.of(LatentKind.VECSET, new long[] {8, 3}, Posterior.MEAN, null, null);
        assertThatThrownBy(() -> LatentSetWriter.resume(root, other))
                .isInstanceOf(LatentSetException.class)
                .hasMessageContaining("[4, 3]")
                .hasMessageContaining("[8, 3]");
    }

    @Test
    void badInputIsRefusedWithTheFileAndTheFix() throws Exception {
        Path root = dir.resolve("lat");
        LatentSetWriter w = LatentSetWriter.create(root, vecsetHeader());
        assertThatThrownBy(() -> w.write("../evil", values(0, 12), null, null)).hasMessageContaining("bad latent id");
        assertThatThrownBy(() -> w.write("a b", values(0, 12), null, null)).hasMessageContaining("bad latent id");
        assertThatThrownBy(() -> w.write("s0", values(0, 10), null, null)).hasMessageContaining("needs 12");
        try (StepScope s = new StepScope()) {
            assertThatThrownBy(() -> w.write("s0", Rng.randn(Rng.cpu(0), 3, 4), null, null))
                    .hasMessageContaining("[3, 4]");
        }
        w.write("s0", values(0, 12), null, null);
        w.write("s1", values(1, 12), null, null);
        LatentSet set = w.finish();

        // a file replaced by one of another shape
        new SafetensorsWriter().addFloats("latent", new float[6], 2, 3).write(set.file("s0"));
        assertThatThrownBy(() -> set.read("s0"))
                .isInstanceOf(LatentSetException.class)
                .hasMessageContaining("s0.safetensors")
                .hasMessageContaining("[4, 3]");
        // a listed file deleted
        Files.delete(set.file("s1"));
        assertThatThrownBy(() -> LatentSet.open(root))
                .isInstanceOf(LatentSetException.class)
                .hasMessageContaining("s1.safetensors")
                .hasMessageContaining("missing");
        assertThatThrownBy(() -> LatentSet.open(dir.resolve("nothing"))).hasMessageContaining("tessera encode");
        assertThatThrownBy(
                        () -> LatentSetInfo.of(LatentKind.VECSET, new long[] {2, 2, 2, 2}, Posterior.MEAN, null, null))
                .hasMessageContaining("rank 2");
    }

    @Test
    void vaeReferenceNamesTheRunItsConfigAndWeights() throws Exception {
        Path vae = dir.resolve("vae");
        Mlp m = Mlp.timm(3, 4, 3, Activation.GELU, Rng.cpu(0));
        Checkpoint.save(vae, Map.of("width", 4, "latent_channels", 3), m);
        VaeReference ref = VaeReference.of(vae);
        assertThat(ref.run()).isEqualTo(vae.toAbsolutePath().toString());
        assertThat(ref.config().get("width").asInt()).isEqualTo(4);
        assertThat(ref.weightsSha256()).hasSize(64);
        assertThat(ref.sameVae(VaeReference.of(vae))).isTrue();
        Checkpoint.save(vae, Map.of("width", 4, "latent_channels", 3), Mlp.timm(3, 4, 3, Activation.GELU, Rng.cpu(1)));
        assertThat(ref.sameVae(VaeReference.of(vae))).isFalse(); // other weights

        LatentSetInfo h = LatentSetInfo.of(LatentKind.VECSET, new long[] {4, 3}, Posterior.MEAN, ref, null);
        LatentSetWriter w = LatentSetWriter.create(dir.resolve("lat"), h);
        w.write("s0", values(0, 12), null, null);
        LatentSet set = w.finish();
        assertThat(set.info().vae()).isEqualTo(ref);
        assertThatThrownBy(() -> VaeReference.of(dir.resolve("lat"))).hasMessageContaining("train-vae");
    }
}
