package dev.tessera.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.model.Checkpoint;
import dev.tessera.model.Rng;
import dev.tessera.model.StateDict;
import dev.tessera.model.StepTimer;
import dev.tessera.model.latent.LatentKind;
import dev.tessera.model.latent.LatentSetInfo;
import dev.tessera.model.latent.LatentSetWriter;
import dev.tessera.model.latent.Posterior;
import dev.tessera.model.latent.VaeReference;
import dev.tessera.model.nn.Init;
import dev.tessera.model.sparse.SparseStructureVae;
import dev.tessera.model.sparse.SparseStructureVaeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train-dit and generate through the command line, on the sparse-structure (grid) path. */
class FlowCommandsTest {
    @TempDir
    Path dir;

    /** A tiny sparse-structure VAE whose decoder fills its grid, and 4 random latents of it (class a or b). */
    Path latents(Path vae) throws Exception {
        SparseStructureVaeConfig vc = SparseStructureVaeConfig.tiny();
        SparseStructureVae ss = new SparseStructureVae(vc, Rng.cpu(0));
        for (var e : StateDict.of(ss).entrySet()) {
            if (e.getKey().startsWith("decoder.out_layer.2.")) {
                Init.constant(e.getValue(), e.getKey().endsWith("bias") ? 1 : 0);
            }
        }
        Checkpoint.save(vae, vc, ss);
        long r = vc.latentResolution();
        Path out = dir.resolve("latents");
        LatentSetWriter w = LatentSetWriter.create(
                out,
                LatentSetInfo.of(
                        LatentKind.SPARSE_STRUCTURE,
                        new long[] {vc.latentChannels(), r, r, r},
                        Posterior.MEAN,
                        VaeReference.of(vae),
                        null));
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < 4; i++) {
            float[] z = new float[(int) (vc.latentChannels() * r * r * r)];
            for (int k = 0; k < z.length; k++) {
                z[k] = (float) rnd.nextGaussian();
            }
            w.write("g" + i, z, i % 2 == 0 ? "a" : "b", null);
        }
        w.finish();
        return out;
    }

    /** {@code train-dit} of a class-conditioned grid DiT for 3 steps, with {@code extra} options. */
    private static CliTest.Run trainGridDit(Path latents, Path vae, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "train-dit",
                "--latents",
                latents.toString(),
                "--vae",
                vae.toString(),
                "--model",
                "grid",
                "--cond",
                "class",
                "--steps",
                "3",
                "--out",
                out.toString()));
        args.addAll(List.of(extra));
        return CliTest.run(args.toArray(String[]::new));
    }

    @Test
    void trainThenGenerateWritesMeshesAndPreviews() throws Exception {
        Path vae = dir.resolve("vae");
        Path lat = latents(vae);
        Path run = dir.resolve("dit");
        CliTest.Run t = trainGridDit(lat, vae, run, "--batch", "2");
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out()).contains("trained 3 steps");
        assertThat(run.resolve("model.safetensors")).exists();
        assertThat(run.resolve("metrics.jsonl")).exists();

        Path out = dir.resolve("shapes");
        CliTest.Run g = CliTest.run(
                "generate",
                "--ckpt",
                run.toString(),
                "--class",
                "b",
                "--count",
                "2",
                "--steps",
                "2",
                "--out",
                out.toString());
        assertThat(g.code()).as(g.err()).isZero();
        assertThat(g.out()).contains("wrote 2 shapes (2 closed)");
        assertThat(out.resolve("sample-001.glb")).exists();
        assertThat(out.resolve("sheet.png")).exists();

        CliTest.Run unknown = CliTest.run(
                "generate",
                "--ckpt",
                run.toString(),
                "--class",
                "c",
                "--out",
                dir.resolve("x").toString());
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("class \"c\" is not in the model; its classes are [a, b]");
        assertThat(dir.resolve("x")).doesNotExist();
        CliTest.Run again = CliTest.run("generate", "--ckpt", run.toString(), "--class", "a", "--out", out.toString());
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("not empty");
        CliTest.Run twice = trainGridDit(lat, vae, run);
        assertThat(twice.code()).isEqualTo(1);
        assertThat(twice.err()).contains("--resume");
    }

    @Test
    void badOptionsAreUsageErrors() throws Exception {
        CliTest.Run r = CliTest.run("train-dit", "--latents", "l", "--vae", "v", "--out", "o", "--model", "unet");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--model must be vecset or grid");
        CliTest.Run g = CliTest.run("generate", "--ckpt", "c", "--out", "o", "--count", "0");
        assertThat(g.code()).isEqualTo(2);
        CliTest.Run missing = CliTest.run(
                "generate",
                "--ckpt",
                dir.resolve("none").toString(),
                "--out",
                dir.resolve("o").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("config.json");
        assertThat(Files.exists(dir.resolve("o"))).isFalse();
        CliTest.Run bench = CliTest.run("bench", "model", "--help");
        assertThat(bench.out())
                .contains("vecset_dit_train_step", "vecset_dit_sample_10_steps_cfg", "grid_dit_train_step");
    }

    @Test
    void benchRoundsPairTheRatiosWithinARound() {
        // round 1: 100 against 200 (0.50), round 2: 300 against 200 (1.50), round 3: 120 against 150 (0.80)
        List<Map<String, StepTimer.Timing>> ours = List.of(
                Map.of("line", new StepTimer.Timing(100, 190)),
                Map.of("line", new StepTimer.Timing(300, 590)),
                Map.of("line", new StepTimer.Timing(120, 230)));
        List<Map<String, Double>> peer = List.of(Map.of("line", 200.0), Map.of("line", 200.0), Map.of("line", 150.0));
        java.io.StringWriter text = new java.io.StringWriter();
        ModelBench.summary(new java.io.PrintWriter(text), ours, peer);
        // medians: Tessera 120, peer 200; the paired ratios' median is 0.80, not 120 / 200 = 0.60
        assertThat(text.toString())
                .contains("# 3 rounds")
                .containsPattern("line +120\\.0 +200\\.0 +0\\.80  - +0\\.50, 1\\.50, 0\\.80");
        // a line with a goal says whether its median ratio meets it
        java.io.StringWriter dit = new java.io.StringWriter();
        ModelBench.summary(
                new java.io.PrintWriter(dit),
                List.of(
                        Map.of("grid_dit_train_step", new StepTimer.Timing(90, 170)),
                        Map.of("grid_dit_train_step", new StepTimer.Timing(70, 130))),
                List.of(Map.of("grid_dit_train_step", 100.0), Map.of("grid_dit_train_step", 100.0)));
        assertThat(dit.toString())
                .containsPattern("grid_dit_train_step +90\\.0 +100\\.0 +0\\.90  ≤0\\.80 NO +0\\.90, 0\\.70");
        assertThat(ModelBench.goal("grid_dit_train_step", 0.78)).isEqualTo("≤0.80 yes");
        assertThat(ModelBench.goal("sparse_sdf_vae_256_decode", 0.5)).isEqualTo("-");
        CliTest.Run unpaired = CliTest.run("bench", "model", "vecset_decode_256_dense", "--paired");
        assertThat(unpaired.code()).isEqualTo(2);
        assertThat(unpaired.err())
                .contains("--paired steps only [vecset_vae_train_step,", "not [vecset_decode_256_dense]");
        CliTest.Run alone = CliTest.run("bench", "model", "grid_dit_train_step", "--paired", "--no-peers");
        assertThat(alone.code()).isEqualTo(2);
        assertThat(alone.err()).contains("takes neither --rounds nor --no-peers");
        CliTest.Run zero = CliTest.run("bench", "model", "--rounds", "0", "--no-peers");
        assertThat(zero.code()).isEqualTo(2);
        assertThat(zero.err()).contains("--rounds must be at least 1");
    }

    @Test
    void pairedBlocksAlternateWhoGoesFirstAndDropEachBlocksFirstStep() throws java.io.IOException {
        // each side's first step of a block is slow (a switch), the rest steady: Tessera 100 ms, the peer 125 ms
        List<String> calls = new java.util.ArrayList<>();
        int[] ourCount = {0}, peerCount = {0};
        ModelBench.Paired p = ModelBench.paired(
                1,
                4,
                () -> {
                    calls.add("T");
                    return new StepTimer.Timing(ourCount[0]++ % ModelBench.BLOCK == 1 ? 900 : 100, 190);
                },
                () -> {
                    calls.add("P");
                    return new StepTimer.Timing(peerCount[0]++ % ModelBench.BLOCK == 1 ? 900 : 125, Double.NaN);
                });
        String order = String.join("", calls);
        String t = "T".repeat(ModelBench.BLOCK), q = "P".repeat(ModelBench.BLOCK);
        assertThat(order).isEqualTo("TP" + t + q + q + t + t + q + q + t); // warm-up, then T first, P first, ...
        assertThat(p.ratios()).containsOnly(0.8); // the slow first steps never count
        assertThat(p.ratio()).isEqualTo(0.8);
        assertThat(p.ours()).hasSize(4 * (ModelBench.BLOCK - 1)).containsOnly(100.0);
        assertThat(p.peer()).hasSize(4 * (ModelBench.BLOCK - 1)).containsOnly(125.0);
        assertThat(p.cpu()).containsOnly(190.0);
    }
}
