package dev.tessera.geometry;

import java.util.Locale;

/**
 * Distances to a triangle mesh: unsigned and signed, at points and on dense grids.
 *
 * <p><b>Sign convention.</b> A signed distance is <b>negative inside</b> and positive outside. "Inside" means a
 * generalised winding number {@code w ≥ ½} ({@link FastWindingNumber}, order 2, β = 2), not a ray parity or a normal
 * test, so the sign stays right on meshes with holes, duplicated, flipped or non-manifold faces: for a closed,
 * outward-oriented mesh it is the usual inside, for an open one the hole is closed by the smooth "soap film" where
 * {@code w = ½}. The magnitude is always the exact Euclidean distance to the nearest triangle, in the mesh's units.
 *
 * <p><b>Points.</b> {@link #unsigned(double, double, double)} and {@link #signed(double, double, double)} for one
 * point, {@link #unsigned(float[])}, {@link #signed(float[])} and {@link #windingNumber(float[])} for packed
 * {@code xyz} batches over all cores (Morton-ordered; each search starts from the previous point's triangle). A
 * batch signs most points without a winding-number evaluation: if a point lies in the surface-free ball of a point
 * already evaluated (radius: that point's distance), the sign carries over when the winding number cannot have crossed
 * ½ on the way ({@link FastWindingNumber}'s gradient bound; always, for a closed mesh).
 *
 * <p><b>Grids.</b> {@link #unsignedGrid(Aabb, int)} and {@link #signedGrid(Aabb, int)} sample a box at
 * {@code r × r × r} grid points ({@link DenseGrid} layout). Distances are exact within a band of
 * {@value #BAND_CELLS} spacings around the surface and propagated from there by closest-triangle sweeping
 * ({@link ClosestTriangleSweep}); signs come from the winding number evaluated near the surface and flood-filled with
 * a certificate elsewhere ({@link WindingSignFill}). Grids need about 9 bytes per point of heap during the
 * computation ({@link #gridBytes(int)}); larger requests are refused before allocating.
 *
 * <p>Immutable and thread-safe: build once with {@link #of(TriangleMesh)}, query from any thread.
 */
public final class MeshDistance {
    /** Half-width of the exact band of the grids, in grid spacings. */
    public static final double BAND_CELLS = 2;

    /**
     * Rounds of closest-triangle sweeps outside the band on the coarsest grid of the chain (below
     * {@link ClosestTriangleSweep#COARSE_MIN} points a side); every finer grid starts from its coarser one and sweeps
     * once.
     */
    static final int SWEEP_ROUNDS = 2;

    /** Largest grid resolution accepted. */
    public static final int MAX_RESOLUTION = 1024;

    private final Bvh bvh;
    private final FastWindingNumber fwn;

    private MeshDistance(Bvh bvh, FastWindingNumber fwn) {
        this.bvh = bvh;
        this.fwn = fwn;
    }

    /**
     * Builds the hierarchy and winding-number expansions for {@code mesh}: {@code O(F log F)}.
     *
     * @throws InvalidMeshException when the mesh has no triangles
     */
    public static MeshDistance of(TriangleMesh mesh) {
        Bvh bvh = Bvh.build(mesh);
        return new MeshDistance(bvh, FastWindingNumber.build(mesh, bvh, 2, FastWindingNumber.DEFAULT_BETA));
    }

    /** The mesh's bounding volume hierarchy (closest points, rays). */
    public Bvh bvh() {
        return bvh;
    }

    /** The mesh's fast winding number. */
    public FastWindingNumber windingNumbers() {
        return fwn;
    }

    /** The mesh point nearest to {@code (x, y, z)}. */
    public ClosestPoint closestPoint(double x, double y, double z) {
        return bvh.closestPoint(x, y, z);
    }

    /** Distance from {@code (x, y, z)} to the nearest triangle. */
    public double unsigned(double x, double y, double z) {
        checkFinite(x, y, z);
        Bvh.Scratch s = bvh.scratch();
        bvh.nearest((float) x, (float) y, (float) z, -1, s);
        return Math.sqrt(s.best2);
    }

    /** The winding number at {@code (x, y, z)} (1 inside a closed outward mesh, 0 outside). */
    public double windingNumber(double x, double y, double z) {
        return fwn.windingNumber(x, y, z);
    }

    /** Signed distance at {@code (x, y, z)}: negative where the winding number is at least ½. */
    public double signed(double x, double y, double z) {
        double d = unsigned(x, y, z);
        return fwn.windingNumber(x, y, z) >= 0.5 ? -d : d;
    }

    /** Unsigned distances at packed {@code xyz} points, over all cores. */
    public float[] unsigned(float[] xyz) {
        return bvh.distances(xyz, null);
    }

    /** Winding numbers at packed {@code xyz} points, over all cores. */
    public float[] windingNumber(float[] xyz) {
        return fwn.windingNumbers(xyz);
    }

    /**
     * Signed distances at packed {@code xyz} points (negative inside: winding number ≥ ½), over all cores. The sign
     * of each point is the one its own winding number gives, except within the expansion's error of ½ (a few
     * thousandths), where either sign may come out.
     *
     * @throws IllegalArgumentException when a coordinate is not finite or the length is not a multiple of 3
     */
    public float[] signed(float[] xyz) {
        int n = xyz.length / 3;
        int[] order = MortonOrder.of(xyz);
        float[] out = new float[n];
        Parallel.forEach(Parallel.chunks(n, Bvh.CHUNK), c -> {
            Bvh.Scratch s = bvh.scratch();
            int[] stack = new int[bvh.maxDepth + 4];
            int hint = -1;
            boolean anchored = false;
            double ax = 0, ay = 0, az = 0, ad = 0, aw = 0;
            int from = c * Bvh.CHUNK, end = Math.min(n, from + Bvh.CHUNK);
            float[] p = s.points;
            MortonOrder.gather(xyz, order, from, end, p);
            for (int k = from; k < end; k++) {
                int q = order[k], j = 3 * (k - from);
                float x = p[j], y = p[j + 1], z = p[j + 2];
                hint = bvh.nearest(x, y, z, hint, s);
                double d = Math.sqrt(s.best2);
                boolean inside;
                double step = anchored ? Math.sqrt((x - ax) * (x - ax) + (y - ay) * (y - ay) + (z - az) * (z - az)) : 0;
                double free = ad * (1 - 1e-6) - step;
                if (anchored
                        && free > 0
                        && Math.abs(aw - 0.5) > fwn.variationBound(step, free) + WindingSignFill.MARGIN) {
                    inside = aw >= 0.5;
                } else {
                    double w = fwn.evaluate(x, y, z, stack);
                    inside = w >= 0.5;
                    anchored = true;
                    ax = x;
                    ay = y;
                    az = z;
                    ad = d;
                    aw = w;
                }
                out[q] = (float) (inside ? -d : d);
            }
        });
        return out;
    }

    /**
     * Unsigned distances at the {@code r × r × r} grid points of {@code bounds}. Exact within
     * {@link #BAND_CELLS} spacings of the surface; farther, each value is the exact distance to a triangle found by
     * propagation, hence never below the true distance and in practice equal to it but at a few points, off by a small
     * fraction of a spacing. {@code O(F·b³ + r³)}, over all cores.
     *
     * @throws IllegalArgumentException when {@code r} is below 2 or above {@link #MAX_RESOLUTION}, or the grid would
     *     not fit in the heap
     */
    public DenseGrid unsignedGrid(Aabb bounds, int r) {
        checkGrid(bounds, r);
        var res = ClosestTriangleSweep.compute(bvh, bounds, r, r, r, BAND_CELLS, SWEEP_ROUNDS);
        return DenseGrid.adopt(bounds, r, res.distance());
    }

    /**
     * Unsigned distances at the {@code r × r × r} grid points of {@code bounds} within {@code bandCells} grid spacings
     * of the surface, exact (the same values as {@link #unsignedGrid(Aabb, int)} there), and {@code +∞} at every
     * other point. For iso-surfaces at a small distance, where nothing farther matters: a fraction of the full
     * grid's cost. {@code O(F·b³)} plus filling {@code r³} values, over all cores.
     *
     * @throws IllegalArgumentException as {@link #unsignedGrid(Aabb, int)}, or when {@code bandCells} is not positive
     */
    public DenseGrid unsignedBand(Aabb bounds, int r, double bandCells) {
        checkGrid(bounds, r);
        if (!(bandCells > 0 && bandCells <= r)) {
            throw new IllegalArgumentException("the band must be between 0 and " + r + " grid steps, got " + bandCells);
        }
        var res = ClosestTriangleSweep.compute(bvh, bounds, r, r, r, bandCells, 0);
        float[] d = res.distance();
        float band = (float) res.band();
        Parallel.forEach(Parallel.chunks(d.length, 1 << 16), c -> {
            for (int q = c << 16, end = Math.min(d.length, q + (1 << 16)); q < end; q++) {
                if (d[q] > band) {
                    d[q] = Float.POSITIVE_INFINITY; // exact seeds on the faces (a mesh crossing the box) included
                }
            }
        });
        return DenseGrid.adopt(bounds, r, d);
    }

    /**
     * Signed distances at the {@code r × r × r} grid points of {@code bounds}: the {@link #unsignedGrid(Aabb, int)}
     * values, negative where the winding number is at least ½.
     *
     * @throws IllegalArgumentException as {@link #unsignedGrid(Aabb, int)}
     */
    public DenseGrid signedGrid(Aabb bounds, int r) {
        checkGrid(bounds, r);
        var res = ClosestTriangleSweep.compute(bvh, bounds, r, r, r, BAND_CELLS, SWEEP_ROUNDS);
        WindingSignFill.apply(fwn, bounds, r, r, r, res.distance(), res.triangle());
        return DenseGrid.adopt(bounds, r, res.distance());
    }

    /**
     * Heap the grid computation of resolution {@code r} needs, in bytes: 9 per grid point (a float distance, an int
     * triangle and a byte of sweep bookkeeping; the coarse grids it starts from are freed before the byte).
     */
    public static long gridBytes(int r) {
        return 9L * r * r * r;
    }

    private static void checkGrid(Aabb bounds, int r) {
        if (r < 2) {
            throw new IllegalArgumentException("grid resolution must be at least 2, got " + r);
        }
        if (r > MAX_RESOLUTION) {
            throw new IllegalArgumentException(
                    "grid resolution " + r + " is above the maximum " + MAX_RESOLUTION + "; use a smaller one");
        }
        if (!(bounds.sizeX() > 0 && bounds.sizeY() > 0 && bounds.sizeZ() > 0)) {
            throw new IllegalArgumentException("grid bounds must have a positive size on every axis: " + bounds);
        }
        // Compared with the heap limit, not with what happens to be free now: free heap depends on garbage not yet
        // collected, and a check that passes or fails with the JVM's history would make prep nondeterministic.
        long need = gridBytes(r);
        long limit = Runtime.getRuntime().maxMemory() / 2;
        if (need > limit) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "a %d³ distance grid needs about %d MiB of heap, more than half of the %d MiB this JVM may use;"
                            + " lower the resolution or raise the heap (-Xmx)",
                    r,
                    need >> 20,
                    Runtime.getRuntime().maxMemory() >> 20));
        }
    }

    private static void checkFinite(double x, double y, double z) {
        if (!Double.isFinite(x) || !Double.isFinite(y) || !Double.isFinite(z)) {
            throw new IllegalArgumentException("query point has a non-finite coordinate: " + x + " " + y + " " + z);
        }
    }
}
