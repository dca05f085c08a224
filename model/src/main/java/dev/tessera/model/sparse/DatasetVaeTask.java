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
 * batchSize} ids drawn with replacement from the trainer's seeded random, and validation on the first {@code
 * validationShapes} held-out ids.
 */
public abstract class DatasetVaeTask implements TrainTask {
    private final Module model;
    private final Object config;
    final Dataset train;
    final Dataset validation;
    private final int batchSize;
    private final int validationShapes;

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
        List<String> all = train.ids();
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
        return validation.ids().subList(0, Math.min(validationShapes, validation.size()));
    }
}
