package dev.tessera.model.vecset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.data.Progress;
import dev.tessera.data.dataset.Dataset;
import dev.tessera.model.Rng;
import dev.tessera.model.StateDict;
import dev.tessera.model.Tensors;
import dev.tessera.model.train.TrainOptions;
import dev.tessera.model.train.TrainTask;
import dev.tessera.model.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny vecset VAE learns four synthetic shapes: its loss falls and its volume IoU on them rises; a run interrupted
 * and resumed from its checkpoint ends with the same weights as an uninterrupted one.
 */
class VecsetTrainingTest {
    @TempDir
    Path dir;

    static VecsetTrainSettings settings() {
        return VecsetFixtures.trainSettings();
    }

    @Test
    void trainingLowersTheLossAndRaisesVolumeIou() throws Exception {
        VecsetFixtures.Trained t = VecsetFixtures.trained();
        List<Double> losses = t.losses();
        assertThat(losses).hasSize(150);
        double first = losses.subList(0, 20).stream()
                .mapToDouble(Double::doubleValue)
                .average()
                .orElseThrow();
        double last = losses.subList(losses.size() - 20, losses.size()).stream()
                .mapToDouble(Double::doubleValue)
                .average()
                .orElseThrow();
        Map<String, Double> before = t.before(), after = t.after();
        System.out.printf(
                "tiny vecset VAE, 150 steps in %.1f s: loss %.4f → %.4f; volume IoU (points) %.3f → %.3f, (mesh) %.3f → %.3f%n",
                t.seconds(),
                first,
                last,
                before.get("points_volume_iou"),
                after.get("points_volume_iou"),
                before.get("volume_iou"),
                after.get("volume_iou"));
        assertThat(last).isLessThan(0.5 * first);
        assertThat(after.get("points_volume_iou")).isGreaterThan(before.get("points_volume_iou") + 0.25);
        assertThat(after.get("volume_iou")).isGreaterThan(before.get("volume_iou") + 0.25);
        assertThat(Files.exists(t.run().resolve("loss.png"))).isTrue();
    }

    /** Delegates to the vecset task, and dies (like a killed process) at one step. */
    static final class Interrupted implements TrainTask {
        final VecsetTrainTask task;
        final long dieAt;

        Interrupted(VecsetTrainTask task, long dieAt) {
            this.task = task;
            this.dieAt = dieAt;
        }

        @Override
        public Module model() {
            return task.model();
        }

        @Override
        public Object config() {
            return task.config();
        }

        @Override
        public Map<String, Tensor> loss(long step, int micro, SplittableRandom random, Generator generator)
                throws Exception {
            if (step == dieAt) {
                throw new IllegalStateException("killed at step " + step);
            }
            return task.loss(step, micro, random, generator);
        }
    }

    @Test
    void aStepsBatchRunsAsOneMicroBatchPerCoreUnlessTheAccumulationIsChosen() {
        var settings = VecsetTrainSettings.defaults().withBatchSize(4);
        var plain = new VecsetTraining.Plan(ShapeVaeConfig.tiny(), settings, TrainOptions.defaults(10, 1e-3));
        var split = VecsetTraining.onCores(plain);
        int pieces = dev.tessera.model.CoreParallel.shared().piecesFor(4);
        assertThat(split.options().accumulation()).isEqualTo(pieces);
        assertThat(split.settings().batchSize() * split.options().accumulation())
                .isEqualTo(4); // same shapes a step
        assertThat(VecsetTraining.onCores(split)).isEqualTo(split); // a saved split plan resumes as it is
        var chosen = new VecsetTraining.Plan(
                ShapeVaeConfig.tiny(), settings, TrainOptions.defaults(10, 1e-3).withAccumulation(3));
        assertThat(VecsetTraining.onCores(chosen)).isSameAs(chosen);
    }

    @Test
    void resumingFromACheckpointGivesTheUninterruptedWeights() throws Exception {
        Dataset ds = VecsetFixtures.shapes();
        VecsetTrainSettings s = settings().withQueries(64, 32, 64);
        TrainOptions o = TrainOptions.defaults(16, 1e-3)
                .withWarmup(2)
                .withEma(0.9)
                .withCheckpointEvery(5)
                .withValidateEvery(0);
        ShapeVae straight = new ShapeVae(ShapeVaeConfig.tiny(), Rng.cpu(0));
        try (VecsetTrainTask t = new VecsetTrainTask(straight, ds, s.withValidation(0, 0, 16, 100), 1, o.seed())) {
            new Trainer(t, o, dir.resolve("a"), Progress.NONE).run(false);
        }
        ShapeVae first = new ShapeVae(ShapeVaeConfig.tiny(), Rng.cpu(0));
        try (VecsetTrainTask t = new VecsetTrainTask(first, ds, s.withValidation(0, 0, 16, 100), 1, o.seed())) {
            assertThatThrownBy(() -> new Trainer(new Interrupted(t, 12), o, dir.resolve("b"), Progress.NONE).run(false))
                    .hasMessageContaining("killed at step 12");
        }
        ShapeVae resumed = new ShapeVae(ShapeVaeConfig.tiny(), Rng.cpu(99)); // other weights: all must come from disk
        try (VecsetTrainTask t = new VecsetTrainTask(resumed, ds, s.withValidation(0, 0, 16, 100), 1, o.seed())) {
            new Trainer(t, o, dir.resolve("b"), Progress.NONE).run(true);
        }
        var a = StateDict.of(straight);
        var b = StateDict.of(resumed);
        for (String k : a.keySet()) {
            assertThat(Tensors.toFloats(b.get(k))).as(k).containsExactly(Tensors.toFloats(a.get(k)));
        }
        assertThat(Files.readAllBytes(dir.resolve("b/model.safetensors")))
                .isEqualTo(Files.readAllBytes(dir.resolve("a/model.safetensors")));
    }
}
