package dev.tessera.model.vecset;

import dev.tessera.geometry.Aabb;

/**
 * The points of a decoding lattice: {@code resolution} cells, so {@code resolution + 1} points, per axis over a box,
 * the first and last on its faces ({@link dev.tessera.geometry.DenseGrid}'s convention, and Hunyuan3D-2's
 * {@code octree_resolution}). Every decoder asks the field for a lattice point at exactly the same float
 * coordinates, so dense and hierarchical decoding see identical values.
 *
 * @param bounds the box
 * @param resolution cells per axis
 */
public record Lattice(Aabb bounds, int resolution) {
    public Lattice {
        if (resolution < 1) {
            throw new IllegalArgumentException("a decoding lattice needs at least 1 cell per axis, got " + resolution);
        }
    }

    /** Points per axis, {@code resolution + 1}. */
    public int points() {
        return resolution + 1;
    }

    /** Points in all, {@code (resolution + 1)³}. */
    public long size() {
        long n = points();
        return n * n * n;
    }

    /** The x coordinate of lattice index {@code i} (as a float, exactly as decoded). */
    public float x(int i) {
        return coord(bounds.minX(), bounds.maxX(), i);
    }

    public float y(int j) {
        return coord(bounds.minY(), bounds.maxY(), j);
    }

    public float z(int k) {
        return coord(bounds.minZ(), bounds.maxZ(), k);
    }

    private float coord(double min, double max, int i) {
        return i == resolution ? (float) max : (float) (min + i * ((max - min) / resolution));
    }

    /** The packed coordinates of lattice points given as packed indices {@code i j k ...}. */
    public float[] xyz(int[] ijk) {
        float[] out = new float[ijk.length];
        for (int p = 0; p < ijk.length; p += 3) {
            out[p] = x(ijk[p]);
            out[p + 1] = y(ijk[p + 1]);
            out[p + 2] = z(ijk[p + 2]);
        }
        return out;
    }
}
