package dev.tessera.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.data.Progress;
import dev.tessera.data.prep.MeshSampleBuilder;
import dev.tessera.data.prep.PrepInputs;
import dev.tessera.data.prep.PrepJob;
import dev.tessera.data.prep.PrepOptions;
import dev.tessera.data.synth.ShapeClass;
import dev.tessera.data.synth.SyntheticShapes;
import dev.tessera.geometry.io.MeshIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tessera train-vae --model vecset}: a short run, its files, resume, and the usage errors. */
class TrainVaeCommandTest {
    @TempDir
    static Path dir;

    static Path dataset;

    @BeforeAll
    static void prepare() throws Exception {
        dataset = datasetWithoutSparse(dir);
    }

    /** Two synthetic shapes prepared small, without sparse SDF voxels, into {@code root/ds}. */
    static Path datasetWithoutSparse(Path root) throws Exception {
        return datasetWithoutSparse(root, 2, 5);
    }

    /** {@code count} synthetic spheres and boxes (seed {@code seed}) prepared small, without sparse voxels. */
    static Path datasetWithoutSparse(Path root, int count, long seed) throws Exception {
        Path synth = root.resolve("synth");
        SyntheticShapes.generate(
                synth, count, seed, List.of(ShapeClass.SPHERE, ShapeClass.BOX), 32, MeshIO.Format.PLY, Progress.NONE);
        PrepOptions small = new PrepOptions.Builder()
                .watertightResolution(32)
                .surfacePoints(1200)
                .sharpPoints(300)
                .nearSigmas(List.of(0.01))
                .nearPointsPerSigma(600)
                .nearSharpPoints(300)
                .volumePoints(600)
                .sparseResolution(0)
                .build();
        Path ds = root.resolve("ds");
        new PrepJob(ds, small, new MeshSampleBuilder(), 2, false, "test")
                .run(PrepInputs.find(List.of(synth.toString()), null), Progress.NONE);
        return ds;
    }

    static String[] train(Path run, String... extra) {
        List<String> args = new java.util.ArrayList<>(
                List.of("train-vae", "--model", "vecset", "--data", dataset.toString(), "--out", run.toString()));
        args.addAll(List.of(extra));
        return args.toArray(new String[0]);
    }

    @Test
    void trainsResumesAndRefusesToOverwrite() throws Exception {
        Path run = dir.resolve("run");
        CliTest.Run r = CliTest.run(train(
                run,
                "--steps",
                "4",
                "--batch-size",
                "1",
                "--queries",
                "64,32,64",
                "--checkpoint-every",
                "2",
                "--validate-every",
                "0",
                "--validation",
                "0,1,16"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("train-vae: vecset 64×8 latents").contains("val/points_volume_iou");
        for (String f :
                List.of("config.json", "model.safetensors", "vecset.json", "train.json", "metrics.jsonl", "loss.png")) {
            assertThat(Files.exists(run.resolve(f))).as(f).isTrue();
        }
        assertThat(Files.exists(run.resolve("checkpoints/step-0000003/optimizer.safetensors")))
                .isTrue();

        CliTest.Run again = CliTest.run(train(run, "--steps", "4"));
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("already holds checkpoints").contains("--resume");

        CliTest.Run changed = CliTest.run(train(run, "--resume", "--lr", "1e-2"));
        assertThat(changed.code()).isEqualTo(2);
        assertThat(changed.err()).contains("only --steps may change, not --lr");

        CliTest.Run resumed = CliTest.run(train(run, "--resume", "--steps", "6"));
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("6 steps");
        assertThat(Files.exists(run.resolve("checkpoints/step-0000005/trainer.json")))
                .isTrue();
    }

    /**
     * With no options a vecset run takes the recipe of the best documented run (docs/results.md, the fourth run): 32
     * shapes a step (split over the cores) with 256, 128 and 256 queries each, peak learning rate 1.5e-3 and the tiny
     * preset with 6 Fourier octaves.
     */
    @Test
    void aRunWithoutOptionsTakesTheBestDocumentedRecipe() throws Exception {
        Path run = dir.resolve("defaults");
        CliTest.Run r = CliTest.run(train(run, "--steps", "1", "--validation", "0,0,16"));
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode vecset = new ObjectMapper().readTree(run.resolve("vecset.json").toFile());
        JsonNode options = new ObjectMapper().readTree(run.resolve("train.json").toFile());
        JsonNode config = new ObjectMapper().readTree(run.resolve("config.json").toFile());
        assertThat(vecset.get("batch_size").asInt()
                        * options.get("accumulation").asInt())
                .isEqualTo(32);
        assertThat(List.of(
                        vecset.get("near_queries").asInt(),
                        vecset.get("near_sharp_queries").asInt(),
                        vecset.get("volume_queries").asInt()))
                .containsExactly(256, 128, 256);
        assertThat(options.get("lr").asDouble()).isEqualTo(1.5e-3);
        assertThat(config.get("num_freqs").asInt()).isEqualTo(6);
        assertThat(config.get("num_latents").asInt()).isEqualTo(64);
        assertThat(vecset.get("augment_spin").asBoolean()).isFalse();

        Path spun = dir.resolve("spun");
        CliTest.Run s = CliTest.run(train(spun, "--steps", "1", "--validation", "0,0,16", "--augment-spin"));
        assertThat(s.code()).as(s.err()).isZero();
        assertThat(s.out()).contains("shapes spun about y");
        assertThat(new ObjectMapper()
                        .readTree(spun.resolve("vecset.json").toFile())
                        .get("augment_spin")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void theModelSizeCanBeChosenAndAnImpossibleSizeIsRefused() throws Exception {
        Path run = dir.resolve("sized");
        CliTest.Run r = CliTest.run(train(
                run,
                "--num-latents",
                "32",
                "--embed-dim",
                "4",
                "--width",
                "64",
                "--steps",
                "2",
                "--batch-size",
                "1",
                "--queries",
                "64,32,64",
                "--validation",
                "0,0,16"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("train-vae: vecset 32×4 latents, width 64");
        String config = Files.readString(run.resolve("config.json"));
        assertThat(config)
                .containsPattern("\"num_latents\" : 32\\b")
                .containsPattern("\"embed_dim\" : 4\\b")
                .containsPattern("\"width\" : 64\\b");

        CliTest.Run odd = CliTest.run(train(dir.resolve("odd"), "--num-latents", "30"));
        assertThat(odd.code()).isEqualTo(2);
        assertThat(odd.err()).contains("must be a whole number").contains("num_latents");
        CliTest.Run heads = CliTest.run(train(dir.resolve("heads"), "--width", "90"));
        assertThat(heads.code()).isEqualTo(2);
        assertThat(heads.err()).contains("width 90 must be divisible by heads 4");
        CliTest.Run sparse = CliTest.run(
                "train-vae",
                "--model",
                "sparse-sdf",
                "--data",
                dataset.toString(),
                "--out",
                dir.resolve("sp").toString(),
                "--num-latents",
                "32");
        assertThat(sparse.code()).isEqualTo(2);
        assertThat(sparse.err()).contains("--num-latents apply to the vecset VAE");
    }

    @Test
    void badInputsAreRefusedWithTheReason() {
        CliTest.Run model = CliTest.run("train-vae", "--model", "octree", "--data", "x", "--out", "y");
        assertThat(model.code()).isEqualTo(2);
        assertThat(model.err()).contains("--model");
        CliTest.Run queries = CliTest.run(train(dir.resolve("q"), "--queries", "1,2"));
        assertThat(queries.code()).isEqualTo(2);
        assertThat(queries.err()).contains("--queries takes three counts");
        CliTest.Run noData = CliTest.run(
                "train-vae", "--model", "vecset", "--data", dir.resolve("none").toString(), "--out", "y");
        assertThat(noData.code()).isEqualTo(1);
        assertThat(noData.err()).contains("not a dataset directory");
    }
}
