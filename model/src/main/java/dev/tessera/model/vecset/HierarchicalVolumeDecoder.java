package dev.tessera.model.vecset;

import dev.tessera.geometry.DenseGrid;
import dev.tessera.geometry.MarchingCubes;
import dev.tessera.geometry.TriangleMesh;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Hierarchical volume decoding, in the spirit of FlashVDM (Hunyuan3D-2's {@code HierarchicalVolumeDecoding}): decode
 * a coarse lattice densely, keep the cells near the iso-surface — a sign change among their corners, or a corner
 * value within a band of 0 — grow them by some cells on every side, split each into its 8 children on the next
 * lattice (twice as fine), and repeat until the target resolution. At the target, marching cubes runs on the kept cells only ({@link MarchingCubes#extractSparse}),
 * asking the field for their corners and for the lattice neighbours its normals need.
 *
 * <p>Which cells are kept at a level of cell side {@code h}:
 *
 * <ul>
 *   <li>For a field that is a scaled signed distance ({@link PointField#distancePerUnit()} {@code d > 0}, a truncated
 *       SDF): every point of a cube lies within half its diagonal, {@code √3·h/2}, of a corner, so a cell can only
 *       hold the surface if a corner's value is below {@code √3·h/(2d)}. Cells with a corner below {@code bandFactor}
 *       times that are kept ({@code bandFactor > 1} allows for a learned field that is not exactly a distance), and no
 *       dilation is needed. When that band reaches the truncation ({@value #SATURATED} in field units) the values no
 *       longer tell distances: then cells with a sign change or a corner below {@value #SATURATED} are kept and
 *       grown by {@code dilation}.
 *   <li>For any other field (occupancy logits): cells with a sign change or a corner within {@code logitBand} of 0
 *       (Hunyuan3D-2's {@code |logit| < 0.95}), grown by {@code dilation} ({@code finalDilation} before the target).
 * </ul>
 *
 * <p>A lattice point is decoded at most once per level, and points shared with the coarser level are reused, not
 * decoded again. Every point has the float coordinates the dense decoder gives it ({@link Lattice}), so when the kept
 * cells contain every cell the surface crosses, the mesh is the dense decoder's, triangle for triangle. A surface
 * detail smaller than a coarse cell that leaves no trace on the coarse lattice (no sign change and no value within
 * the band, even after dilation) is missed.
 *
 * <p>Cost: about {@code (R₀ + 1)³} queries for the coarse lattice plus a number proportional to the surface's area
 * in cells at each finer level, instead of {@code (R + 1)³}; memory likewise.
 */
public final class HierarchicalVolumeDecoder {
    private final int minResolution;
    private final int dilation;
    private final int finalDilation;
    private final double bandFactor;
    private final float logitBand;

    /** What one extraction did: the mesh, and the queries per level (coarsest first). */
    public record Result(TriangleMesh mesh, List<Integer> resolutions, List<Long> queriesPerLevel) {
        /** Queries in all. */
        public long queries() {
            return queriesPerLevel.stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * @param minResolution the coarse lattice is the target halved while it stays at or above this
     * @param dilation cells added around the kept cells on every side before refining to an intermediate level
     * @param finalDilation the same before refining to the target level
     * @param bandFactor for distance-like fields, keep cells with a corner within {@code bandFactor} cell diagonals
     * @param logitBand for other fields, keep cells with a corner value within this of 0
     */
    public HierarchicalVolumeDecoder(
            int minResolution, int dilation, int finalDilation, double bandFactor, float logitBand) {
        if (minResolution < 2 || dilation < 0 || finalDilation < 0 || !(bandFactor >= 0) || !(logitBand >= 0)) {
            throw new IllegalArgumentException("hierarchical decoding needs min resolution ≥ 2 and dilations and bands"
                    + " ≥ 0, got " + minResolution + ", " + dilation + ", " + finalDilation + ", " + bandFactor + ", "
                    + logitBand);
        }
        this.minResolution = minResolution;
        this.dilation = dilation;
        this.finalDilation = finalDilation;
        this.bandFactor = bandFactor;
        this.logitBand = logitBand;
    }

    /**
     * Coarsest lattice ≥ 32 cells; one cell of dilation at intermediate levels, none at the last; band 1.5 cell
     * diagonals for distance-like fields, 0.95 for logits (Hunyuan3D-2's {@code |logit| < 0.95}).
     */
    public static HierarchicalVolumeDecoder defaults() {
        return new HierarchicalVolumeDecoder(32, 1, 0, 1.5, 0.95f);
    }

    /** Field values at or beyond this are a truncated SDF's saturation: they tell no distance. */
    static final float SATURATED = 0.95f;

    /** The band (in field units) at a level of cell side {@code h}, and whether its cells must be dilated. */
    private record Band(float value, boolean dilate) {}

    private Band band(PointField field, double h) {
        double d = field.distancePerUnit();
        if (d > 0) {
            double b = bandFactor * Math.sqrt(3) * h / (2 * d);
            return b < SATURATED ? new Band((float) b, false) : new Band(SATURATED, true);
        }
        return new Band(logitBand, true);
    }

    /** The resolutions visited for a target: the target halved while even and at or above the minimum, coarsest first. */
    public List<Integer> resolutions(int target) {
        List<Integer> r = new ArrayList<>();
        r.add(target);
        int t = target;
        while (t % 2 == 0 && t / 2 >= minResolution) {
            t /= 2;
            r.add(0, t);
        }
        return r;
    }

    /** The surface of {@code field} on {@code lattice}. */
    public TriangleMesh extract(PointField field, Lattice lattice) {
        return extractWithReport(field, lattice).mesh();
    }

    /** The surface, with the resolutions visited and the queries made at each. */
    public Result extractWithReport(PointField field, Lattice lattice) {
        List<Integer> levels = resolutions(lattice.resolution());
        List<Long> counts = new ArrayList<>();
        int r0 = levels.get(0);
        Lattice coarse = new Lattice(lattice.bounds(), r0);
        DenseVolumeDecoder.checkMemory(
                "the coarse " + (r0 + 1) + "³ lattice",
                DenseVolumeDecoder.estimateBytes(coarse),
                "lower the resolution");
        // level 0: every point
        DenseGrid grid = DenseVolumeDecoder.decode(field, coarse, null);
        counts.add(coarse.size());
        Level level = Level.dense(grid, r0);
        long[] cells = allCells(r0);
        for (int li = 1; li < levels.size(); li++) {
            double h = lattice.bounds().maxSize() / level.resolution;
            Band band = band(field, h);
            long[] active = level.active(cells, band.value());
            boolean last = li == levels.size() - 1;
            long[] grown = band.dilate() ? dilate(active, level.resolution, last ? finalDilation : dilation) : active;
            int r = levels.get(li);
            // children, their corner keys and values: about 8 × (8 + 64 + 12) bytes per kept cell
            DenseVolumeDecoder.checkMemory(
                    grown.length + " kept cells refined to " + r + "³", 700L * grown.length, "lower the resolution");
            cells = children(grown, level.resolution);
            if (last) {
                return finish(field, new Lattice(lattice.bounds(), r), cells, level, levels, counts);
            }
            long[] points = corners(cells, r);
            DenseVolumeDecoder.checkMemory(
                    points.length + " lattice points at " + r + "³", 16L * points.length, "lower the resolution");
            Level next = Level.evaluate(field, new Lattice(lattice.bounds(), r), points, level);
            counts.add(next.decoded);
            level = next;
        }
        // the target is the coarse lattice itself
        return new Result(MarchingCubes.extract(grid, 0f), levels, counts);
    }

    private Result finish(
            PointField field, Lattice target, long[] cells, Level coarser, List<Integer> levels, List<Long> counts) {
        int r = target.resolution(), n = r + 1;
        long[] known = corners(cells, r);
        Level cache = Level.evaluate(field, target, known, coarser);
        long[] decodedExtra = {0};
        MarchingCubes.LatticeField lf = ijk -> {
            int m = ijk.length / 3;
            float[] out = new float[m];
            int[] missing = new int[ijk.length];
            int[] missingAt = new int[m];
            int nm = 0;
            for (int p = 0; p < m; p++) {
                long key = ((long) ijk[3 * p] * n + ijk[3 * p + 1]) * n + ijk[3 * p + 2];
                int at = Arrays.binarySearch(cache.keys, key);
                if (at >= 0) {
                    out[p] = cache.values[at];
                } else {
                    missing[3 * nm] = ijk[3 * p];
                    missing[3 * nm + 1] = ijk[3 * p + 1];
                    missing[3 * nm + 2] = ijk[3 * p + 2];
                    missingAt[nm++] = p;
                }
            }
            if (nm > 0) {
                float[] v = field.values(target.xyz(Arrays.copyOf(missing, 3 * nm)));
                for (int q = 0; q < nm; q++) {
                    out[missingAt[q]] = v[q];
                }
                decodedExtra[0] += nm;
            }
            return out;
        };
        int[] packed = new int[3 * cells.length];
        for (int c = 0; c < cells.length; c++) {
            long key = cells[c];
            packed[3 * c] = (int) (key / ((long) r * r));
            packed[3 * c + 1] = (int) (key / r % r);
            packed[3 * c + 2] = (int) (key % r);
        }
        TriangleMesh mesh = MarchingCubes.extractSparse(target.bounds(), n, n, n, packed, lf, 0f);
        counts.add(cache.decoded + decodedExtra[0]);
        return new Result(mesh, levels, counts);
    }

    /** Values of one level's lattice points, sorted by point key {@code (i·n + j)·n + k}, {@code n = r + 1}. */
    private static final class Level {
        final int resolution;
        final long[] keys;
        final float[] values;
        final long decoded;

        Level(int resolution, long[] keys, float[] values, long decoded) {
            this.resolution = resolution;
            this.keys = keys;
            this.values = values;
            this.decoded = decoded;
        }

        static Level dense(DenseGrid grid, int r) {
            int n = r + 1;
            long[] keys = new long[grid.size()];
            float[] values = grid.values();
            for (int i = 0; i < keys.length; i++) {
                keys[i] = i; // the grid's flat index is the point key
            }
            return new Level(r, keys, values, (long) n * n * n);
        }

        /** Decodes the given sorted point keys, reusing the coarser level's values where points coincide. */
        static Level evaluate(PointField field, Lattice lattice, long[] keys, Level coarser) {
            int r = lattice.resolution(), n = r + 1, nc = coarser.resolution + 1;
            float[] values = new float[keys.length];
            int[] ask = new int[keys.length];
            int na = 0;
            for (int p = 0; p < keys.length; p++) {
                long key = keys[p];
                int i = (int) (key / ((long) n * n)), j = (int) (key / n % n), k = (int) (key % n);
                int at = -1;
                if (i % 2 == 0 && j % 2 == 0 && k % 2 == 0 && coarser.resolution * 2 == r) {
                    at = Arrays.binarySearch(coarser.keys, ((long) (i / 2) * nc + j / 2) * nc + k / 2);
                }
                if (at >= 0) {
                    values[p] = coarser.values[at];
                } else {
                    ask[na++] = p;
                }
            }
            int[] ijk = new int[3 * na];
            for (int q = 0; q < na; q++) {
                long key = keys[ask[q]];
                ijk[3 * q] = (int) (key / ((long) n * n));
                ijk[3 * q + 1] = (int) (key / n % n);
                ijk[3 * q + 2] = (int) (key % n);
            }
            float[] v = na == 0 ? new float[0] : field.values(lattice.xyz(ijk));
            for (int q = 0; q < na; q++) {
                values[ask[q]] = v[q];
            }
            return new Level(r, keys, values, na);
        }

        float at(int i, int j, int k) {
            int n = resolution + 1;
            int p = Arrays.binarySearch(keys, ((long) i * n + j) * n + k);
            if (p < 0) {
                throw new IllegalStateException("lattice point (" + i + ", " + j + ", " + k + ") was not decoded");
            }
            return values[p];
        }

        /** The cells among {@code cells} (sorted cell keys) that the surface crosses or comes within {@code band} of. */
        long[] active(long[] cells, float band) {
            int r = resolution;
            long[] out = new long[cells.length];
            int m = 0;
            for (long key : cells) {
                int i = (int) (key / ((long) r * r)), j = (int) (key / r % r), k = (int) (key % r);
                boolean below = false, above = false, near = false;
                for (int c = 0; c < 8; c++) {
                    float v = at(i + (c >> 2 & 1), j + (c >> 1 & 1), k + (c & 1));
                    if (v >= 0) {
                        above = true;
                    } else {
                        below = true;
                    }
                    if (Math.abs(v) < band) {
                        near = true;
                    }
                }
                if ((below && above) || near) {
                    out[m++] = key;
                }
            }
            return Arrays.copyOf(out, m);
        }
    }

    private static long[] allCells(int r) {
        long[] out = new long[Math.toIntExact((long) r * r * r)];
        for (int i = 0; i < out.length; i++) {
            out[i] = i;
        }
        return out;
    }

    /** The cells within {@code d} cells (a cube) of the given ones, clamped to the lattice, sorted and unique. */
    static long[] dilate(long[] cells, int r, int d) {
        if (d == 0) {
            return cells;
        }
        int side = 2 * d + 1;
        long[] out = new long[Math.multiplyExact(cells.length, side * side * side)];
        int m = 0;
        for (long key : cells) {
            int i = (int) (key / ((long) r * r)), j = (int) (key / r % r), k = (int) (key % r);
            for (int a = Math.max(0, i - d); a <= Math.min(r - 1, i + d); a++) {
                for (int b = Math.max(0, j - d); b <= Math.min(r - 1, j + d); b++) {
                    for (int c = Math.max(0, k - d); c <= Math.min(r - 1, k + d); c++) {
                        out[m++] = ((long) a * r + b) * r + c;
                    }
                }
            }
        }
        return sortedUnique(out, m);
    }

    /** The 8 children on the lattice twice as fine of each cell, sorted. */
    static long[] children(long[] cells, int r) {
        int f = 2 * r;
        long[] out = new long[Math.multiplyExact(cells.length, 8)];
        int m = 0;
        for (long key : cells) {
            int i = (int) (key / ((long) r * r)), j = (int) (key / r % r), k = (int) (key % r);
            for (int c = 0; c < 8; c++) {
                out[m++] = ((long) (2 * i + (c >> 2 & 1)) * f + 2 * j + (c >> 1 & 1)) * f + 2 * k + (c & 1);
            }
        }
        return sortedUnique(out, m);
    }

    /** The corner points (keys on the {@code r + 1} lattice) of the given cells, sorted and unique. */
    static long[] corners(long[] cells, int r) {
        int n = r + 1;
        long[] out = new long[Math.multiplyExact(cells.length, 8)];
        int m = 0;
        for (long key : cells) {
            int i = (int) (key / ((long) r * r)), j = (int) (key / r % r), k = (int) (key % r);
            for (int c = 0; c < 8; c++) {
                out[m++] = ((long) (i + (c >> 2 & 1)) * n + j + (c >> 1 & 1)) * n + k + (c & 1);
            }
        }
        return sortedUnique(out, m);
    }

    private static long[] sortedUnique(long[] a, int n) {
        Arrays.parallelSort(a, 0, n);
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (m == 0 || a[i] != a[m - 1]) {
                a[m++] = a[i];
            }
        }
        return Arrays.copyOf(a, m);
    }
}
