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
 * @param fixedViews views on a fixed orbit (evenly spaced yaw at 20° pitch, the same for every shape) instead of
 *     random cameras
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
        @JsonProperty("fixed_views") boolean fixedViews,
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
        return new Builder()
                .watertightResolution(256)
                .surfacePoints(32768)
                .sharpPoints(16384)
                .nearSigmas(List.of(0.001, 0.005, 0.01))
                .nearPointsPerSigma(50_000)
                .nearSharpPoints(50_000)
                .volumePoints(100_000)
                .sparseResolution(256)
                .build();
    }

    /** Small sizes for tests and the demo. */
    public static PrepOptions small() {
        return new Builder()
                .watertightResolution(96)
                .surfacePoints(4096)
                .sharpPoints(2048)
                .nearSigmas(List.of(0.005, 0.02))
                .nearPointsPerSigma(4096)
                .nearSharpPoints(2048)
                .volumePoints(8192)
                .sparseResolution(64)
                .viewSize(128)
                .build();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds {@link PrepOptions}; starts from the defaults' fixed parts (half extent 0.9, 15°, no views). */
    public static final class Builder {
        private double halfExtent = 0.9;
        private int watertightResolution = 256;
        private boolean watertightShrink = true;
        private int surfacePoints = 32768;
        private int sharpPoints = 16384;
        private double sharpAngleDegrees = 15.0;
        private List<Double> nearSigmas = List.of(0.001, 0.005, 0.01);
        private int nearPointsPerSigma = 50_000;
        private int nearSharpPoints = 50_000;
        private int volumePoints = 100_000;
        private double volumeExtent = 1.05;
        private int sparseResolution = 256;
        private double sparseBand = 1.5;
        private int views;
        private int viewSize = 224;
        private boolean transparentBackground;
        private boolean fixedViews;
        private int maxFaces = 5_000_000;
        private long seed;

        public Builder() {}

        private Builder(PrepOptions o) {
            halfExtent = o.halfExtent;
            watertightResolution = o.watertightResolution;
            watertightShrink = o.watertightShrink;
            surfacePoints = o.surfacePoints;
            sharpPoints = o.sharpPoints;
            sharpAngleDegrees = o.sharpAngleDegrees;
            nearSigmas = o.nearSigmas;
            nearPointsPerSigma = o.nearPointsPerSigma;
            nearSharpPoints = o.nearSharpPoints;
            volumePoints = o.volumePoints;
            volumeExtent = o.volumeExtent;
            sparseResolution = o.sparseResolution;
            sparseBand = o.sparseBand;
            views = o.views;
            viewSize = o.viewSize;
            transparentBackground = o.transparentBackground;
            fixedViews = o.fixedViews;
            maxFaces = o.maxFaces;
            seed = o.seed;
        }

        public Builder halfExtent(double v) {
            halfExtent = v;
            return this;
        }

        public Builder watertightResolution(int v) {
            watertightResolution = v;
            return this;
        }

        public Builder watertightShrink(boolean v) {
            watertightShrink = v;
            return this;
        }

        public Builder surfacePoints(int v) {
            surfacePoints = v;
            return this;
        }

        public Builder sharpPoints(int v) {
            sharpPoints = v;
            return this;
        }

        public Builder sharpAngleDegrees(double v) {
            sharpAngleDegrees = v;
            return this;
        }

        public Builder nearSigmas(List<Double> v) {
            nearSigmas = v;
            return this;
        }

        public Builder nearPointsPerSigma(int v) {
            nearPointsPerSigma = v;
            return this;
        }

        public Builder nearSharpPoints(int v) {
            nearSharpPoints = v;
            return this;
        }

        public Builder volumePoints(int v) {
            volumePoints = v;
            return this;
        }

        public Builder volumeExtent(double v) {
            volumeExtent = v;
            return this;
        }

        public Builder sparseResolution(int v) {
            sparseResolution = v;
            return this;
        }

        public Builder sparseBand(double v) {
            sparseBand = v;
            return this;
        }

        /** {@code count} views of {@code size}² pixels, on a transparent or white background. */
        public Builder views(int count, int size, boolean transparent) {
            views = count;
            viewSize = size;
            transparentBackground = transparent;
            return this;
        }

        public Builder viewSize(int v) {
            viewSize = v;
            return this;
        }

        public Builder fixedViews(boolean v) {
            fixedViews = v;
            return this;
        }

        public Builder maxFaces(int v) {
            maxFaces = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** The settings; throws {@link IllegalArgumentException} naming the first invalid one. */
        public PrepOptions build() {
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
                    fixedViews,
                    maxFaces,
                    seed);
        }
    }
}
