package dev.tessera.geometry;

import java.util.List;

/**
 * Options of {@link MeshMetrics#compare}.
 *
 * @param points number of surface points sampled on each mesh, and of query points for each IoU
 * @param seed seed of every random draw (both meshes are sampled with the same draws)
 * @param normalize map both meshes by the transform that fits the reference mesh A into {@code [-1, 1]³} (centred,
 *     longest side 2) before measuring; {@code false} measures in the meshes' own units
 * @param fscoreThresholds distance thresholds τ of the F-scores, in the measuring frame's units
 * @param nearSurfaceSigma standard deviation of the Gaussian noise that moves surface points into the
 *     near-surface IoU's query points
 * @param occupancy compute the volume and near-surface IoU (needs an inside test for each mesh)
 */
public record MetricsOptions(
        int points,
        long seed,
        boolean normalize,
        List<Double> fscoreThresholds,
        double nearSurfaceSigma,
        boolean occupancy) {

    public MetricsOptions {
        fscoreThresholds = List.copyOf(fscoreThresholds);
        if (points < 1) {
            throw new IllegalArgumentException("metrics: point count must be ≥ 1, got " + points);
        }
        if (points > Integer.MAX_VALUE / 3) {
            throw new IllegalArgumentException("metrics: " + points + " points do not fit in one array");
        }
        for (double t : fscoreThresholds) {
            if (!(t > 0) || !Double.isFinite(t)) {
                throw new IllegalArgumentException("metrics: F-score thresholds must be finite and > 0, got " + t);
            }
        }
        if (!(nearSurfaceSigma > 0) || !Double.isFinite(nearSurfaceSigma)) {
            throw new IllegalArgumentException(
                    "metrics: near-surface σ must be finite and > 0, got " + nearSurfaceSigma);
        }
    }

    /** 100 000 points, seed 0, normalised by A's box, F-scores at τ = 0.01 and 0.02, σ = 0.01, with the IoUs. */
    public static MetricsOptions defaults() {
        return new MetricsOptions(100_000, 0, true, List.of(0.01, 0.02), 0.01, true);
    }

    public MetricsOptions withPoints(int n) {
        return new MetricsOptions(n, seed, normalize, fscoreThresholds, nearSurfaceSigma, occupancy);
    }

    public MetricsOptions withSeed(long s) {
        return new MetricsOptions(points, s, normalize, fscoreThresholds, nearSurfaceSigma, occupancy);
    }

    public MetricsOptions withNormalize(boolean n) {
        return new MetricsOptions(points, seed, n, fscoreThresholds, nearSurfaceSigma, occupancy);
    }

    public MetricsOptions withOccupancy(boolean o) {
        return new MetricsOptions(points, seed, normalize, fscoreThresholds, nearSurfaceSigma, o);
    }
}
