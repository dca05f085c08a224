package dev.tessera.geometry;

/**
 * A scalar field sampled on a regular grid of points over a box: {@code nx × ny × nz} samples, the first and last
 * of each axis on the box's faces, so the spacing along x is {@code sizeX / (nx - 1)}. Values are stored x-slowest,
 * z-fastest: sample {@code (i, j, k)} sits at index {@code (i·ny + j)·nz + k}, the layout of a C-ordered
 * {@code [nx, ny, nz]} array. Immutable; {@link #values()} returns a copy.
 */
public final class DenseGrid {
    private final Aabb bounds;
    private final int nx, ny, nz;
    private final float[] values;

    /** A grid over {@code bounds} with the given sample counts per axis (each ≥ 2) and values (copied). */
    public DenseGrid(Aabb bounds, int nx, int ny, int nz, float[] values) {
        this(bounds, nx, ny, nz, values.clone(), true);
    }

    private DenseGrid(Aabb bounds, int nx, int ny, int nz, float[] values, boolean unused) {
        if (nx < 2 || ny < 2 || nz < 2) {
            throw new IllegalArgumentException(
                    "a grid needs at least 2 samples per axis, got " + nx + "×" + ny + "×" + nz);
        }
        if ((long) nx * ny * nz != values.length) {
            throw new IllegalArgumentException("grid " + nx + "×" + ny + "×" + nz + " needs " + ((long) nx * ny * nz)
                    + " values, got " + values.length);
        }
        this.bounds = bounds;
        this.nx = nx;
        this.ny = ny;
        this.nz = nz;
        this.values = values;
    }

    /** A cubic grid of {@code r³} samples over {@code bounds} over an array the caller hands over (no copy). */
    public static DenseGrid adopt(Aabb bounds, int r, float[] values) {
        return new DenseGrid(bounds, r, r, r, values, true);
    }

    /** A grid over an array the caller hands over (no copy). */
    public static DenseGrid adopt(Aabb bounds, int nx, int ny, int nz, float[] values) {
        return new DenseGrid(bounds, nx, ny, nz, values, true);
    }

    /** Samples {@code field} at every grid point of an {@code r³} grid over {@code bounds}. */
    public static DenseGrid sample(Aabb bounds, int r, ScalarField field) {
        float[] v = new float[Math.multiplyExact(Math.multiplyExact(r, r), r)];
        DenseGrid g = new DenseGrid(bounds, r, r, r, v, true);
        java.util.stream.IntStream.range(0, r).parallel().forEach(i -> {
            double x = g.x(i);
            for (int j = 0; j < r; j++) {
                double y = g.y(j);
                for (int k = 0; k < r; k++) {
                    v[(i * r + j) * r + k] = (float) field.value(x, y, g.z(k));
                }
            }
        });
        return g;
    }

    public Aabb bounds() {
        return bounds;
    }

    public int nx() {
        return nx;
    }

    public int ny() {
        return ny;
    }

    public int nz() {
        return nz;
    }

    public int size() {
        return values.length;
    }

    /** A copy of the values. */
    public float[] values() {
        return values.clone();
    }

    /** The value at sample {@code (i, j, k)}. */
    public float get(int i, int j, int k) {
        return values[(i * ny + j) * nz + k];
    }

    /** The value at flat index {@code (i·ny + j)·nz + k}. */
    public float get(int index) {
        return values[index];
    }

    public double spacingX() {
        return bounds.sizeX() / (nx - 1);
    }

    public double spacingY() {
        return bounds.sizeY() / (ny - 1);
    }

    public double spacingZ() {
        return bounds.sizeZ() / (nz - 1);
    }

    /** The x coordinate of sample column {@code i}. */
    public double x(int i) {
        return i == nx - 1 ? bounds.maxX() : bounds.minX() + i * spacingX();
    }

    public double y(int j) {
        return j == ny - 1 ? bounds.maxY() : bounds.minY() + j * spacingY();
    }

    public double z(int k) {
        return k == nz - 1 ? bounds.maxZ() : bounds.minZ() + k * spacingZ();
    }

    @Override
    public String toString() {
        return "DenseGrid[" + nx + "×" + ny + "×" + nz + " over " + bounds + "]";
    }

    /**
     * The values array itself, not a copy, for algorithms of this package that only read it (a 512³ grid is 512 MB;
     * copying it just to read it would double the memory).
     */
    float[] sharedValues() {
        return values;
    }
}
