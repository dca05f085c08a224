package dev.tessera.model.vecset;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the vecset VAE's training task adds to the shared {@link dev.tessera.model.train.TrainOptions}: batch
 * composition, loss weights and validation. Saved as {@code vecset.json} in the run directory.
 *
 * @param batchSize shapes per micro-batch
 * @param nearQueries near-surface queries per shape and step
 * @param nearSharpQueries near-sharp-edge queries per shape and step
 * @param volumeQueries uniform volume queries per shape and step
 * @param sharpWeight weight of the near-sharp queries' mean error (Dora: 2), the others' counting once
 * @param klWeight weight of the KL term (averaged over the latent's elements)
 * @param validationFraction share of the dataset held out for validation (by content hash); 0 validates on the first
 *     training shapes instead
 * @param validationShapes at most this many held-out shapes are validated
 * @param validationResolution lattice resolution of the validation meshes
 * @param metricsPoints surface (and IoU) points per mesh in the validation metrics
 * @param spin whether each training shape is turned about y at random, mirrored or not, and normalised again
 *     ({@link SpinAugmentation}); a run saved before this option reads as {@code false}
 */
public record VecsetTrainSettings(
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("near_queries") int nearQueries,
        @JsonProperty("near_sharp_queries") int nearSharpQueries,
        @JsonProperty("volume_queries") int volumeQueries,
        @JsonProperty("sharp_weight") double sharpWeight,
        @JsonProperty("kl_weight") double klWeight,
        @JsonProperty("validation_fraction") double validationFraction,
        @JsonProperty("validation_shapes") int validationShapes,
        @JsonProperty("validation_resolution") int validationResolution,
        @JsonProperty("metrics_points") int metricsPoints,
        @JsonProperty("augment_spin") boolean spin) {

    public VecsetTrainSettings {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        new VecsetBatcher.Queries(nearQueries, nearSharpQueries, volumeQueries, sharpWeight); // checks them
        if (!(klWeight >= 0) || !Double.isFinite(klWeight)) {
            throw new IllegalArgumentException("KL weight must be ≥ 0, got " + klWeight);
        }
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + validationFraction);
        }
        if (validationShapes < 0 || validationResolution < 2 || metricsPoints < 1) {
            throw new IllegalArgumentException("validation shapes ≥ 0, resolution ≥ 2 and metrics points ≥ 1 required");
        }
    }

    /**
     * Batches of 32 shapes with 256 near-surface, 128 near-sharp and 256 volume queries each (many shapes with few
     * queries fit better than few shapes with many: docs/results.md, the fourth vecset run); near-sharp weight 2 and
     * KL weight 1e-3 (Dora); 10 % held out, at most 8 validated at resolution 96 with 20 000 metric points.
     */
    public static VecsetTrainSettings defaults() {
        return new VecsetTrainSettings(32, 256, 128, 256, 2.0, 1e-3, 0.1, 8, 96, 20_000, false);
    }

    /** The queries per shape. */
    public VecsetBatcher.Queries queries() {
        return new VecsetBatcher.Queries(nearQueries, nearSharpQueries, volumeQueries, sharpWeight);
    }

    public VecsetTrainSettings withBatchSize(int n) {
        return new VecsetTrainSettings(
                n,
                nearQueries,
                nearSharpQueries,
                volumeQueries,
                sharpWeight,
                klWeight,
                validationFraction,
                validationShapes,
                validationResolution,
                metricsPoints,
                spin);
    }

    public VecsetTrainSettings withQueries(int near, int nearSharp, int volume) {
        return new VecsetTrainSettings(
                batchSize,
                near,
                nearSharp,
                volume,
                sharpWeight,
                klWeight,
                validationFraction,
                validationShapes,
                validationResolution,
                metricsPoints,
                spin);
    }

    public VecsetTrainSettings withWeights(double sharp, double kl) {
        return new VecsetTrainSettings(
                batchSize,
                nearQueries,
                nearSharpQueries,
                volumeQueries,
                sharp,
                kl,
                validationFraction,
                validationShapes,
                validationResolution,
                metricsPoints,
                spin);
    }

    public VecsetTrainSettings withValidation(double fraction, int shapes, int resolution, int points) {
        return new VecsetTrainSettings(
                batchSize,
                nearQueries,
                nearSharpQueries,
                volumeQueries,
                sharpWeight,
                klWeight,
                fraction,
                shapes,
                resolution,
                points,
                spin);
    }

    /** These settings with the spin augmentation on or off. */
    public VecsetTrainSettings withSpin(boolean on) {
        return new VecsetTrainSettings(
                batchSize,
                nearQueries,
                nearSharpQueries,
                volumeQueries,
                sharpWeight,
                klWeight,
                validationFraction,
                validationShapes,
                validationResolution,
                metricsPoints,
                on);
    }
}
