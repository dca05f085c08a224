package dev.tessera.geometry;

import static dev.tessera.geometry.MarchingCubesTable.AMBIGUOUS;
import static dev.tessera.geometry.MarchingCubesTable.AXIS_BIT;
import static dev.tessera.geometry.MarchingCubesTable.CENTRE;
import static dev.tessera.geometry.MarchingCubesTable.EDGE_BASE;
import static dev.tessera.geometry.MarchingCubesTable.FACE_CORNERS;
import static dev.tessera.geometry.MarchingCubesTable.OFFSET;
import static dev.tessera.geometry.MarchingCubesTable.TRIANGLES;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Marching cubes (Lorensen and Cline 1987) with the asymptotic decider on ambiguous faces (Nielson and Hamann 1991):
 * the iso-surface {@code value = level} of a field sampled on a regular lattice, as a closed, welded, oriented
 * triangle mesh.
 *
 * <p><b>Conventions.</b> A sample is <i>above</i> when {@code value >= level} and <i>below</i> otherwise, so a sample
 * exactly at the level counts as above, everywhere and consistently. For a signed distance (negative inside) below
 * is inside: triangles are counter-clockwise seen from the above side, normals point towards increasing values, and a
 * closed result has positive {@link TriangleMesh#volume()}. A vertex sits on every lattice edge whose ends differ, at
 * the linear interpolation of the level, kept at least {@value #MIN_T} of the edge away from both ends so that a
 * sample at the level never collapses a triangle; each such vertex is shared by all triangles that use it. Vertex
 * normals are the unit gradient of the field (central differences, one-sided on the lattice's border) interpolated
 * along the edge.
 *
 * <p><b>Closedness.</b> The case table ({@link MarchingCubesTable}, derived from the cube's geometry at class load)
 * spans each contour loop on the cell's faces by one disc and never puts a diagonal inside a face; a face whose above
 * samples are one diagonal is decided by the asymptotic decider, a function of its four values alone, so both cells
 * sharing the face draw the same segments. Therefore every edge of the result has exactly two triangles, except
 * where the surface meets the lattice's boundary, for any input. Ties of the decider (the bilinear saddle exactly at
 * the level) count as above, as samples do. Loops that admit no triangulation without an in-face diagonal (those of
 * 7 to 12 vertices through an ambiguous face twice) are fanned around one extra vertex inside the cell, at the mean
 * of the loop's vertices, as in MC33 (Chernyaev 1995). Within a cell each loop gets its own disc, so tunnels inside a
 * single cell (the interior ambiguity of MC33) are not generated: the topology is that of the trilinear interpolant on
 * every face, not always inside a cell.
 *
 * <p><b>Order and determinism.</b> Edge vertices come first, ordered by the lattice index of the edge's lower end
 * ({@code (i·ny + j)·nz + k}) then by axis x, y, z; interior vertices follow in cell order. Triangles are in cell
 * order, then table order. The dense version splits the lattice into slabs along x processed in parallel and stitches
 * them by this global order, so its result is identical for any number of threads, and the sparse version gives the
 * very same mesh when its active cells are all the cells the surface crosses.
 *
 * <p><b>Cost.</b> One pass over the samples plus work proportional to the output; memory: the output and two
 * {@code ny·nz} index planes per slab.
 */
public final class MarchingCubes {
    /** Smallest distance of a vertex from either end of its edge, as a fraction of the edge. */
    public static final double MIN_T = 1e-3;

    private MarchingCubes() {}

    /**
     * The values of a field at lattice points, computed in batches (for example by a neural decoder). Points are
     * packed integer coordinates {@code i0 j0 k0 i1 j1 k1 ...}; the answer holds one value per point, in order.
     */
    @FunctionalInterface
    public interface LatticeField {
        /**
         * Values at the given lattice points.
         *
         * @param ijk packed lattice coordinates, {@code 3N} entries
         * @return {@code N} values
         */
        float[] values(int[] ijk);
    }

    /**
     * The iso-surface {@code level} of a dense grid, computed on all cores.
     *
     * @param grid samples on the grid's points
     * @param level iso-value; samples {@code >= level} are above (outside for a signed distance)
     * @return a welded mesh with vertex normals, closed wherever the surface does not reach the grid's boundary
     * @throws IllegalArgumentException when the level or a sample is NaN
     */
    public static TriangleMesh extract(DenseGrid grid, float level) {
        return extract(grid, level, true);
    }

    /**
     * As {@link #extract(DenseGrid, float)}, on all cores or on the calling thread only; the result is the same.
     *
     * @param parallel whether to process slabs in parallel
     */
    public static TriangleMesh extract(DenseGrid grid, float level, boolean parallel) {
        int cellLayers = grid.nx() - 1;
        int chunks = Math.min(cellLayers, 4 * Runtime.getRuntime().availableProcessors());
        return extract(grid, level, (cellLayers + chunks - 1) / chunks, parallel);
    }

    /** The dense extraction with slabs of {@code slabLayers} cell layers (any value gives the same mesh). */
    static TriangleMesh extract(DenseGrid grid, float level, int slabLayers, boolean parallel) {
        checkLevel(level);
        Dense d = new Dense(grid, level);
        d.pack(parallel);
        int cellLayers = grid.nx() - 1;
        int n = (cellLayers + slabLayers - 1) / slabLayers;
        Slab[] slabs = new Slab[n];
        IntStream range = IntStream.range(0, n);
        (parallel ? range.parallel() : range).forEach(s -> {
            int a = s * slabLayers, b = Math.min(cellLayers, a + slabLayers);
            slabs[s] = d.slab(a, b);
        });
        return stitch(slabs, parallel);
    }

    /**
     * The cells of a dense grid that the iso-surface crosses (some corner above, some below), as packed lattice
     * coordinates of their lower corners {@code i j k}, in lattice order. Their marching cubes is the whole surface.
     */
    public static int[] activeCells(DenseGrid grid, float level) {
        checkLevel(level);
        Dense d = new Dense(grid, level);
        d.pack(true);
        int[][] perLayer = new int[grid.nx() - 1][];
        IntStream.range(0, grid.nx() - 1).parallel().forEach(i -> perLayer[i] = d.activeInLayer(i));
        int total = 0;
        for (int[] a : perLayer) {
            total += a.length;
        }
        int[] out = new int[total];
        int o = 0;
        for (int[] a : perLayer) {
            System.arraycopy(a, 0, out, o, a.length);
            o += a.length;
        }
        return out;
    }

    /**
     * Marching cubes on the given cells of a dense grid only: the triangles of those cells exactly as {@link
     * #extract(DenseGrid, float)} makes them (same positions, normals and order).
     *
     * @param cells packed lower-corner coordinates {@code i j k} of the cells, {@code 0 <= i < nx - 1} etc.; order and
     *     repetitions do not matter
     */
    public static TriangleMesh extractSparse(DenseGrid grid, int[] cells, float level) {
        checkLevel(level);
        Dense d = new Dense(grid, level);
        Lattice lat = new Lattice(grid);
        long[] keys = lat.cellKeys(cells);
        for (long key : keys) { // the corners must be numbers; only the visited ones are checked
            for (int c = 0; c < 8; c++) {
                int i = lat.i(key) + (c >> 2 & 1), j = lat.j(key) + (c >> 1 & 1), k = lat.k(key) + (c & 1);
                if (Float.isNaN(d.at(i, j, k))) {
                    throw new IllegalArgumentException("grid value at (" + i + ", " + j + ", " + k + ") is NaN");
                }
            }
        }
        return sparse(lat, keys, d, level);
    }

    /**
     * Marching cubes on the given cells of a lattice whose values come from a batch callback, for narrow-band and
     * hierarchical decoding: the field is asked once for the corners of the cells, and once more for the lattice
     * neighbours of the crossed edges' ends (for the normals). The result equals {@link #extract(DenseGrid, float)}'s
     * triangles on those cells for a field that agrees with the grid.
     *
     * @param bounds the box of the lattice, its first and last points on the faces (as {@link DenseGrid})
     * @param nx lattice points along x (≥ 2), likewise {@code ny}, {@code nz}
     * @param cells packed lower-corner coordinates {@code i j k} of the cells to visit, {@code 0 <= i < nx - 1} etc.
     * @param field the values at lattice points, called with batches of points
     * @param level iso-value
     */
    public static TriangleMesh extractSparse(
            Aabb bounds, int nx, int ny, int nz, int[] cells, LatticeField field, float level) {
        checkLevel(level);
        Lattice lat = new Lattice(bounds, nx, ny, nz);
        long[] keys = lat.cellKeys(cells);
        long[] corners = new long[keys.length * 8];
        for (int c = 0; c < keys.length; c++) {
            for (int n = 0; n < 8; n++) {
                corners[8 * c + n] = keys[c] + lat.cornerOffset(n);
            }
        }
        Store store = new Store(lat, sortedUnique(corners), level);
        store.evaluate(field);
        store.addGradientNeighbours(keys, field);
        return sparse(lat, keys, store, level);
    }

    /**
     * Marching cubes on a sparse set of cells carrying their own corner values: the voxels of {@code cells} are the
     * cells, its {@code resolution + 1} points per axis the lattice, and its 8 channels the values at the corners,
     * channel {@code n} at offset {@code (n>>2 & 1, n>>1 & 1, n & 1)}. Cells sharing a corner must agree on its value.
     * Gradients use central differences where both lattice neighbours are known and one-sided ones otherwise.
     *
     * @throws IllegalArgumentException when the grid does not have 8 channels, a value is NaN, or two cells disagree
     *     on a shared corner
     */
    public static TriangleMesh extractSparse(SparseGrid cells, float level) {
        checkLevel(level);
        if (cells.channels() != 8) {
            throw new IllegalArgumentException("a sparse marching-cubes grid carries 8 corner values per cell, got "
                    + cells.channels() + " channels");
        }
        int r = cells.resolution();
        Lattice lat = new Lattice(cells.bounds(), r + 1, r + 1, r + 1);
        int[] coords = cells.coords();
        long[] keys = lat.cellKeys(coords);
        long[] corners = new long[keys.length * 8];
        for (int c = 0; c < keys.length; c++) {
            for (int n = 0; n < 8; n++) {
                corners[8 * c + n] = keys[c] + lat.cornerOffset(n);
            }
        }
        Store store = new Store(lat, sortedUnique(corners), level);
        store.fill(cells, lat);
        return sparse(lat, keys, store, level);
    }

    /**
     * Marching cubes over values given at a sparse set of points of an {@code n³} lattice: every cell whose eight
     * corners all have a value is visited, the others are skipped (so a band with holes gives a surface with holes).
     * Normals are central differences where both lattice neighbours have values, one-sided ones otherwise. The
     * triangles equal {@link #extract(DenseGrid, float)}'s on those cells for a dense grid holding the same values.
     *
     * @param bounds the lattice's box, its first and last points on the faces (as {@link DenseGrid})
     * @param n lattice points per axis (≥ 2)
     * @param keys the points as keys {@code (i·n + j)·n + k}, ascending, no repeats (not copied; left unchanged)
     * @param values the value at each key's point (not copied; left unchanged)
     * @param level iso-value
     * @throws IllegalArgumentException when a key is outside the lattice or out of order, or a value is NaN
     */
    public static TriangleMesh extractFromPoints(Aabb bounds, int n, long[] keys, float[] values, float level) {
        checkLevel(level);
        Lattice lat = new Lattice(bounds, n, n, n);
        if (keys.length != values.length) {
            throw new IllegalArgumentException(keys.length + " points but " + values.length + " values");
        }
        long points = (long) n * n * n;
        for (int p = 0; p < keys.length; p++) {
            if (keys[p] < 0 || keys[p] >= points || (p > 0 && keys[p] <= keys[p - 1])) {
                throw new IllegalArgumentException("point key " + keys[p] + " at " + p + " is "
                        + (keys[p] < 0 || keys[p] >= points
                                ? "outside the " + n + "³ lattice"
                                : "not above the one before"));
            }
            if (Float.isNaN(values[p])) {
                throw new IllegalArgumentException("the value at point (" + lat.i(keys[p]) + ", " + lat.j(keys[p])
                        + ", " + lat.k(keys[p]) + ") is NaN");
            }
        }
        Store store = new Store(lat, keys, values, level);
        boolean[] complete = new boolean[keys.length];
        IntStream.range(0, (keys.length + CELL_CHUNK - 1) / CELL_CHUNK)
                .parallel()
                .forEach(c -> {
                    for (int p = c * CELL_CHUNK, end = Math.min(keys.length, p + CELL_CHUNK); p < end; p++) {
                        long key = keys[p];
                        int i = lat.i(key), j = lat.j(key), k = lat.k(key);
                        boolean all = i + 1 < n && j + 1 < n && k + 1 < n;
                        for (int corner = 1; corner < 8 && all; corner++) {
                            all = store.index.indexOf(key + lat.cornerOffset(corner)) >= 0;
                        }
                        complete[p] = all;
                    }
                });
        int cells = 0;
        for (boolean b : complete) {
            cells += b ? 1 : 0;
        }
        long[] cellKeys = new long[cells];
        for (int p = 0, c = 0; p < keys.length; p++) {
            if (complete[p]) {
                cellKeys[c++] = keys[p];
            }
        }
        return sparse(lat, cellKeys, store, level);
    }

    /** Points per parallel piece when finding the complete cells of {@link #extractFromPoints}. */
    private static final int CELL_CHUNK = 4096;

    private static void checkLevel(float level) {
        if (Float.isNaN(level)) {
            throw new IllegalArgumentException("the iso-level is NaN");
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Shared per-vertex and per-cell rules (the dense and the sparse paths call the same code, so they agree bit for
    // bit).

    /** Lattice values as seen by the vertex and decider code. */
    abstract static class Values {
        /** The value at a lattice point. */
        abstract float at(int i, int j, int k);

        /** Whether the value at a lattice point is known (inside the lattice, and given for sparse input). */
        abstract boolean has(int i, int j, int k);
    }

    /** The regular lattice: sizes, coordinates and spacing. */
    static final class Lattice {
        final int nx, ny, nz;
        final double[] xs, ys, zs;
        final double hx, hy, hz;

        Lattice(DenseGrid g) {
            this(g.bounds(), g.nx(), g.ny(), g.nz());
        }

        Lattice(Aabb b, int nx, int ny, int nz) {
            if (nx < 2 || ny < 2 || nz < 2) {
                throw new IllegalArgumentException(
                        "a lattice needs at least 2 points per axis, got " + nx + "×" + ny + "×" + nz);
            }
            this.nx = nx;
            this.ny = ny;
            this.nz = nz;
            hx = b.sizeX() / (nx - 1);
            hy = b.sizeY() / (ny - 1);
            hz = b.sizeZ() / (nz - 1);
            xs = coords(b.minX(), b.maxX(), hx, nx);
            ys = coords(b.minY(), b.maxY(), hy, ny);
            zs = coords(b.minZ(), b.maxZ(), hz, nz);
        }

        /** Same formula as {@link DenseGrid#x(int)}. */
        private static double[] coords(double min, double max, double h, int n) {
            double[] c = new double[n];
            for (int i = 0; i < n; i++) {
                c[i] = i == n - 1 ? max : min + i * h;
            }
            return c;
        }

        long key(int i, int j, int k) {
            return ((long) i * ny + j) * nz + k;
        }

        int i(long key) {
            return (int) (key / ((long) ny * nz));
        }

        int j(long key) {
            return (int) (key / nz % ny);
        }

        int k(long key) {
            return (int) (key % nz);
        }

        long cornerOffset(int corner) {
            return ((corner >> 2 & 1) * (long) ny + (corner >> 1 & 1)) * nz + (corner & 1);
        }

        long axisStride(int axis) {
            return axis == 0 ? (long) ny * nz : axis == 1 ? nz : 1;
        }

        boolean inside(int i, int j, int k) {
            return i >= 0 && i < nx && j >= 0 && j < ny && k >= 0 && k < nz;
        }

        /** Validated, sorted, duplicate-free keys of packed cell coordinates. */
        long[] cellKeys(int[] cells) {
            if (cells.length % 3 != 0) {
                throw new IllegalArgumentException(
                        "cell coordinates length " + cells.length + " is not a multiple of 3");
            }
            long[] keys = new long[cells.length / 3];
            for (int c = 0; c < keys.length; c++) {
                int i = cells[3 * c], j = cells[3 * c + 1], k = cells[3 * c + 2];
                if (i < 0 || i >= nx - 1 || j < 0 || j >= ny - 1 || k < 0 || k >= nz - 1) {
                    throw new IllegalArgumentException("cell " + c + " at (" + i + ", " + j + ", " + k
                            + ") is outside the " + (nx - 1) + "×" + (ny - 1) + "×" + (nz - 1) + " cells");
                }
                keys[c] = key(i, j, k);
            }
            return sortedUnique(keys);
        }
    }

    /**
     * The vertex on the lattice edge from {@code (i, j, k)} along {@code axis}: position then unit normal, six floats
     * written at {@code out[o..o+6)}.
     */
    static void edgeVertex(Values f, Lattice l, float level, int i, int j, int k, int axis, float[] out, int o) {
        int i1 = axis == 0 ? i + 1 : i, j1 = axis == 1 ? j + 1 : j, k1 = axis == 2 ? k + 1 : k;
        float va = f.at(i, j, k), vb = f.at(i1, j1, k1);
        double t = ((double) level - va) / ((double) vb - va);
        if (Double.isNaN(t)) {
            t = 0.5; // infinite values at both ends
        }
        t = Math.min(1 - MIN_T, Math.max(MIN_T, t));
        double x = l.xs[i], y = l.ys[j], z = l.zs[k];
        if (axis == 0) {
            x += t * (l.xs[i1] - x);
        } else if (axis == 1) {
            y += t * (l.ys[j1] - y);
        } else {
            z += t * (l.zs[k1] - z);
        }
        out[o] = (float) x;
        out[o + 1] = (float) y;
        out[o + 2] = (float) z;
        double gx = (1 - t) * gradient(f, l.hx, i, j, k, 0) + t * gradient(f, l.hx, i1, j1, k1, 0);
        double gy = (1 - t) * gradient(f, l.hy, i, j, k, 1) + t * gradient(f, l.hy, i1, j1, k1, 1);
        double gz = (1 - t) * gradient(f, l.hz, i, j, k, 2) + t * gradient(f, l.hz, i1, j1, k1, 2);
        double len = Math.sqrt(gx * gx + gy * gy + gz * gz);
        if (!(len > 0 && len < Double.POSITIVE_INFINITY)) { // flat or infinite field: the edge's own direction
            gx = axis == 0 ? vb - va : 0;
            gy = axis == 1 ? vb - va : 0;
            gz = axis == 2 ? vb - va : 0;
            len = Math.abs(vb - va);
            if (!(len > 0 && len < Double.POSITIVE_INFINITY)) {
                gx = axis == 0 ? (vb >= level ? 1 : -1) : 0;
                gy = axis == 1 ? (vb >= level ? 1 : -1) : 0;
                gz = axis == 2 ? (vb >= level ? 1 : -1) : 0;
                len = 1;
            }
        }
        out[o + 3] = (float) (gx / len);
        out[o + 4] = (float) (gy / len);
        out[o + 5] = (float) (gz / len);
    }

    /** One component of the field's gradient at a lattice point: central where both neighbours are known. */
    private static double gradient(Values f, double h, int i, int j, int k, int axis) {
        int di = axis == 0 ? 1 : 0, dj = axis == 1 ? 1 : 0, dk = axis == 2 ? 1 : 0;
        boolean lo = f.has(i - di, j - dj, k - dk), hi = f.has(i + di, j + dj, k + dk);
        if (lo && hi) {
            return ((double) f.at(i + di, j + dj, k + dk) - f.at(i - di, j - dj, k - dk)) / (2 * h);
        } else if (hi) {
            return ((double) f.at(i + di, j + dj, k + dk) - f.at(i, j, k)) / h;
        } else if (lo) {
            return ((double) f.at(i, j, k) - f.at(i - di, j - dj, k - dk)) / h;
        }
        return 0;
    }

    /**
     * The decisions on the ambiguous faces of a cell (bit f set: the above corners of face f are joined across it),
     * by the asymptotic decider: the bilinear interpolant's saddle on a face with above diagonal {@code (p, q)} and
     * below diagonal {@code (r, s)} (values relative to the level) is {@code (pq - rs) / (p + q - r - s)}, above
     * exactly when {@code pq >= rs}. Products of two floats are exact in double, so both cells sharing the face
     * decide the same.
     *
     * @param rel the eight corner values minus the level, by corner number
     */
    static int decide(int cas, float[] rel) {
        int amb = AMBIGUOUS[cas], bits = 0;
        for (int f = 0; f < 6; f++) {
            if ((amb >> f & 1) != 0) {
                int[] c = FACE_CORNERS[f];
                double d02 = (double) rel[c[0]] * rel[c[2]], d13 = (double) rel[c[1]] * rel[c[3]];
                boolean firstAbove = (cas >> c[0] & 1) != 0;
                boolean joined = firstAbove ? d02 >= d13 : d13 >= d02;
                if (joined) {
                    bits |= 1 << f;
                }
            }
        }
        return bits;
    }

    /** The configuration (table index) of a cell from its eight values. */
    static int configuration(float[] values, float level, float[] rel) {
        int cas = 0;
        for (int n = 0; n < 8; n++) {
            if (values[n] >= level) {
                cas |= 1 << n;
            }
        }
        if (AMBIGUOUS[cas] == 0) {
            return cas;
        }
        for (int n = 0; n < 8; n++) {
            rel[n] = values[n] - level;
        }
        return cas | decide(cas, rel) << 8;
    }

    /**
     * The interior vertex of a cell whose configuration has a fan: the mean of the fan loop's vertices and their
     * normalised mean normal. The loop's edges are visited in table order, so every caller sums in the same order.
     */
    static void centreVertex(Values f, Lattice l, float level, int i, int j, int k, int config, float[] out, int o) {
        float[] v = new float[6];
        double[] s = new double[6];
        int count = 0;
        for (int t = OFFSET[config]; t < OFFSET[config + 1]; t += 3) {
            if (TRIANGLES[t] != CENTRE) {
                continue;
            }
            int e = TRIANGLES[t + 1], b = EDGE_BASE[e];
            edgeVertex(f, l, level, i + (b >> 2 & 1), j + (b >> 1 & 1), k + (b & 1), e >> 2, v, 0);
            for (int c = 0; c < 6; c++) {
                s[c] += v[c];
            }
            count++;
        }
        double len = Math.sqrt(s[3] * s[3] + s[4] * s[4] + s[5] * s[5]);
        for (int c = 0; c < 3; c++) {
            out[o + c] = (float) (s[c] / count);
            out[o + 3 + c] = len > 0 ? (float) (s[3 + c] / len) : 0;
        }
        if (!(len > 0)) {
            out[o + 3] = 1; // opposite normals cancelling out exactly: any unit vector will do
        }
    }

    static long[] sortedUnique(long[] a) {
        long[] s = a.clone();
        Arrays.parallelSort(s);
        int n = 0;
        for (int i = 0; i < s.length; i++) {
            if (i == 0 || s[i] != s[i - 1]) {
                s[n++] = s[i];
            }
        }
        return Arrays.copyOf(s, n);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Dense extraction.

    /** The output of one slab: its own edge vertices, its interior vertices and its triangles (encoded ids). */
    private static final class Slab {
        float[] vertices = new float[6 * 1024]; // position + normal per vertex
        int vertexCount;
        float[] centres = new float[0];
        int centreCount;
        int[] triangles = new int[3 * 2048];
        int triangleCount;

        void addTriangle(int a, int b, int c) {
            if (3 * triangleCount + 3 > triangles.length) {
                triangles = Arrays.copyOf(triangles, triangles.length * 2);
            }
            triangles[3 * triangleCount] = a;
            triangles[3 * triangleCount + 1] = b;
            triangles[3 * triangleCount + 2] = c;
            triangleCount++;
        }
    }

    /** Encoded ids in a slab's triangles: own edge vertices ≥ 0, the next slab's first layer and interior vertices. */
    private static final int FOREIGN_BASE = -1, CENTRE_BASE = -(1 << 30) - 1;

    /**
     * The dense lattice with its signs packed in bits: bit {@code k} of row {@code (i, j)} is set when sample {@code
     * (i, j, k)} is above. Crossed edges and active cells are then found 64 at a time with word operations, and only
     * the few samples near the surface are read as floats again.
     */
    private static final class Dense extends Values {
        final float[] v;
        final int nx, ny, nz, sx, sy;
        /** Words per row, and the row stride of a layer in words. */
        final int words, layerWords;

        final float level;
        final Lattice lattice;
        long[] bits;
        /** Per cell edge: which plane (0 = lower x, 1 = upper x) and offset of its base within the plane. */
        final int[] edgePlane = new int[12], edgeOffset = new int[12];

        Dense(DenseGrid g, float level) {
            this.v = g.sharedValues();
            this.nx = g.nx();
            this.ny = g.ny();
            this.nz = g.nz();
            this.sx = ny * nz;
            this.sy = nz;
            this.words = (nz + 63) >>> 6;
            this.layerWords = Math.multiplyExact(ny, words);
            this.level = level;
            this.lattice = new Lattice(g);
            for (int e = 0; e < 12; e++) {
                int b = EDGE_BASE[e];
                edgePlane[e] = b >> 2 & 1;
                edgeOffset[e] = (b >> 1 & 1) * nz + (b & 1);
            }
        }

        @Override
        float at(int i, int j, int k) {
            return v[(i * ny + j) * nz + k];
        }

        @Override
        boolean has(int i, int j, int k) {
            return i >= 0 && i < nx && j >= 0 && j < ny && k >= 0 && k < nz;
        }

        /** Packs the signs of all samples (in parallel by layer), rejecting NaN. */
        void pack(boolean parallel) {
            bits = new long[Math.multiplyExact(nx, layerWords)];
            IntStream layers = IntStream.range(0, nx);
            (parallel ? layers.parallel() : layers).forEach(this::packLayer);
        }

        private void packLayer(int i) {
            float lv = level;
            boolean nan = false;
            for (int j = 0; j < ny; j++) {
                int p = (i * ny + j) * nz, row = (i * ny + j) * words;
                for (int w = 0; w < words; w++) {
                    long word = 0;
                    int k0 = w << 6, n = Math.min(64, nz - k0);
                    for (int b = 0; b < n; b++) {
                        float x = v[p + k0 + b];
                        word |= (x >= lv ? 1L : 0L) << b;
                        nan |= x != x;
                    }
                    bits[row + w] = word;
                }
            }
            if (nan) {
                for (int p = i * sx, end = p + sx; p < end; p++) {
                    if (Float.isNaN(v[p])) {
                        throw new IllegalArgumentException(
                                "grid value at (" + i + ", " + (p - i * sx) / nz + ", " + p % nz + ") is NaN");
                    }
                }
            }
        }

        /** Bits {@code k + 1} of the row starting at word {@code row}, word {@code w}. */
        private long next(int row, int w) {
            long x = bits[row + w] >>> 1;
            return w + 1 < words ? x | bits[row + w + 1] << 63 : x;
        }

        /** The bits of word {@code w} for {@code k < nz - 1} (edges along z and cells exist there). */
        private long inner(int w) {
            int n = nz - 1 - (w << 6);
            return n >= 64 ? -1L : n <= 0 ? 0L : (1L << n) - 1;
        }

        /** Numbers the crossed edges owned by point layer {@code i} (x, y, z edges of each point, in lattice order). */
        int numberLayer(int i, int[][] ids, Slab own) {
            int count = 0;
            for (int j = 0; j < ny; j++) {
                int row = (i * ny + j) * words;
                for (int w = 0; w < words; w++) {
                    long r = bits[row + w];
                    long xs = i + 1 < nx ? r ^ bits[row + layerWords + w] : 0;
                    long ys = j + 1 < ny ? r ^ bits[row + words + w] : 0;
                    long zs = (r ^ next(row, w)) & inner(w);
                    for (long any = xs | ys | zs; any != 0; any &= any - 1) {
                        int b = Long.numberOfTrailingZeros(any), k = (w << 6) + b, jk = j * nz + k;
                        if ((xs >>> b & 1) != 0) {
                            ids[0][jk] = count++;
                            if (own != null) {
                                addVertex(own, i, j, k, 0);
                            }
                        }
                        if ((ys >>> b & 1) != 0) {
                            ids[1][jk] = count++;
                            if (own != null) {
                                addVertex(own, i, j, k, 1);
                            }
                        }
                        if ((zs >>> b & 1) != 0) {
                            ids[2][jk] = count++;
                            if (own != null) {
                                addVertex(own, i, j, k, 2);
                            }
                        }
                    }
                }
            }
            return count;
        }

        private void addVertex(Slab s, int i, int j, int k, int axis) {
            if (6 * s.vertexCount + 6 > s.vertices.length) {
                s.vertices = Arrays.copyOf(s.vertices, s.vertices.length * 2);
            }
            edgeVertex(this, lattice, level, i, j, k, axis, s.vertices, 6 * s.vertexCount);
            s.vertexCount++;
        }

        /** Cell layers {@code [a, b)}; owns point layers {@code [a, b)}, and the last one if {@code b = nx - 1}. */
        Slab slab(int a, int b) {
            Slab s = new Slab();
            int plane = ny * nz;
            int[][] lo = new int[3][plane], hi = new int[3][plane];
            int loBase = 0; // local id of the lower plane's first vertex
            int loCount = numberLayer(a, lo, s);
            float[] rel = new float[8];
            int[] base = new int[2];
            for (int i = a; i < b; i++) {
                boolean ownsUpper = i + 1 < b || i + 1 == nx - 1;
                int hiBase = ownsUpper ? loBase + loCount : 0;
                int hiCount = numberLayer(i + 1, hi, ownsUpper ? s : null);
                base[0] = loBase;
                base[1] = hiBase;
                cells(s, i, lo, hi, base, ownsUpper, rel);
                int[][] t = lo;
                lo = hi;
                hi = t;
                loBase = hiBase;
                loCount = hiCount;
            }
            return s;
        }

        /** The cells of row {@code (i, j)} in word {@code w} that have corners on both sides. */
        private long active(int i, int j, int w) {
            int a = (i * ny + j) * words, b = a + words, c = a + layerWords, d = c + words;
            long a0 = bits[a + w], b0 = bits[b + w], c0 = bits[c + w], d0 = bits[d + w];
            long a1 = next(a, w), b1 = next(b, w), c1 = next(c, w), d1 = next(d, w);
            long ones = a0 & a1 & b0 & b1 & c0 & c1 & d0 & d1;
            long zeros = a0 | a1 | b0 | b1 | c0 | c1 | d0 | d1;
            return ~ones & zeros & inner(w);
        }

        /** The case (above corners) of cell {@code (i, j, k)} from the packed signs. */
        private int caseOf(int i, int j, int k) {
            int a = (i * ny + j) * words, b = a + words, c = a + layerWords, d = c + words;
            return bit(a, k)
                    | bit(a, k + 1) << 1
                    | bit(b, k) << 2
                    | bit(b, k + 1) << 3
                    | bit(c, k) << 4
                    | bit(c, k + 1) << 5
                    | bit(d, k) << 6
                    | bit(d, k + 1) << 7;
        }

        private int bit(int row, int k) {
            return (int) (bits[row + (k >>> 6)] >>> (k & 63)) & 1;
        }

        /** Emits the triangles of cell layer {@code i}. */
        private void cells(Slab s, int i, int[][] lo, int[][] hi, int[] base, boolean ownsUpper, float[] rel) {
            float lv = level;
            int[][][] planes = {lo, hi};
            for (int j = 0; j + 1 < ny; j++) {
                int p00 = (i * ny + j) * nz;
                for (int w = 0; w < words; w++) {
                    for (long act = active(i, j, w); act != 0; act &= act - 1) {
                        int k = (w << 6) + Long.numberOfTrailingZeros(act);
                        int cas = caseOf(i, j, k);
                        int config = cas;
                        if (AMBIGUOUS[cas] != 0) {
                            for (int n = 0; n < 8; n++) {
                                rel[n] = v[p00 + k + (n >> 2 & 1) * sx + (n >> 1 & 1) * sy + (n & 1)] - lv;
                            }
                            config |= decide(cas, rel) << 8;
                        }
                        int jk = j * nz + k;
                        if (!MarchingCubesTable.fan(config)) {
                            for (int t = OFFSET[config], end = OFFSET[config + 1]; t < end; t += 3) {
                                s.addTriangle(
                                        id(TRIANGLES[t], planes, jk, base, ownsUpper),
                                        id(TRIANGLES[t + 1], planes, jk, base, ownsUpper),
                                        id(TRIANGLES[t + 2], planes, jk, base, ownsUpper));
                            }
                            continue;
                        }
                        int centre = CENTRE_BASE - addCentre(s, i, j, k, config);
                        for (int t = OFFSET[config], end = OFFSET[config + 1]; t < end; t += 3) {
                            int[] id = new int[3];
                            for (int c = 0; c < 3; c++) {
                                int e = TRIANGLES[t + c];
                                id[c] = e == CENTRE ? centre : id(e, planes, jk, base, ownsUpper);
                            }
                            s.addTriangle(id[0], id[1], id[2]);
                        }
                    }
                }
            }
        }

        /** The encoded id of the vertex on cell edge {@code e} of the cell at plane offset {@code jk}. */
        private int id(int e, int[][][] planes, int jk, int[] base, boolean ownsUpper) {
            int pl = edgePlane[e];
            int local = planes[pl][e >> 2][jk + edgeOffset[e]];
            return pl == 1 && !ownsUpper ? FOREIGN_BASE - local : base[pl] + local;
        }

        private int addCentre(Slab s, int i, int j, int k, int config) {
            if (6 * s.centreCount + 6 > s.centres.length) {
                s.centres = Arrays.copyOf(s.centres, Math.max(60, s.centres.length * 2));
            }
            centreVertex(this, lattice, level, i, j, k, config, s.centres, 6 * s.centreCount);
            return s.centreCount++;
        }

        int[] activeInLayer(int i) {
            int[] out = new int[48];
            int n = 0;
            for (int j = 0; j + 1 < ny; j++) {
                for (int w = 0; w < words; w++) {
                    for (long act = active(i, j, w); act != 0; act &= act - 1) {
                        if (n + 3 > out.length) {
                            out = Arrays.copyOf(out, out.length * 2);
                        }
                        out[n++] = i;
                        out[n++] = j;
                        out[n++] = (w << 6) + Long.numberOfTrailingZeros(act);
                    }
                }
            }
            return Arrays.copyOf(out, n);
        }
    }

    /** Concatenates slabs in order, resolving their encoded vertex ids to global ones. */
    private static TriangleMesh stitch(Slab[] slabs, boolean parallel) {
        int n = slabs.length;
        int[] vOff = new int[n + 1], cOff = new int[n + 1], tOff = new int[n + 1];
        for (int s = 0; s < n; s++) {
            vOff[s + 1] = Math.addExact(vOff[s], slabs[s].vertexCount);
            cOff[s + 1] = Math.addExact(cOff[s], slabs[s].centreCount);
            tOff[s + 1] = Math.addExact(tOff[s], slabs[s].triangleCount);
        }
        int edgeVertices = vOff[n];
        int vertices = Math.addExact(edgeVertices, cOff[n]);
        float[] pos = new float[Math.multiplyExact(3, vertices)], nrm = new float[3 * vertices];
        int[] tri = new int[Math.multiplyExact(3, tOff[n])];
        IntStream range = IntStream.range(0, n);
        (parallel ? range.parallel() : range).forEach(s -> {
            Slab sl = slabs[s];
            for (int q = 0; q < sl.vertexCount; q++) {
                int g = vOff[s] + q;
                System.arraycopy(sl.vertices, 6 * q, pos, 3 * g, 3);
                System.arraycopy(sl.vertices, 6 * q + 3, nrm, 3 * g, 3);
            }
            for (int q = 0; q < sl.centreCount; q++) {
                int g = edgeVertices + cOff[s] + q;
                System.arraycopy(sl.centres, 6 * q, pos, 3 * g, 3);
                System.arraycopy(sl.centres, 6 * q + 3, nrm, 3 * g, 3);
            }
            int own = vOff[s], next = vOff[s + 1], centre = edgeVertices + cOff[s];
            for (int q = 0, o = 3 * tOff[s]; q < 3 * sl.triangleCount; q++) {
                int id = sl.triangles[q];
                tri[o + q] = id >= 0
                        ? own + id
                        : id > CENTRE_BASE ? next + (FOREIGN_BASE - id) : centre + (CENTRE_BASE - id);
            }
        });
        return TriangleMesh.adopt(pos, tri, nrm, null);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Sparse extraction.

    /** Known values of a sparse lattice: sorted point keys and their values. */
    private static final class Store extends Values {
        final Lattice lat;
        long[] keys;
        /** Finds a key's position in {@link #keys}, one lattice row per bucket. */
        SortedKeyIndex index;

        float[] vals;
        final float level;

        Store(Lattice lat, long[] keys, float level) {
            this(lat, keys, new float[keys.length], level);
        }

        Store(Lattice lat, long[] keys, float[] vals, float level) {
            this.lat = lat;
            this.keys = keys;
            this.index = new SortedKeyIndex(keys, lat.nz);
            this.vals = vals;
            this.level = level;
        }

        @Override
        float at(int i, int j, int k) {
            int s = index.indexOf(lat.key(i, j, k));
            if (s < 0) {
                throw new IllegalStateException("no value at (" + i + ", " + j + ", " + k + ")");
            }
            return vals[s];
        }

        @Override
        boolean has(int i, int j, int k) {
            return lat.inside(i, j, k) && index.indexOf(lat.key(i, j, k)) >= 0;
        }

        float at(long key) {
            return vals[index.indexOf(key)];
        }

        /** Asks the field for every stored point. */
        void evaluate(LatticeField field) {
            vals = ask(field, keys);
        }

        private float[] ask(LatticeField field, long[] points) {
            int[] ijk = new int[Math.multiplyExact(3, points.length)];
            for (int p = 0; p < points.length; p++) {
                ijk[3 * p] = lat.i(points[p]);
                ijk[3 * p + 1] = lat.j(points[p]);
                ijk[3 * p + 2] = lat.k(points[p]);
            }
            float[] out = points.length == 0 ? new float[0] : field.values(ijk);
            if (out == null || out.length != points.length) {
                throw new IllegalArgumentException("the lattice field returned "
                        + (out == null ? "null" : out.length + " values") + " for " + points.length + " points");
            }
            for (int p = 0; p < out.length; p++) {
                if (Float.isNaN(out[p])) {
                    throw new IllegalArgumentException("the lattice field is NaN at (" + ijk[3 * p] + ", "
                            + ijk[3 * p + 1] + ", " + ijk[3 * p + 2] + ")");
                }
            }
            return out;
        }

        /** Fills values from a sparse grid's corner channels, checking that shared corners agree. */
        void fill(SparseGrid g, Lattice l) {
            boolean[] set = new boolean[keys.length];
            for (int c = 0; c < g.size(); c++) {
                long key = l.key(g.i(c), g.j(c), g.k(c));
                for (int n = 0; n < 8; n++) {
                    float value = g.value(c, n);
                    if (Float.isNaN(value)) {
                        throw new IllegalArgumentException("cell " + c + " at (" + g.i(c) + ", " + g.j(c) + ", "
                                + g.k(c) + ") corner " + n + " is NaN");
                    }
                    int s = index.indexOf(key + l.cornerOffset(n));
                    if (set[s] && Float.floatToIntBits(vals[s]) != Float.floatToIntBits(value) && vals[s] != value) {
                        throw new IllegalArgumentException("cell " + c + " at (" + g.i(c) + ", " + g.j(c) + ", "
                                + g.k(c) + ") corner " + n + " has value " + value + " but a neighbouring cell gives "
                                + vals[s] + " for the same lattice point; corner values of adjacent cells must agree");
                    }
                    vals[s] = value;
                    set[s] = true;
                }
            }
        }

        /** Asks the field for the lattice neighbours of the ends of crossed edges that are not known yet. */
        void addGradientNeighbours(long[] cells, LatticeField field) {
            long[] want = new long[1024];
            int n = 0;
            for (long cell : cells) {
                int ci = lat.i(cell), cj = lat.j(cell), ck = lat.k(cell);
                int cas = 0;
                for (int c = 0; c < 8; c++) {
                    if (at(cell + lat.cornerOffset(c)) >= level) {
                        cas |= 1 << c;
                    }
                }
                if (cas == 0 || cas == 255) {
                    continue;
                }
                for (int c = 0; c < 8; c++) {
                    int i = ci + (c >> 2 & 1), j = cj + (c >> 1 & 1), k = ck + (c & 1);
                    for (int d = 0; d < 6; d++) {
                        int ni = i + (d == 0 ? -1 : d == 1 ? 1 : 0);
                        int nj = j + (d == 2 ? -1 : d == 3 ? 1 : 0);
                        int nk = k + (d == 4 ? -1 : d == 5 ? 1 : 0);
                        if (lat.inside(ni, nj, nk)) {
                            long key = lat.key(ni, nj, nk);
                            if (index.indexOf(key) < 0) {
                                if (n == want.length) {
                                    want = Arrays.copyOf(want, n * 2);
                                }
                                want[n++] = key;
                            }
                        }
                    }
                }
            }
            long[] extra = sortedUnique(Arrays.copyOf(want, n));
            if (extra.length == 0) {
                return;
            }
            float[] extraVals = ask(field, extra);
            long[] mk = new long[keys.length + extra.length];
            float[] mv = new float[mk.length];
            SortedKeyIndex.merge(keys, vals, extra, extraVals, mk, mv);
            keys = mk;
            vals = mv;
            index = new SortedKeyIndex(keys, lat.nz);
        }
    }

    /** Marching cubes over sorted cell keys with values from {@code f} (which knows every corner of every cell). */
    private static TriangleMesh sparse(Lattice lat, long[] cells, Values f, float level) {
        int nCells = cells.length;
        int[] configs = new int[nCells];
        IntStream.range(0, nCells).parallel().forEach(c -> {
            float[] vals = new float[8], rel = new float[8];
            long key = cells[c];
            int i = lat.i(key), j = lat.j(key), k = lat.k(key);
            for (int n = 0; n < 8; n++) {
                vals[n] = f.at(i + (n >> 2 & 1), j + (n >> 1 & 1), k + (n & 1));
            }
            configs[c] = configuration(vals, level, rel);
        });
        // edge vertices: crossed edges of the cells, keyed by lower point and axis (the dense order)
        int crossed = 0;
        for (int c = 0; c < nCells; c++) {
            int cas = configs[c] & 255;
            crossed += cas == 0 || cas == 255 ? 0 : 12;
        }
        long[] edgeKeys = new long[crossed];
        int ne = 0;
        for (int c = 0; c < nCells; c++) {
            int cas = configs[c] & 255;
            if (cas == 0 || cas == 255) {
                continue;
            }
            for (int e = 0; e < 12; e++) {
                int b = EDGE_BASE[e], t = b | AXIS_BIT[e >> 2];
                if ((cas >> b & 1) != (cas >> t & 1)) {
                    edgeKeys[ne++] = (cells[c] + lat.cornerOffset(b)) * 3 + (e >> 2);
                }
            }
        }
        long[] edges = sortedUnique(Arrays.copyOf(edgeKeys, ne));
        SortedKeyIndex edgeIndex = new SortedKeyIndex(edges, 3L * lat.nz); // one lattice row's edges per bucket
        int[] centreIndex = new int[nCells];
        int centres = 0;
        for (int c = 0; c < nCells; c++) {
            centreIndex[c] = MarchingCubesTable.fan(configs[c]) ? centres++ : -1;
        }
        int vertices = Math.addExact(edges.length, centres);
        float[] pos = new float[Math.multiplyExact(3, vertices)], nrm = new float[3 * vertices];
        IntStream.range(0, edges.length).parallel().forEach(q -> {
            float[] out = new float[6];
            long point = edges[q] / 3;
            edgeVertex(f, lat, level, lat.i(point), lat.j(point), lat.k(point), (int) (edges[q] % 3), out, 0);
            System.arraycopy(out, 0, pos, 3 * q, 3);
            System.arraycopy(out, 3, nrm, 3 * q, 3);
        });
        int[] triOffset = new int[nCells + 1];
        for (int c = 0; c < nCells; c++) {
            triOffset[c + 1] = Math.addExact(triOffset[c], OFFSET[configs[c] + 1] - OFFSET[configs[c]]);
        }
        int[] tri = new int[triOffset[nCells]];
        int centreBase = edges.length;
        IntStream.range(0, nCells).parallel().forEach(c -> {
            long key = cells[c];
            int i = lat.i(key), j = lat.j(key), k = lat.k(key);
            int config = configs[c];
            if (centreIndex[c] >= 0) {
                float[] out = new float[6];
                centreVertex(f, lat, level, i, j, k, config, out, 0);
                int g = centreBase + centreIndex[c];
                System.arraycopy(out, 0, pos, 3 * g, 3);
                System.arraycopy(out, 3, nrm, 3 * g, 3);
            }
            for (int t = OFFSET[config], o = triOffset[c]; t < OFFSET[config + 1]; t++, o++) {
                int e = TRIANGLES[t];
                if (e == CENTRE) {
                    tri[o] = centreBase + centreIndex[c];
                } else {
                    long edgeKey = (key + lat.cornerOffset(EDGE_BASE[e])) * 3 + (e >> 2);
                    tri[o] = edgeIndex.indexOf(edgeKey);
                }
            }
        });
        return TriangleMesh.adopt(pos, tri, nrm, null);
    }
}
