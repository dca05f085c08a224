package dev.tessera.model.vecset;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.data.Progress;
import dev.tessera.data.dataset.Dataset;
import dev.tessera.geometry.io.AtomicFile;
import dev.tessera.model.Checkpoint;
import dev.tessera.model.Rng;
import dev.tessera.model.train.TrainOptions;
import dev.tessera.model.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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

    private static final ObjectMapper JSON = Checkpoint.JSON;

    private VecsetTraining() {}

    /** What to train: the model, the task's settings and the optimisation. */
    public record Plan(ShapeVaeConfig config, VecsetTrainSettings settings, TrainOptions options) {}

    /**
     * The plan saved in a run directory, for {@code --resume}: its {@code config.json}, {@code vecset.json} and
     * {@code train.json}.
     */
    public static Plan saved(Path run) throws IOException {
        for (String f : new String[] {Checkpoint.CONFIG, SETTINGS, "train.json"}) {
            if (!Files.exists(run.resolve(f))) {
                throw new NoSuchFileException(
                        run.resolve(f).toString(),
                        null,
                        "not a vecset training run (no " + f + "); start it without --resume");
            }
        }
        return new Plan(
                Checkpoint.config(run, ShapeVaeConfig.class),
                JSON.readValue(run.resolve(SETTINGS).toFile(), VecsetTrainSettings.class),
                JSON.readValue(run.resolve("train.json").toFile(), TrainOptions.class));
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
        if (!resume && Trainer.latestCheckpoint(run) != null) {
            throw new IllegalStateException(run + " already holds checkpoints (latest "
                    + Trainer.latestCheckpoint(run).getFileName() + "); continue it with --resume or choose another"
                    + " --out");
        }
        ShapeVae vae = new ShapeVae(plan.config(), Rng.cpu(plan.options().seed()));
        try (VecsetTrainTask task = new VecsetTrainTask(
                vae,
                dataset,
                plan.settings(),
                plan.options().accumulation(),
                plan.options().seed())) {
            Files.createDirectories(run);
            AtomicFile.write(run.resolve(SETTINGS), JSON.writeValueAsBytes(plan.settings()));
            return new Trainer(task, plan.options(), run, progress).run(resume);
        }
    }
}
