package dev.tessera.model.train;

import dev.tessera.data.Progress;
import dev.tessera.geometry.io.AtomicFile;
import dev.tessera.model.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The run-directory contract every VAE family of {@code tessera train-vae} shares, around the {@link Trainer}: a new
 * run refuses a directory that already holds checkpoints, the task's own settings are saved beside the trainer's files
 * ({@code config.json}, {@code model.safetensors}, {@code train.json}, {@code metrics.jsonl}, {@code loss.png}, {@code
 * checkpoints/}), and {@code --resume} reads all three back ({@link #saved}).
 */
public final class TrainingRun {
    private TrainingRun() {}

    /** What a run directory holds for {@code --resume}: the model config, the task's settings, the optimisation. */
    public record Saved<C, S>(C config, S settings, TrainOptions options) {}

    /**
     * The plan saved in {@code run}: {@code config.json} as {@code configType}, {@code settingsFile} as {@code
     * settingsType}, and {@code train.json}.
     *
     * @param what the run's kind for the error message, e.g. "vecset"
     * @throws NoSuchFileException naming the missing file when {@code run} is not a run of that kind
     */
    public static <C, S> Saved<C, S> saved(
            Path run, Class<C> configType, String settingsFile, Class<S> settingsType, String what) throws IOException {
        for (String f : new String[] {Checkpoint.CONFIG, settingsFile, "train.json"}) {
            if (!Files.exists(run.resolve(f))) {
                throw new NoSuchFileException(
                        run.resolve(f).toString(),
                        null,
                        "not a " + what + " training run (no " + f + "); start it without --resume");
            }
        }
        return new Saved<>(
                Checkpoint.config(run, configType),
                Checkpoint.JSON.readValue(run.resolve(settingsFile).toFile(), settingsType),
                Checkpoint.JSON.readValue(run.resolve("train.json").toFile(), TrainOptions.class));
    }

    /**
     * Refuses to start a new run where checkpoints already are.
     *
     * @throws IllegalStateException when {@code run} holds checkpoints and {@code resume} is off (the message names
     *     {@code --resume})
     */
    public static void checkStart(Path run, boolean resume) throws IOException {
        Path latest = Trainer.latestCheckpoint(run);
        if (!resume && latest != null) {
            throw new IllegalStateException(run + " already holds checkpoints (latest " + latest.getFileName()
                    + "); continue it with --resume or choose another --out");
        }
    }

    /**
     * Trains (or, with {@code resume}, continues) {@code task} into {@code run}, with the task's settings saved as
     * {@code settingsFile}.
     */
    public static Trainer.Result train(
            TrainTask task,
            Path run,
            String settingsFile,
            Object settings,
            TrainOptions options,
            boolean resume,
            Progress progress)
            throws Exception {
        checkStart(run, resume);
        Files.createDirectories(run);
        AtomicFile.write(run.resolve(settingsFile), Checkpoint.JSON.writeValueAsBytes(settings));
        return new Trainer(task, options, run, progress).run(resume);
    }
}
