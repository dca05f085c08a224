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
 * <p>Cost: {@link #remesh} computes exact distances in a band of {@value #BAND_CELLS} grid steps only
 * ({@link MeshDistance#unsignedBand}: {@code O(F·b³)}), then {@code O(R³)} for the flood fill (sequential) and the
 * field (parallel), and marching cubes. Memory: two {@code R³} arrays of 4 bytes during the distances, then the
 * field over the distance array and bit sets.
 */
public final class Watertight {
    /** Width of the exact distance band {@link #remesh} computes, in grid steps (ε is one step, see there). */
    static final double BAND_CELLS = 3;

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
        return shell(udf, epsilon, shrink, false);
    }

    /**
     * {@link #fromUnsignedGrid}, writing the field over the grid's own array when {@code inPlace} (for a grid nobody
     * else holds: saves one {@code R³} float array, 512 MB at 512³).
     */
    static TriangleMesh shell(DenseGrid udf, double epsilon, boolean shrink, boolean inPlace) {
        if (!(epsilon > 0 && epsilon < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("the offset epsilon must be positive and finite, got " + epsilon);
        }
        float eps = (float) epsilon;
        float[] u = udf.sharedValues();
        int nx = udf.nx(), ny = udf.ny(), nz = udf.nz();
        long[] exterior = floodExterior(u, nx, ny, nz, eps);
        float[] field = inPlace ? u : new float[u.length];
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
     * The watertight outer shell of a mesh: its unsigned distance on a {@code R³} grid over a cube centred on the mesh
     * (side: the longest side plus the margin on both sides, and at least three grid steps plus the offset free on
     * each side), the outer shell at {@code ε = side / R} ({@code 2/R} for a {@code [-1, 1]³} box) by {@link
     * #fromUnsignedGrid(DenseGrid, double, boolean)}, optionally shrunk back by ε.
     *
     * @param mesh any triangle mesh: open, self-intersecting, with inner parts or duplicated faces
     * @return a closed, outward-oriented mesh without degenerate faces, with vertex normals
     * @throws InvalidMeshException when the mesh has no triangles or no extent
     * @throws IllegalArgumentException when the grid would not fit in the heap (the message says how much it needs)
     */
    public static TriangleMesh remesh(TriangleMesh mesh, WatertightOptions options) {
        if (mesh.isEmpty()) {
            throw new InvalidMeshException("cannot make a mesh without triangles watertight (a point cloud?)");
        }
        int r = options.resolution();
        Aabb box = box(mesh.bounds(), options);
        // Only distances up to ε plus two grid steps are ever read exactly: the surface crosses edges whose ends are
        // within ε + h, and their normals' central differences reach one step farther. Beyond that the flood fill
        // only needs "farther than ε", which +∞ says as well, so the exact band replaces the full grid.
        DenseGrid udf = MeshDistance.of(mesh).unsignedBand(box, r, BAND_CELLS);
        return shell(udf, box.sizeX() / r, options.shrink(), true); // the grid is ours: reuse its array
    }

    /** The cubic grid box of {@link #remesh}: centred on {@code bounds}, with the margin and the minimum clearance. */
    static Aabb box(Aabb bounds, WatertightOptions options) {
        double s = bounds.maxSize();
        if (!(s > 0)) {
            throw new InvalidMeshException("the mesh has no extent (all its vertices are one point): " + bounds);
        }
        int r = options.resolution();
        double clearance = 3.0 / (r - 1) + 1.0 / r; // three grid steps plus the offset, as a fraction of the side
        double side = Math.max(s * (1 + 2 * options.margin()), s / (1 - 2 * clearance));
        double h = side / 2;
        return new Aabb(
                bounds.centerX() - h,
                bounds.centerY() - h,
                bounds.centerZ() - h,
                bounds.centerX() + h,
                bounds.centerY() + h,
                bounds.centerZ() + h);
    }

    /**
     * The exterior points as a bit set (bit {@code p} of word {@code p / 64}, {@code p} the grid's flat index): every
     * point on the grid's boundary, and every point with {@code u > eps} connected to a boundary point with {@code u
     * > eps} through 6-neighbours with {@code u > eps}.
     *
     * <p>A scanline fill on bit rows: the passable points of each row {@code (i, j)} are packed 64 per word, a whole
     * run of passable points along z is taken at once, and the runs it touches in the four neighbouring rows are
     * pushed as seeds. Work is proportional to the number of runs times the row length in words, not to the number of
     * points.
     */
    static long[] floodExterior(float[] u, int nx, int ny, int nz, float eps) {
        int words = (nz + 63) >>> 6, rows = nx * ny;
        long[] pass = new long[Math.multiplyExact(rows, words)];
        IntStream.range(0, nx).parallel().forEach(i -> {
            for (int j = 0; j < ny; j++) {
                int p = (i * ny + j) * nz, row = (i * ny + j) * words;
                for (int w = 0; w < words; w++) {
                    long word = 0;
                    for (int b = 0, k0 = w << 6, n = Math.min(64, nz - k0); b < n; b++) {
                        word |= (u[p + k0 + b] > eps ? 1L : 0L) << b;
                    }
                    pass[row + w] = word;
                }
            }
        });
        long[] ext = new long[pass.length];
        Seeds seeds = new Seeds();
        for (int i = 0; i < nx; i++) {
            for (int j = 0; j < ny; j++) {
                int row = i * ny + j;
                if (i == 0 || j == 0 || i == nx - 1 || j == ny - 1) {
                    pushRuns(pass, ext, words, row, 0, nz - 1, seeds);
                } else {
                    pushRuns(pass, ext, words, row, 0, 0, seeds);
                    pushRuns(pass, ext, words, row, nz - 1, nz - 1, seeds);
                }
            }
        }
        while (!seeds.isEmpty()) {
            long seed = seeds.pop();
            int row = (int) (seed >>> 32), k = (int) seed;
            int base = row * words;
            if ((ext[base + (k >>> 6)] >>> k & 1) != 0) {
                continue; // its run was filled from another seed
            }
            int k0 = runStart(pass, base, k), k1 = runEnd(pass, base, k, nz);
            setBits(ext, base, k0, k1);
            int i = row / ny, j = row - i * ny;
            if (i > 0) {
                pushRuns(pass, ext, words, row - ny, k0, k1, seeds);
            }
            if (i < nx - 1) {
                pushRuns(pass, ext, words, row + ny, k0, k1, seeds);
            }
            if (j > 0) {
                pushRuns(pass, ext, words, row - 1, k0, k1, seeds);
            }
            if (j < ny - 1) {
                pushRuns(pass, ext, words, row + 1, k0, k1, seeds);
            }
        }
        // the boundary itself is outside, passable or not
        for (int i = 0; i < nx; i++) {
            for (int j = 0; j < ny; j++) {
                int base = (i * ny + j) * words;
                if (i == 0 || j == 0 || i == nx - 1 || j == ny - 1) {
                    setBits(ext, base, 0, nz - 1);
                } else {
                    ext[base] |= 1L;
                    ext[base + ((nz - 1) >>> 6)] |= 1L << (nz - 1);
                }
            }
        }
        // repack from rows of whole words to the flat point index (rows are not word-aligned unless nz % 64 == 0)
        if (nz % 64 == 0) {
            return ext;
        }
        long[] flat = new long[(u.length + 63) >>> 6];
        for (int row = 0; row < rows; row++) {
            for (int w = 0; w < words; w++) {
                int n = Math.min(64, nz - (w << 6));
                long word = ext[row * words + w] & (n == 64 ? -1L : (1L << n) - 1);
                long q = (long) row * nz + (w << 6); // flat index of the word's first bit
                int at = (int) (q >>> 6), shift = (int) (q & 63);
                flat[at] |= word << shift;
                if (shift != 0 && at + 1 < flat.length) {
                    flat[at + 1] |= word >>> (64 - shift);
                }
            }
        }
        return flat;
    }

    /** Pushes one seed per run of passable, not yet exterior points of {@code row} meeting {@code [k0, k1]}. */
    private static void pushRuns(long[] pass, long[] ext, int words, int row, int k0, int k1, Seeds seeds) {
        int base = row * words;
        long carry = 0; // whether the candidate run continues from the previous word
        for (int w = k0 >>> 6, last = k1 >>> 6; w <= last; w++) {
            long window = -1L;
            if (w == k0 >>> 6) {
                window &= -1L << (k0 & 63);
            }
            if (w == last) {
                window &= (k1 & 63) == 63 ? -1L : (1L << ((k1 & 63) + 1)) - 1;
            }
            long c = pass[base + w] & ~ext[base + w] & window;
            long starts = c & ~(c << 1 | carry);
            carry = c >>> 63;
            for (; starts != 0; starts &= starts - 1) {
                seeds.push((long) row << 32 | ((w << 6) + Long.numberOfTrailingZeros(starts)));
            }
        }
    }

    /** The first point of the passable run through {@code k}. */
    private static int runStart(long[] pass, int base, int k) {
        int w = k >>> 6;
        long blocked = ~pass[base + w] & ((1L << (k & 63)) - 1); // non-passable bits below k in its word
        while (blocked == 0 && w > 0) {
            w--;
            blocked = ~pass[base + w];
        }
        return blocked == 0 ? 0 : (w << 6) + 64 - Long.numberOfLeadingZeros(blocked);
    }

    /** The last point of the passable run through {@code k}. */
    private static int runEnd(long[] pass, int base, int k, int nz) {
        int w = k >>> 6, words = (nz + 63) >>> 6;
        long blocked = ~pass[base + w] & (-1L << (k & 63)); // non-passable bits from k up in its word
        while (blocked == 0 && w + 1 < words) {
            w++;
            blocked = ~pass[base + w];
        }
        return blocked == 0 ? nz - 1 : Math.min(nz - 1, (w << 6) + Long.numberOfTrailingZeros(blocked) - 1);
    }

    /** Sets bits {@code [k0, k1]} of the row starting at word {@code base}. */
    private static void setBits(long[] bits, int base, int k0, int k1) {
        for (int w = k0 >>> 6; w <= k1 >>> 6; w++) {
            long mask = -1L;
            if (w == k0 >>> 6) {
                mask &= -1L << (k0 & 63);
            }
            if (w == k1 >>> 6) {
                mask &= (k1 & 63) == 63 ? -1L : (1L << ((k1 & 63) + 1)) - 1;
            }
            bits[base + w] |= mask;
        }
    }

    /** A LIFO of (row, k) seeds packed in longs, growing as needed. */
    private static final class Seeds {
        private long[] a = new long[1 << 12];
        private int size;

        boolean isEmpty() {
            return size == 0;
        }

        void push(long x) {
            if (size == a.length) {
                a = java.util.Arrays.copyOf(a, a.length * 2);
            }
            a[size++] = x;
        }

        long pop() {
            return a[--size];
        }
    }
}
