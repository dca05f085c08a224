package dev.tessera.model.vecset;

import dev.tessera.data.Progress;
import dev.tessera.data.dataset.Dataset;
import dev.tessera.data.prep.MeshSampleBuilder;
import dev.tessera.data.prep.PrepInputs;
import dev.tessera.data.prep.PrepJob;
import dev.tessera.data.prep.PrepOptions;
import dev.tessera.data.synth.ShapeClass;
import dev.tessera.data.synth.SyntheticShapes;
import dev.tessera.geometry.io.MeshIO;
import dev.tessera.model.Rng;
import dev.tessera.model.train.TrainOptions;
import dev.tessera.model.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A few small synthetic shapes, prepared once per test JVM into a temporary dataset. */
final class VecsetFixtures {
    private static Path dataset;
    private static Trained trained;

    /**
     * The tiny VAE trained on {@link #shapes()} (150 steps, batches of 2 with 384 queries each), once per test JVM.
     *
     * @param run its run directory
     * @param before validation metrics of the untrained model (on the four training shapes)
     * @param after validation metrics at the end
     * @param losses the logged loss of every step
     * @param seconds training time
     */
    record Trained(
            Path run, Map<String, Double> before, Map<String, Double> after, List<Double> losses, double seconds) {}

    private VecsetFixtures() {}

    /** Small, fast prep settings: R 48 watertight, 2000 surface and 500 sharp points, ~5000 queries, no voxels. */
    static PrepOptions smallPrep() {
        return new PrepOptions.Builder()
                .watertightResolution(48)
                .surfacePoints(2000)
                .sharpPoints(500)
                .nearSigmas(List.of(0.005, 0.02))
                .nearPointsPerSigma(1000)
                .nearSharpPoints(500)
                .volumePoints(2000)
                .sparseResolution(0)
                .views(0, 48, false)
                .build();
    }

    /** Validation on the four training shapes at resolution 32 with 3000 metric points. */
    static VecsetTrainSettings trainSettings() {
        return VecsetTrainSettings.defaults()
                .withBatchSize(2)
                .withQueries(192, 64, 128)
                .withValidation(0, 4, 32, 3000);
    }

    static synchronized Trained trained() throws Exception {
        if (trained == null) {
            Dataset ds = shapes();
            Path run = Files.createTempDirectory("tessera-vecset-run-");
            run.toFile().deleteOnExit();
            TrainOptions o = TrainOptions.defaults(150, 3e-3)
                    .withWarmup(10)
                    .withLogEvery(1)
                    .withValidateEvery(0);
            ShapeVae vae = new ShapeVae(ShapeVaeConfig.tiny(), Rng.cpu(0));
            try (VecsetTrainTask task = new VecsetTrainTask(vae, ds, trainSettings(), o.accumulation(), o.seed())) {
                vae.eval();
                Map<String, Double> before = task.validator().validate(vae);
                vae.train(true);
                long t0 = System.nanoTime();
                Trainer.Result r = new Trainer(task, o, run, Progress.NONE).run(false);
                double seconds = (System.nanoTime() - t0) / 1e9;
                trained = new Trained(run, before, r.lastValidation(), losses(run.resolve("metrics.jsonl")), seconds);
            }
        }
        return trained;
    }

    private static Path wellTrained;

    /**
     * The tiny VAE trained longer on {@link #shapes()} with more volume queries, so its field is clean away from the
     * surface (400 steps, batches of 2 with 256 near, 64 near-sharp and 768 volume queries, lr 3e-3): the run
     * directory, once per test JVM. For the decoding tests, which need a field whose zero set is the shape's surface
     * only.
     */
    static synchronized Path wellTrained() throws Exception {
        if (wellTrained == null) {
            Dataset ds = shapes();
            Path run = Files.createTempDirectory("tessera-vecset-well-");
            run.toFile().deleteOnExit();
            TrainOptions o = TrainOptions.defaults(400, 3e-3).withWarmup(20).withValidateEvery(0);
            VecsetTrainSettings s = trainSettings().withQueries(256, 64, 768).withValidation(0, 0, 32, 1000);
            ShapeVae vae = new ShapeVae(ShapeVaeConfig.tiny(), Rng.cpu(0));
            try (VecsetTrainTask task = new VecsetTrainTask(vae, ds, s, o.accumulation(), o.seed())) {
                new Trainer(task, o, run, Progress.NONE).run(false);
            }
            wellTrained = run;
        }
        return wellTrained;
    }

    static List<Double> losses(Path metrics) throws IOException {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<Double> out = new java.util.ArrayList<>();
        for (String l : Files.readAllLines(metrics)) {
            var n = json.readTree(l);
            if (n.has("loss")) {
                out.add(n.get("loss").asDouble());
            }
        }
        return out;
    }

    /** Four shapes (a sphere, a box, a cylinder, a torus), prepared with {@link #smallPrep()}. */
    static synchronized Dataset shapes() {
        try {
            if (dataset == null) {
                Path root = Files.createTempDirectory("tessera-vecset-");
                root.toFile().deleteOnExit();
                Path synth = root.resolve("synth");
                SyntheticShapes.generate(
                        synth,
                        4,
                        3,
                        List.of(ShapeClass.SPHERE, ShapeClass.BOX, ShapeClass.CYLINDER, ShapeClass.TORUS),
                        40,
                        MeshIO.Format.PLY,
                        Progress.NONE);
                Path ds = root.resolve("ds");
                new PrepJob(ds, smallPrep(), new MeshSampleBuilder(), 2, false, "test")
                        .run(PrepInputs.find(List.of(synth.toString()), null), Progress.NONE);
                dataset = ds;
            }
            return Dataset.open(dataset);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
