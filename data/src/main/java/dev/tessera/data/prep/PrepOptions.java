package dev.tessera.data.prep;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Settings of {@code tessera prep}. Every field that changes a sample's content is part of the settings hash stored
 * in the sample and the manifest, so a re-run skips exactly the shapes already done with the same settings.
 *
 * @param halfExtent the source is centred and scaled so its longest side spans {@code [-halfExtent, halfExtent]}
 * @param watertightResolution UDF grid resolution of the watertight remeshing
 * @param watertightShrink move the watertight surface back by ε along its normals so it sits on the source
 * @param surfacePoints number of uniform surface points
 * @param sharpPoints number of sharp-edge points (fewer, or none, when the shape has no sharp edges)
 * @param sharpAngleDegrees dihedral angle above which an edge is sharp
 * @param nearSigmas standard deviations of the Gaussian offsets of near-surface queries
 * @param nearPointsPerSigma near-surface queries per σ
 * @param nearSharpPoints queries near sharp edges
 * @param volumePoints uniform queries in {@code [-volumeExtent, volumeExtent]³}
 * @param volumeExtent half-side of the uniform query box
 * @param sparseResolution resolution of the sparse SDF voxels (0: none)
 * @param sparseBand voxels whose centre lies within {@code sparseBand} voxel sizes of the surface are kept
 * @param views rendered condition views per shape (0: none)
 * @param viewSize side of each view in pixels
 * @param transparentBackground render views on a transparent (else white) background
 * @param maxFaces sources with more triangles are refused
 * @param seed seed of every random draw (each shape's draws also depend on its content hash)
 */
public record PrepOptions(
        @JsonProperty("half_extent") double halfExtent,
        @JsonProperty("watertight_resolution") int watertightResolution,
        @JsonProperty("watertight_shrink") boolean watertightShrink,
        @JsonProperty("surface_points") int surfacePoints,
        @JsonProperty("sharp_points") int sharpPoints,
        @JsonProperty("sharp_angle_degrees") double sharpAngleDegrees,
        @JsonProperty("near_sigmas") List<Double> nearSigmas,
        @JsonProperty("near_points_per_sigma") int nearPointsPerSigma,
        @JsonProperty("near_sharp_points") int nearSharpPoints,
        @JsonProperty("volume_points") int volumePoints,
        @JsonProperty("volume_extent") double volumeExtent,
        @JsonProperty("sparse_resolution") int sparseResolution,
        @JsonProperty("sparse_band") double sparseBand,
        int views,
        @JsonProperty("view_size") int viewSize,
        @JsonProperty("transparent_background") boolean transparentBackground,
        @JsonProperty("max_faces") int maxFaces,
        long seed) {

    public PrepOptions {
        nearSigmas = List.copyOf(nearSigmas);
        positive("half_extent", halfExtent);
        if (halfExtent > 1) {
            throw new IllegalArgumentException(
                    "half_extent must be at most 1 (the voxel box is [-1, 1]³), got " + halfExtent);
        }
        if (watertightResolution < 16 || watertightResolution > 1024) {
            throw new IllegalArgumentException(
                    "watertight resolution must be in [16, 1024], got " + watertightResolution);
        }
        atLeast("surface_points", surfacePoints, 1);
        atLeast("sharp_points", sharpPoints, 0);
        atLeast("near_points_per_sigma", nearPointsPerSigma, 0);
        atLeast("near_sharp_points", nearSharpPoints, 0);
        atLeast("volume_points", volumePoints, 0);
        positive("volume_extent", volumeExtent);
        for (double s : nearSigmas) {
            positive("near sigma", s);
        }
        if (sparseResolution != 0 && (sparseResolution < 8 || sparseResolution > 1024)) {
            throw new IllegalArgumentException("sparse resolution must be 0 or in [8, 1024], got " + sparseResolution);
        }
        atLeast("views", views, 0);
        if (views > 0 && (viewSize < 16 || viewSize > 2048)) {
            throw new IllegalArgumentException("view size must be in [16, 2048], got " + viewSize);
        }
        atLeast("max_faces", maxFaces, 1);
    }

    private static void positive(String name, double v) {
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(name + " must be positive, got " + v);
        }
    }

    private static void atLeast(String name, long v, long min) {
        if (v < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + v);
        }
    }

    /** The defaults: sizes in the range the field trains with (~300k queries, 32k surface points per shape). */
    public static PrepOptions defaults() {
        return new PrepOptions(
                0.9,
                256,
                true,
                32768,
                16384,
                15.0,
                List.of(0.001, 0.005, 0.01),
                50_000,
                50_000,
                100_000,
                1.05,
                256,
                1.5,
                0,
                224,
                false,
                5_000_000,
                0);
    }

    /** Small sizes for tests and the demo. */
    public static PrepOptions small() {
        return new PrepOptions(
                0.9,
                96,
                true,
                4096,
                2048,
                15.0,
                List.of(0.005, 0.02),
                4096,
                2048,
                8192,
                1.05,
                64,
                1.5,
                0,
                128,
                false,
                5_000_000,
                0);
    }

    public PrepOptions withViews(int count, int size, boolean transparent) {
        return new PrepOptions(
                halfExtent,
                watertightResolution,
                watertightShrink,
                surfacePoints,
                sharpPoints,
                sharpAngleDegrees,
                nearSigmas,
                nearPointsPerSigma,
                nearSharpPoints,
                volumePoints,
                volumeExtent,
                sparseResolution,
                sparseBand,
                count,
                size,
                transparent,
                maxFaces,
                seed);
    }

    public PrepOptions withWatertightResolution(int r) {
        return new PrepOptions(
                halfExtent,
                r,
                watertightShrink,
                surfacePoints,
                sharpPoints,
                sharpAngleDegrees,
                nearSigmas,
                nearPointsPerSigma,
                nearSharpPoints,
                volumePoints,
                volumeExtent,
                sparseResolution,
                sparseBand,
                views,
                viewSize,
                transparentBackground,
                maxFaces,
                seed);
    }

    public PrepOptions withSparseResolution(int r) {
        return new PrepOptions(
                halfExtent,
                watertightResolution,
                watertightShrink,
                surfacePoints,
                sharpPoints,
                sharpAngleDegrees,
                nearSigmas,
                nearPointsPerSigma,
                nearSharpPoints,
                volumePoints,
                volumeExtent,
                r,
                sparseBand,
                views,
                viewSize,
                transparentBackground,
                maxFaces,
                seed);
    }

    public PrepOptions withMaxFaces(int n) {
        return new PrepOptions(
                halfExtent,
                watertightResolution,
                watertightShrink,
                surfacePoints,
                sharpPoints,
                sharpAngleDegrees,
                nearSigmas,
                nearPointsPerSigma,
                nearSharpPoints,
                volumePoints,
                volumeExtent,
                sparseResolution,
                sparseBand,
                views,
                viewSize,
                transparentBackground,
                n,
                seed);
    }

    public PrepOptions withSeed(long s) {
        return new PrepOptions(
                halfExtent,
                watertightResolution,
                watertightShrink,
                surfacePoints,
                sharpPoints,
                sharpAngleDegrees,
                nearSigmas,
                nearPointsPerSigma,
                nearSharpPoints,
                volumePoints,
                volumeExtent,
                sparseResolution,
                sparseBand,
                views,
                viewSize,
                transparentBackground,
                maxFaces,
                s);
    }
}
