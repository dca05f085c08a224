package dev.tessera.geometry.io;

import dev.tessera.geometry.EarClipping;

/** Appends the triangles of a polygon face to a triangle list: directly for triangles, by ear clipping otherwise. */
final class PolygonSplitter {
    private double[] scratch = new double[3 * 16];

    /**
     * Appends the triangles of the polygon {@code corners[0..n)} (vertex indices into {@code positions}).
     *
     * @return the number of triangles appended ({@code n - 2})
     */
    int split(int[] corners, int n, FloatList positions, IntList triangles) {
        if (n == 3) {
            triangles.add(corners[0], corners[1], corners[2]);
            return 1;
        }
        if (scratch.length < 3 * n) {
            scratch = new double[Math.max(3 * n, 2 * scratch.length)];
        }
        for (int i = 0; i < n; i++) {
            int p = 3 * corners[i];
            scratch[3 * i] = positions.get(p);
            scratch[3 * i + 1] = positions.get(p + 1);
            scratch[3 * i + 2] = positions.get(p + 2);
        }
        int[] local = EarClipping.triangulate(scratch, n);
        for (int i = 0; i < local.length; i += 3) {
            triangles.add(corners[local[i]], corners[local[i + 1]], corners[local[i + 2]]);
        }
        return n - 2;
    }
}
