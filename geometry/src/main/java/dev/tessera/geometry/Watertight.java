package dev.tessera.geometry;

import java.util.stream.IntStream;

/**
 * Watertight remeshing by the outer offset surface of the unsigned distance, the recipe of 3D generative models
 * (used to prepare training shapes from arbitrary, often open or self-intersecting, meshes), done right.
 *
 * <p>The unsigned distance {@code u} to the input is sampled on a grid over a box slightly larger than the shape; the
 * surface {@code u = ε} (ε one grid step, {@code 2 / R} on a {@code [-1, 1]³} box) is closed around every part of the
 * input, but it has two sheets: the outer one, and an inner one facing the inside of every closed part. Instead of
 * keeping the largest connected component of the mesh, which silently drops detached parts (and keeps an inner sheet
 * larger than a small part), the <b>exterior</b> is found directly: a flood fill from the box's boundary through the
 * grid points with {@code u > ε} (6-neighbours). Marching cubes then runs on the field {@code u - ε} on exterior points
 * and {@code -|u - ε|} elsewhere, so the one surface extracted separates the exterior from everything else: every
 * outer part is kept, inner sheets and internal structures are removed, and the result is closed (the field is
 * positive on the box's boundary), oriented outward (the exterior is above) and free of degenerate faces
 * ({@link MarchingCubes}). A gap narrower than about {@code 2ε} between parts is bridged, and an opening wider than
 * that lets the exterior in, giving a thin closed shell on both sides of the open surface (as the recipe does).
 *
 * <p>Cost: the distance grid (see {@code MeshDistance}), then {@code O(R³)} for the flood fill (sequential) and the
 * field (parallel), and marching cubes. Memory: two float grids.
 */
public final class Watertight {
    private Watertight() {}

    /**
     * The watertight outer shell of an unsigned-distance grid.
     *
     * @param udf unsigned distances (non-negative, in the grid's units) at the grid's points
     * @param epsilon the offset, in the same units (typically one grid step); must be positive
     * @param shrink move vertices back by {@code epsilon} along their normals, onto the distance-0 surface
     * @return the closed, outward-oriented outer shell with vertex normals; empty when no point is within {@code
     *     epsilon} of the surface. Points on the grid's boundary always count as exterior, so a shape reaching the
     *     boundary is cut there, still closed.
     * @throws IllegalArgumentException when epsilon is not positive or a distance is NaN
     */
    public static TriangleMesh fromUnsignedGrid(DenseGrid udf, double epsilon, boolean shrink) {
        if (!(epsilon > 0 && epsilon < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("the offset epsilon must be positive and finite, got " + epsilon);
        }
        float eps = (float) epsilon;
        float[] u = udf.sharedValues();
        int nx = udf.nx(), ny = udf.ny(), nz = udf.nz();
        long[] exterior = floodExterior(u, nx, ny, nz, eps);
        float[] field = new float[u.length];
        int layer = ny * nz;
        IntStream.range(0, nx).parallel().forEach(i -> {
            for (int p = i * layer, end = p + layer; p < end; p++) {
                float d = u[p] - eps;
                if (Float.isNaN(d)) {
                    int j = (p - i * layer) / nz, k = p % nz;
                    throw new IllegalArgumentException("unsigned distance at (" + i + ", " + j + ", " + k + ") is NaN");
                } else if ((exterior[p >>> 6] >>> p & 1) != 0) {
                    field[p] = d > 0 ? d : Float.MIN_NORMAL; // boundary points forced out even when close
                } else {
                    field[p] = d < 0 ? d : d > 0 ? -d : -Float.MIN_NORMAL;
                }
            }
        });
        TriangleMesh m = MarchingCubes.extract(DenseGrid.adopt(udf.bounds(), nx, ny, nz, field), 0f);
        if (!shrink || m.isEmpty()) {
            return m;
        }
        float[] pos = m.positions(), nrm = m.normals();
        for (int q = 0; q < pos.length; q++) {
            pos[q] = (float) (pos[q] - epsilon * nrm[q]);
        }
        return TriangleMesh.adopt(pos, m.triangles(), nrm, null);
    }

    /**
     * The exterior points as a bit set: every point on the grid's boundary, and every point with {@code u > eps}
     * connected to a boundary point with {@code u > eps} through 6-neighbours with {@code u > eps}. Breadth-first,
     * with a growing ring buffer; interior points are enqueued only from inside, so their neighbours need no bounds
     * checks.
     */
    static long[] floodExterior(float[] u, int nx, int ny, int nz, float eps) {
        int sx = ny * nz, sy = nz;
        long[] ext = new long[(u.length + 63) >>> 6];
        Queue queue = new Queue();
        for (int i = 0; i < nx; i++) {
            for (int j = 0; j < ny; j++) {
                boolean faceIJ = i == 0 || i == nx - 1 || j == 0 || j == ny - 1;
                for (int k = 0; k < nz; k += faceIJ || k == nz - 1 ? 1 : nz - 1) {
                    int p = (i * ny + j) * nz + k;
                    ext[p >>> 6] |= 1L << p;
                    if (!(u[p] > eps)) {
                        continue; // a boundary point too close to the shape: outside, but no way through it
                    }
                    // step inwards from the boundary with bounds checks; everything deeper is checked-free
                    if (i > 0) {
                        visit(u, ext, queue, p - sx, eps, i - 1, j, k, nx, ny, nz);
                    }
                    if (i < nx - 1) {
                        visit(u, ext, queue, p + sx, eps, i + 1, j, k, nx, ny, nz);
                    }
                    if (j > 0) {
                        visit(u, ext, queue, p - sy, eps, i, j - 1, k, nx, ny, nz);
                    }
                    if (j < ny - 1) {
                        visit(u, ext, queue, p + sy, eps, i, j + 1, k, nx, ny, nz);
                    }
                    if (k > 0) {
                        visit(u, ext, queue, p - 1, eps, i, j, k - 1, nx, ny, nz);
                    }
                    if (k < nz - 1) {
                        visit(u, ext, queue, p + 1, eps, i, j, k + 1, nx, ny, nz);
                    }
                }
            }
        }
        while (!queue.isEmpty()) {
            int p = queue.poll(); // an interior point: all six neighbours exist, boundary ones are marked already
            enqueue(u, ext, queue, p - sx, eps);
            enqueue(u, ext, queue, p + sx, eps);
            enqueue(u, ext, queue, p - sy, eps);
            enqueue(u, ext, queue, p + sy, eps);
            enqueue(u, ext, queue, p - 1, eps);
            enqueue(u, ext, queue, p + 1, eps);
        }
        return ext;
    }

    private static void visit(
            float[] u, long[] ext, Queue q, int p, float eps, int i, int j, int k, int nx, int ny, int nz) {
        boolean boundary = i == 0 || j == 0 || k == 0 || i == nx - 1 || j == ny - 1 || k == nz - 1;
        if (!boundary) {
            enqueue(u, ext, q, p, eps);
        }
    }

    private static void enqueue(float[] u, long[] ext, Queue q, int p, float eps) {
        long bit = 1L << p;
        if ((ext[p >>> 6] & bit) == 0 && u[p] > eps) {
            ext[p >>> 6] |= bit;
            q.add(p);
        }
    }

    /** A FIFO of ints in a ring buffer that doubles when full. */
    private static final class Queue {
        private int[] a = new int[1 << 16];
        private int head, size;

        boolean isEmpty() {
            return size == 0;
        }

        void add(int x) {
            if (size == a.length) {
                int[] b = new int[a.length * 2];
                for (int q = 0; q < size; q++) {
                    b[q] = a[(head + q) & (a.length - 1)];
                }
                a = b;
                head = 0;
            }
            a[(head + size) & (a.length - 1)] = x;
            size++;
        }

        int poll() {
            int x = a[head];
            head = (head + 1) & (a.length - 1);
            size--;
            return x;
        }
    }
}
