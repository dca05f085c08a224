package dev.tessera.geometry;

/**
 * Settings of {@link MeshCleanup#clean(TriangleMesh, CleanupOptions)}.
 *
 * @param mergeTolerance vertices closer than this fraction of the bounding-box diagonal are merged; 0 merges only
 *     vertices at exactly the same position, a negative value skips merging
 * @param minComponentAreaFraction connected components whose area is below this fraction of the total area are
 *     removed; 0 keeps every component
 */
public record CleanupOptions(double mergeTolerance, double minComponentAreaFraction) {
    /** Checks the values: tolerances are numbers, the area fraction is in [0, 1). */
    public CleanupOptions {
        if (Double.isNaN(mergeTolerance) || !Double.isFinite(minComponentAreaFraction)) {
            throw new IllegalArgumentException("cleanup tolerances must be numbers");
        }
        if (minComponentAreaFraction < 0 || minComponentAreaFraction >= 1) {
            throw new IllegalArgumentException(
                    "minComponentAreaFraction must be in [0, 1), not " + minComponentAreaFraction);
        }
    }

    /**
     * The defaults: merge vertices within 1e-6 of the diagonal (float round-off between copies of one vertex, as
     * STL and per-face exports leave), keep every component.
     */
    public static CleanupOptions defaults() {
        return new CleanupOptions(1e-6, 0);
    }

    /** These options with another merge tolerance (fraction of the bounding-box diagonal). */
    public CleanupOptions withMergeTolerance(double fraction) {
        return new CleanupOptions(fraction, minComponentAreaFraction);
    }

    /** These options with another minimum component area fraction. */
    public CleanupOptions withMinComponentAreaFraction(double fraction) {
        return new CleanupOptions(mergeTolerance, fraction);
    }
}
