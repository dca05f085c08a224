package dev.tessera.model.sparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both sparse VAEs train through the shared {@link Trainer} on samples that {@code tessera prep} wrote from
 * procedural meshes: the loss falls, validation (here on two of the training samples: four shapes teach nothing
 * about unseen ones) reports a rising IoU, checkpoints are written. The sparse-structure VAE reads the samples' 64³
 * surface voxels (max-pooled to its 16³), the sparse SDF VAE their 32³ SDF bands.
 */
class SparseVaeTaskTest {
    @TempDir
    static Path dir;

    static Dataset dataset;

    @BeforeAll
    static void prepare() throws IOException {
        Path meshes = dir.resolve("meshes");
        SyntheticShapes.generate(
                meshes,
                5,
                3,
                List.of(ShapeClass.SPHERE, ShapeClass.BOX, ShapeClass.TORUS, ShapeClass.CAPSULE, ShapeClass.CYLINDER),
                40,
                MeshIO.Format.PLY,
                Progress.NONE);
        PrepOptions o = new PrepOptions.Builder()
                .watertightResolution(48)
                .surfacePoints(1000)
                .sharpPoints(200)
                .nearSigmas(List.of(0.01))
                .nearPointsPerSigma(200)
                .nearSharpPoints(100)
                .volumePoints(200)
                .sparseResolution(32)
                .views(0, 48, false)
                .build();
        new PrepJob(dir.resolve("ds"), o, new MeshSampleBuilder(), 2, false, "test")
                .run(PrepInputs.find(List.of(meshes.toString()), null), Progress.NONE);
        dataset = Dataset.open(dir.resolve("ds"));
        assertThat(dataset.size()).isEqualTo(5);
    }

    /** Four samples to train on, two of them to validate on. */
    private static Dataset.Split split() {
        List<String> ids = dataset.ids().stream().sorted().toList(); // not the manifest's (prep workers') order
        Dataset train = dataset.filter(r -> !r.id().equals(ids.get(4)));
        Dataset val = dataset.filter(r -> r.id().equals(ids.get(0)) || r.id().equals(ids.get(2)));
        return new Dataset.Split(train, val);
    }

    private static List<Double> losses(Path run) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Double> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            JsonNode n = json.readTree(line);
            if (n.has("loss")) {
                out.add(n.get("loss").asDouble());
            }
        }
        return out;
    }

    @Test
    void sparseSdfVaeTrainsOnPreparedSamples() throws Exception {
        Dataset.Split s = split();
        SparseSdfVae vae = new SparseSdfVae(SparseSdfVaeConfig.tiny(), Rng.cpu(1));
        SparseSdfVaeTask task = new SparseSdfVaeTask(vae, s.train(), s.validation(), 1, 2);
        TrainOptions o =
                TrainOptions.defaults(40, 3e-3).withWarmup(2).withLogEvery(1).withValidateEvery(0);
        Path run = dir.resolve("sdf-run");
        Trainer.Result r = new Trainer(task, o, run, Progress.NONE).run(false);
        List<Double> l = losses(run);
        // batches of one shape: single-step losses swing with the shape drawn, so compare means over several steps
        double first = l.subList(0, 5).stream()
                .mapToDouble(Double::doubleValue)
                .average()
                .orElseThrow();
        double last = l.subList(30, 40).stream()
                .mapToDouble(Double::doubleValue)
                .average()
                .orElseThrow();
        System.out.printf(
                "sparse SDF VAE on prepared samples: loss %.4f → %.4f (%s), validation %s (%.1f s)%n",
                first, last, l, r.lastValidation(), r.seconds());
        assertThat(last).isLessThan(0.85 * first);
        assertThat(r.lastValidation()).containsKeys("iou", "voxels_ratio", "sdf", "prune_acc");
        assertThat(r.lastValidation().get("prune_acc")).isGreaterThan(0.7);
        assertThat(r.lastValidation().get("iou")).isGreaterThan(0.3);
        assertThat(Files.exists(run.resolve("model.safetensors"))).isTrue();
        assertThat(Trainer.latestCheckpoint(run)).isNotNull();
    }

    @Test
    void sparseStructureVaeTrainsOnPreparedSamples() throws Exception {
        Dataset.Split s = split();
        SparseStructureVae vae = new SparseStructureVae(SparseStructureVaeConfig.tiny(), Rng.cpu(2));
        SparseStructureVaeTask task = new SparseStructureVaeTask(vae, s.train(), s.validation(), 4, 2);
        double iouBefore;
        try (var scope = new dev.tessera.model.StepScope();
                var ng = new org.bytedeco.pytorch.NoGradGuard()) {
            vae.eval();
            iouBefore = task.validate(0).get("iou");
            vae.train(true);
        }
        TrainOptions o = TrainOptions.defaults(80, 3e-3)
                .withWarmup(2)
                .withLogEvery(1)
                .withValidateEvery(0)
                .withCheckpointEvery(80);
        Path run = dir.resolve("ss-run");
        Trainer.Result r = new Trainer(task, o, run, Progress.NONE).run(false);
        List<Double> l = losses(run);
        double first = (l.get(0) + l.get(1) + l.get(2)) / 3, last = (l.get(77) + l.get(78) + l.get(79)) / 3;
        System.out.printf(
                "sparse-structure VAE on prepared samples: loss %.4f → %.4f, IoU %.3f → %.3f (%.1f s)%n",
                first, last, iouBefore, r.lastValidation().get("iou"), r.seconds());
        assertThat(last).isLessThan(0.5 * first);
        assertThat(r.lastValidation().get("iou")).isGreaterThan(iouBefore + 0.3);
    }

    @Test
    void aNewDecoderStartsAtTheTrainingVoxelsOccupancy() throws Exception {
        Dataset.Split s = split();
        SparseStructureVae vae = new SparseStructureVae(SparseStructureVaeConfig.tiny(), Rng.cpu(3));
        SparseStructureVaeTask task = new SparseStructureVaeTask(vae, s.train(), s.validation(), 4, 2);
        List<String> ids = s.train().ids().stream().sorted().toList();
        double truth;
        try (var scope = new dev.tessera.model.StepScope()) {
            truth = task.batch(s.train(), ids).mean().item_double(); // the surface voxels' share of the 16³ grids
        }
        double p = task.occupancyPrior(16);
        assertThat(p)
                .isCloseTo(truth, org.assertj.core.data.Offset.offset(1e-6))
                .isBetween(0.01, 0.5);

        try (var scope = new dev.tessera.model.StepScope();
                var ng = new org.bytedeco.pytorch.NoGradGuard()) {
            vae.eval();
            int r = vae.config().latentResolution();
            org.bytedeco.pytorch.Tensor z =
                    Rng.randn(Rng.cpu(4), 2, vae.config().latentChannels(), r, r, r); // [2, 8, r, r, r]
            double before = vae.decoder().forward(z).sigmoid().mean().item_double();
            vae.decoder().initOutputPrior(p);
            double after = vae.decoder().forward(z).sigmoid().mean().item_double();
            System.out.printf(
                    "untrained decoder's mean occupancy: %.3f, with the prior %.3f: %.3f%n", before, p, after);
            assertThat(before).isBetween(0.3, 0.7);
            assertThat(after).isBetween(0.5 * p, 2 * p);
        }
        assertThatThrownBy(() -> vae.decoder().initOutputPrior(1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(0, 1)");
    }

    @Test
    void batchesAndValidationShapesDoNotDependOnTheManifestOrder() throws IOException {
        // prep's workers append to the manifest as they finish, so its order varies between runs and machines (a CI
        // run trained on other shapes than a local run of the same commit); the same seed must draw the same shapes
        Path reversed = dir.resolve("ds-reversed");
        Files.createDirectories(reversed);
        List<String> lines = new ArrayList<>(Files.readAllLines(dataset.root().resolve("manifest.jsonl")));
        java.util.Collections.reverse(lines);
        Files.write(reversed.resolve("manifest.jsonl"), lines);
        assertThat(lines).isNotEqualTo(Files.readAllLines(dataset.root().resolve("manifest.jsonl")));
        Dataset other = Dataset.open(reversed);
        assertThat(other.ids()).isEqualTo(dataset.ids()); // Dataset.open reads the records sorted by id
        SparseSdfVae vae = new SparseSdfVae(SparseSdfVaeConfig.tiny(), Rng.cpu(1));
        SparseSdfVaeTask a = new SparseSdfVaeTask(vae, dataset, dataset, 2, 3);
        SparseSdfVaeTask b = new SparseSdfVaeTask(vae, other, other, 2, 3);
        java.util.SplittableRandom ra = new java.util.SplittableRandom(5), rb = new java.util.SplittableRandom(5);
        for (int step = 0; step < 10; step++) {
            assertThat(b.drawBatch(rb)).isEqualTo(a.drawBatch(ra));
        }
        assertThat(b.validationIds()).isEqualTo(a.validationIds());
    }

    @Test
    void aValidationDecodeRefusedForMemoryCountsAsIouZeroAndTheValidationGoesOn() throws Exception {
        Dataset.Split s = split();
        SparseSdfVae vae = new SparseSdfVae(SparseSdfVaeConfig.tiny(), Rng.cpu(1));
        SparseSdfVaeTask task = new SparseSdfVaeTask(vae, s.train(), s.validation(), 1, 2);
        Map<String, Double> fits;
        Map<String, Double> refused;
        try (var ng = new org.bytedeco.pytorch.NoGradGuard()) {
            fits = task.validate(0);
            vae.withMaxDecodeBytes(1 << 16); // a new model keeps every child: far over 64 KiB
            refused = task.validate(0);
        }
        assertThat(fits).doesNotContainKey("refused");
        assertThat(fits.get("voxels_ratio")).isPositive(); // every child kept: the full subdivision
        assertThat(refused.get("refused")).isEqualTo(2.0);
        assertThat(refused.get("iou")).isZero();
        assertThat(refused).doesNotContainKey("voxels_ratio");
        // the teacher-forced terms do not depend on the free decode
        assertThat(refused.get("sdf")).isEqualTo(fits.get("sdf"));
        assertThat(refused.get("prune_acc")).isEqualTo(fits.get("prune_acc"));
    }

    @Test
    void aModelOfAnotherResolutionIsRefusedNamingTheSample() {
        SparseSdfVae vae = new SparseSdfVae(SparseSdfVaeConfig.tiny().withResolution(64), Rng.cpu(1));
        SparseSdfVaeTask task = new SparseSdfVaeTask(vae, dataset, null, 1, 0);
        assertThatThrownBy(() -> task.batch(dataset, List.of(dataset.ids().get(0))))
                .hasMessageContaining(".safetensors: sparse_resolution is 32 but the model takes 64")
                .hasMessageContaining("--sparse-resolution 64");
        SparseStructureVae ss = new SparseStructureVae(
                new SparseStructureVaeConfig(48, 1, 1, 8, List.of(8, 16), 1, 0, "layer", "bce", 0), Rng.cpu(1));
        assertThatThrownBy(() -> new SparseStructureVaeTask(ss, dataset, null, 1, 0)
                        .batch(dataset, List.of(dataset.ids().get(0))))
                .hasMessageContaining("must divide 64, got 48");
    }
}
