package dev.tessera.model.vecset;

import dev.tessera.data.Progress;
import dev.tessera.data.dataset.Dataset;
import dev.tessera.model.Rng;
import dev.tessera.model.train.TrainOptions;
import dev.tessera.model.train.Trainer;
import dev.tessera.model.train.TrainingRun;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Trains a vecset VAE on a prepared dataset into a run directory ({@code tessera train-vae --model vecset}): the shared
 * {@link Trainer} with a {@link VecsetTrainTask}. A run holds, besides what the trainer writes ({@code config.json},
 * {@code model.safetensors}, {@code train.json}, {@code metrics.jsonl}, {@code loss.png}, {@code checkpoints/}), the
 * task's settings in {@code vecset.json}.
 */
public final class VecsetTraining {
    /** The task's settings file in a run directory. */
    public static final String SETTINGS = "vecset.json";

    private VecsetTraining() {}

    /** What to train: the model, the task's settings and the optimisation. */
    public record Plan(ShapeVaeConfig config, VecsetTrainSettings settings, TrainOptions options) {}

    /**
     * The plan saved in a run directory, for {@code --resume}: its {@code config.json}, {@code vecset.json} and
     * {@code train.json}.
     */
    public static Plan saved(Path run) throws IOException {
        TrainingRun.Saved<ShapeVaeConfig, VecsetTrainSettings> s =
                TrainingRun.saved(run, ShapeVaeConfig.class, SETTINGS, VecsetTrainSettings.class, "vecset");
        return new Plan(s.config(), s.settings(), s.options());
    }

    /**
     * With one micro-batch per step (accumulation 1), the plan that runs the step's {@code batch_size} shapes as one
     * micro-batch per core, side by side ({@link dev.tessera.model.train.ParallelBackward}): the same gradient (the
     * mean over the batch), with both cores busy and no per-op synchronisation. Only the random draws of each
     * micro-batch differ, as they are seeded per micro-batch. A plan with its own accumulation is returned as it is;
     * so is a batch that does not split (a prime size larger than the cores splits into fewer, even pieces).
     */
    public static Plan onCores(Plan plan) {
        if (plan.options().accumulation() != 1) {
            return plan;
        }
        int batch = plan.settings().batchSize();
        int pieces = dev.tessera.model.CoreParallel.shared().piecesFor(batch);
        if (pieces == 1) {
            return plan;
        }
        return new Plan(
                plan.config(),
                plan.settings().withBatchSize(batch / pieces),
                plan.options().withAccumulation(pieces));
    }

    /**
     * Trains (or, with {@code resume}, continues the latest checkpoint of) {@code run}.
     *
     * @throws IllegalStateException when {@code run} already holds checkpoints and {@code resume} is off
     * @throws dev.tessera.model.train.TrainingDivergedException when the loss stops being finite (it names the step
     *     and the last good checkpoint) and {@code skip_non_finite} is off
     */
    public static Trainer.Result train(Dataset dataset, Path run, Plan plan, boolean resume, Progress progress)
            throws Exception {
        TrainingRun.checkStart(run, resume);
        plan = onCores(plan);
        ShapeVae vae = new ShapeVae(plan.config(), Rng.cpu(plan.options().seed()));
        try (VecsetTrainTask task = new VecsetTrainTask(
                vae,
                dataset,
                plan.settings(),
                plan.options().accumulation(),
                plan.options().seed())) {
            return TrainingRun.train(task, run, SETTINGS, plan.settings(), plan.options(), resume, progress);
        }
    }
}
