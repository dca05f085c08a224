package dev.tessera.model.sparse;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the sparse VAEs' training adds to the shared {@link dev.tessera.model.train.TrainOptions}: the family, batch
 * size and validation. Saved as {@code sparse.json} in the run directory.
 *
 * @param model the family, {@code "sparse-structure"} or {@code "sparse-sdf"} ({@link SparseVaeTraining.Family})
 * @param batchSize shapes per micro-batch
 * @param validationFraction share of the dataset held out for validation (by content hash); 0 validates on the first
 *     training shapes instead
 * @param validationShapes at most this many held-out shapes are validated
 * @param metricsPoints surface (and IoU) points per mesh in the sparse SDF VAE's mesh metrics
 */
public record SparseVaeTrainSettings(
        @JsonProperty("model") String model,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("validation_fraction") double validationFraction,
        @JsonProperty("validation_shapes") int validationShapes,
        @JsonProperty("metrics_points") int metricsPoints) {

    public SparseVaeTrainSettings {
        SparseVaeTraining.Family.of(model); // checks it
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + validationFraction);
        }
        if (validationShapes < 0 || metricsPoints < 1) {
            throw new IllegalArgumentException("validation shapes ≥ 0 and metrics points ≥ 1 required");
        }
    }

    /** Batches of 4 shapes (sparse structure) or 2 (sparse SDF); 10 % held out, 8 validated, 20 000 metric points. */
    public static SparseVaeTrainSettings defaults(SparseVaeTraining.Family family) {
        return new SparseVaeTrainSettings(
                family.id(), family == SparseVaeTraining.Family.SPARSE_STRUCTURE ? 4 : 2, 0.1, 8, 20_000);
    }

    public SparseVaeTraining.Family family() {
        return SparseVaeTraining.Family.of(model);
    }

    public SparseVaeTrainSettings withBatchSize(int n) {
        return new SparseVaeTrainSettings(model, n, validationFraction, validationShapes, metricsPoints);
    }

    public SparseVaeTrainSettings withValidation(double fraction, int shapes, int points) {
        return new SparseVaeTrainSettings(model, batchSize, fraction, shapes, points);
    }
}
