package dev.tessera.model.sparse;

import dev.tessera.data.Progress;
import dev.tessera.data.dataset.Dataset;
import dev.tessera.geometry.MetricsOptions;
import dev.tessera.model.Checkpoint;
import dev.tessera.model.Rng;
import dev.tessera.model.train.TrainOptions;
import dev.tessera.model.train.Trainer;
import dev.tessera.model.train.TrainingRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Trains a sparse VAE on a prepared dataset into a run directory ({@code tessera train-vae --model
 * sparse-structure|sparse-sdf}): the shared {@link Trainer} with a {@link SparseStructureVaeTask} or {@link
 * SparseSdfVaeTask}, and the run-directory contract of {@link TrainingRun} (the task's settings in {@code
 * sparse.json}). Held-out shapes are chosen by content hash as for the vecset VAE.
 */
public final class SparseVaeTraining {
    /** The task's settings file in a run directory. */
    public static final String SETTINGS = "sparse.json";

    /** Training shapes whose mean occupancy sets a new sparse-structure decoder's output prior. */
    static final int PRIOR_SHAPES = 16;

    private SparseVaeTraining() {}

    /** The sparse VAE families, by their command-line names. */
    public enum Family {
        SPARSE_STRUCTURE("sparse-structure", SparseStructureVaeConfig.class),
        SPARSE_SDF("sparse-sdf", SparseSdfVaeConfig.class);

        private final String id;
        private final Class<?> configType;

        Family(String id, Class<?> configType) {
            this.id = id;
            this.configType = configType;
        }

        public String id() {
            return id;
        }

        public Class<?> configType() {
            return configType;
        }

        /** The family named {@code id}. */
        public static Family of(String id) {
            for (Family f : values()) {
                if (f.id.equals(id)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown sparse VAE \"" + id + "\": sparse-structure or sparse-sdf");
        }
    }

    /** What to train: the model's config (of the family's type), the task's settings and the optimisation. */
    public record Plan(Object config, SparseVaeTrainSettings settings, TrainOptions options) {
        public Plan {
            if (!settings.family().configType().isInstance(config)) {
                throw new IllegalArgumentException("a " + settings.model() + " run needs a "
                        + settings.family().configType().getSimpleName() + ", got "
                        + config.getClass().getSimpleName());
            }
        }

        public Family family() {
            return settings.family();
        }
    }

    /** The family of the sparse run in {@code run} (from its {@code sparse.json}), or null when it is none. */
    public static Family familyOf(Path run) throws IOException {
        Path f = run.resolve(SETTINGS);
        if (!Files.exists(f)) {
            return null;
        }
        return Checkpoint.JSON
                .readValue(f.toFile(), SparseVaeTrainSettings.class)
                .family();
    }

    /** The plan saved in a run directory, for {@code --resume}. */
    public static Plan saved(Path run) throws IOException {
        Family family = familyOf(run);
        if (family == null) {
            throw new NoSuchFileException(
                    run.resolve(SETTINGS).toString(),
                    null,
                    "not a sparse VAE training run (no " + SETTINGS + "); start it without --resume");
        }
        TrainingRun.Saved<?, SparseVaeTrainSettings> s =
                TrainingRun.saved(run, family.configType(), SETTINGS, SparseVaeTrainSettings.class, family.id());
        return new Plan(s.config(), s.settings(), s.options());
    }

    /** The held-out and training shapes of a plan: validation on the training shapes when none is held out. */
    public static Dataset.Split split(Dataset dataset, SparseVaeTrainSettings settings) {
        Dataset.Split split = dataset.split(settings.validationFraction());
        if (split.train().size() == 0) {
            throw new IllegalArgumentException(dataset.root() + ": all " + dataset.size() + " samples fell in the"
                    + " validation share " + settings.validationFraction() + "; lower it or add shapes");
        }
        Dataset val = split.validation().size() == 0 ? split.train() : split.validation();
        List<String> ids = new ArrayList<>(val.ids());
        Collections.sort(ids);
        List<String> chosen = Dataset.spread(ids, settings.validationShapes());
        java.util.Set<String> keep = new java.util.HashSet<>(chosen);
        return new Dataset.Split(split.train(), val.filter(r -> keep.contains(r.id())));
    }

    /** The training task of a plan on a dataset, with a new model initialised from the plan's seed. */
    public static DatasetVaeTask task(Dataset dataset, Plan plan) throws IOException {
        Dataset.Split s = split(dataset, plan.settings());
        int b = plan.settings().batchSize(), v = plan.settings().validationShapes();
        DatasetVaeTask task = switch (plan.family()) {
            case SPARSE_STRUCTURE ->
                new SparseStructureVaeTask(
                        new SparseStructureVae(
                                (SparseStructureVaeConfig) plan.config(),
                                Rng.cpu(plan.options().seed())),
                        s.train(),
                        s.validation(),
                        b,
                        v);
            case SPARSE_SDF ->
                new SparseSdfVaeTask(
                        new SparseSdfVae(
                                (SparseSdfVaeConfig) plan.config(),
                                Rng.cpu(plan.options().seed())),
                        s.train(),
                        s.validation(),
                        b,
                        v,
                        MetricsOptions.defaults().withPoints(plan.settings().metricsPoints()));
        };
        task.check(s.train().ids().get(0));
        if (task instanceof SparseStructureVaeTask ss) {
            // a resumed run loads its weights over this
            ss.vae().decoder().initOutputPrior(ss.occupancyPrior(PRIOR_SHAPES));
        }
        return task;
    }

    /**
     * Trains (or, with {@code resume}, continues the latest checkpoint of) {@code run}.
     *
     * @throws IllegalArgumentException when the samples lack the arrays the model reads (the message names the array
     *     and the {@code tessera prep} option that writes it)
     * @throws IllegalStateException when {@code run} already holds checkpoints and {@code resume} is off
     */
    public static Trainer.Result train(Dataset dataset, Path run, Plan plan, boolean resume, Progress progress)
            throws Exception {
        TrainingRun.checkStart(run, resume);
        DatasetVaeTask task = task(dataset, plan);
        return TrainingRun.train(task, run, SETTINGS, plan.settings(), plan.options(), resume, progress);
    }
}
