package dev.tessera.geometry;

/**
 * A sparse set of voxels of an {@code r³} grid over a box, each with {@code channels} float values. Voxel
 * {@code (i, j, k)} is the cube {@code [min + i·h, min + (i+1)·h]} on each axis, {@code h = size / r}. Coordinates are
 * packed {@code int[3N]}, values {@code float[N·channels]}. Immutable; accessors return copies.
 */
public final class SparseGrid {
    private final Aabb bounds;
    private final int resolution;
    private final int channels;
    private final int[] coords;
    private final float[] values;

    /** A sparse grid; arrays are copied and every coordinate is checked against {@code resolution}. */
    public SparseGrid(Aabb bounds, int resolution, int channels, int[] coords, float[] values) {
        this(bounds, resolution, channels, coords.clone(), values.clone(), true);
    }

    private SparseGrid(Aabb bounds, int resolution, int channels, int[] coords, float[] values, boolean unused) {
        if (resolution < 1) {
            throw new IllegalArgumentException("resolution must be positive, got " + resolution);
        }
        if (channels < 0) {
            throw new IllegalArgumentException("channels must be ≥ 0, got " + channels);
        }
        if (coords.length % 3 != 0) {
            throw new IllegalArgumentException("coords length " + coords.length + " is not a multiple of 3");
        }
        if ((long) coords.length / 3 * channels != values.length) {
            throw new IllegalArgumentException(
                    (coords.length / 3) + " voxels × " + channels + " channels != " + values.length + " values");
        }
        for (int i = 0; i < coords.length; i++) {
            if (coords[i] < 0 || coords[i] >= resolution) {
                throw new IllegalArgumentException(
                        "voxel " + (i / 3) + " coordinate " + coords[i] + " outside [0, " + resolution + ")");
            }
        }
        this.bounds = bounds;
        this.resolution = resolution;
        this.channels = channels;
        this.coords = coords;
        this.values = values;
    }

    /** A sparse grid over fresh arrays the caller hands over (no copy). */
    public static SparseGrid adopt(Aabb bounds, int resolution, int channels, int[] coords, float[] values) {
        return new SparseGrid(bounds, resolution, channels, coords, values, true);
    }

    public Aabb bounds() {
        return bounds;
    }

    public int resolution() {
        return resolution;
    }

    public int channels() {
        return channels;
    }

    public int size() {
        return coords.length / 3;
    }

    public int[] coords() {
        return coords.clone();
    }

    public float[] values() {
        return values.clone();
    }

    public int i(int voxel) {
        return coords[3 * voxel];
    }

    public int j(int voxel) {
        return coords[3 * voxel + 1];
    }

    public int k(int voxel) {
        return coords[3 * voxel + 2];
    }

    public float value(int voxel, int channel) {
        return values[voxel * channels + channel];
    }

    /** Edge length of a voxel along x. */
    public double voxelSize() {
        return bounds.sizeX() / resolution;
    }

    @Override
    public String toString() {
        return "SparseGrid[" + size() + " voxels of " + resolution + "³, " + channels + " channels]";
    }
}
