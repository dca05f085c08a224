package dev.tessera.model.sparse;

import dev.tessera.data.dataset.Dataset;
import dev.tessera.model.train.TrainTask;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Module;

/**
 * What the sparse VAEs' training tasks share: a model trained on a dataset's samples, micro-batches of {@code
 * batchSize} ids drawn with replacement from the trainer's seeded random, and validation on {@code validationShapes}
 * held-out ids spread evenly over their sorted order ({@link Dataset#spread}, so every class is seen) — sorted, so
 * the same seed draws the same shapes whatever order the dataset's manifest lists them in.
 */
public abstract class DatasetVaeTask implements TrainTask {
    private final Module model;
    private final Object config;
    final Dataset train;
    final Dataset validation;
    private final int batchSize;
    private final int validationShapes;
    // sorted: the manifest's order is the order prep's workers finished in, which varies from run to run and machine
    // to machine, so batches drawn by position from it made the same seed train on different shapes
    private final List<String> trainIds;
    private final List<String> validationIds;

    DatasetVaeTask(
            Module model, Object config, Dataset train, Dataset validation, int batchSize, int validationShapes) {
        if (train.size() == 0) {
            throw new IllegalArgumentException("no training samples in " + train.root());
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be ≥ 1, got " + batchSize);
        }
        this.model = model;
        this.config = config;
        this.train = train;
        this.validation = validation;
        this.batchSize = batchSize;
        this.validationShapes = validationShapes;
        this.trainIds = train.ids(); // sorted by id, whatever order prep finished the shapes in
        this.validationIds = validation == null ? List.of() : validation.ids();
    }

    @Override
    public Module model() {
        return model;
    }

    @Override
    public Object config() {
        return config;
    }

    /**
     * Reads sample {@code id} as a batch would, so that a dataset lacking what the model needs fails before training
     * starts.
     *
     * @throws IllegalArgumentException naming the sample, the missing array and the {@code tessera prep} option
     */
    public abstract void check(String id) throws IOException;

    /** The training samples. */
    public final Dataset trainingSet() {
        return train;
    }

    /** One micro-batch's training ids, drawn with replacement. */
    final List<String> drawBatch(SplittableRandom random) {
        List<String> all = trainIds;
        List<String> ids = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) {
            ids.add(all.get(random.nextInt(all.size())));
        }
        return ids;
    }

    /** The held-out ids validation looks at; empty when validation is off. */
    public final List<String> validationIds() {
        if (validation == null || validation.size() == 0 || validationShapes == 0) {
            return List.of();
        }
        return Dataset.spread(validationIds, validationShapes);
    }
}
