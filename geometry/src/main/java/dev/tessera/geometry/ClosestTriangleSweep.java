package dev.tessera.geometry;

/**
 * Unsigned distance to a triangle mesh at every point of a dense grid, without a tree query per point: exact in a
 * narrow band around the surface, closest-triangle propagation elsewhere.
 *
 * <ol>
 *   <li><b>Band.</b> Each triangle visits the grid points of its bounding box grown by the band width {@code b},
 *       clipped per grid row to the slab {@code |n·(p − a)| ≤ b} around its plane, and keeps at each the nearest
 *       triangle so far (exact point–triangle distance; ties go to the lower triangle index). Every point whose
 *       distance to the surface is at most {@code b} is thus exact. Parallel over slabs of x, each triangle listed
 *       in the slabs its box touches. Where the boxes hold more than {@value #QUERY_RATIO} points per grid point
 *       (the coarse grids below, for a fine mesh), the triangles only mark those points and a tree query finds each
 *       one's nearest triangle: far fewer exact distances than every triangle at every point of its box.
 *   <li><b>Propagation.</b> Outside the band, each point is offered its neighbours' nearest triangles and adopts
 *       one when its exact distance to it is smaller (the closest-triangle fast sweeping of Tsai 2002 and of
 *       Bridson's level-set construction). The sweeps go one axis at a time, forward then backward: along z from the
 *       previous point of the line, along y from the 3 nearest points of the previous row, along x from the 9
 *       nearest points of the previous plane, so that triangles spread in cones rather than along axis-aligned
 *       staircases. A test against the triangle inequality skips most candidates. The value stored is always the
 *       exact distance to the triangle stored, so it is an upper bound of the true distance; far from the surface
 *       many triangles are nearly as close as the nearest, and the propagated one may be one of those (errors are
 *       measured in {@code docs/distance.md}).
 *   <li><b>Coarse seeds.</b> A grid of at least {@value #COARSE_MIN} points along every axis first computes the grid
 *       of twice the spacing (its point {@code c} is point {@code 2c} here) the same way, recursively. Each point
 *       outside the band then starts from the nearest of the triangles of the (up to 8) coarse points around it,
 *       and one round of the sweeps above refines that: together about 40 % fewer exact point–triangle distances than
 *       two rounds from the band alone, and more accurate, since every point starts from a triangle found along all directions. The
 *       smallest grid of the chain takes the rounds asked for.
 * </ol>
 *
 * Cost {@code O(F·(b/h)³ + R³)}, deterministic for any number of threads.
 */
final class ClosestTriangleSweep {
    private ClosestTriangleSweep() {}

    /**
     * Distances within this relative tolerance count as ties, won by the lower triangle index. All the triangles
     * around a vertex are at the same distance from the points of the vertex's region, but float rounding makes
     * each formula differ in the last bits; without the tolerance neighbouring points would keep different
     * triangles at random and the propagation would re-evaluate them all.
     */
    private static final float TIE = 4e-6f;

    private static final float TIE_BELOW2 = 1 - 2 * TIE, TIE_ABOVE2 = 1 + 2 * TIE; // on squared distances

    /**
     * Grids with at least this many points along every axis start from the grid of twice the spacing (computed the
     * same way, recursively) and need one round of sweeps; smaller ones start from the band alone and take the
     * rounds asked for.
     */
    static final int COARSE_MIN = 16;

    /** Points along each axis per parallel task of the band pass. */
    private static final int SLAB = 4;

    /**
     * The band is found by tree queries at the points of the triangles' bands, rather than by evaluating every
     * triangle at the points of its band, when the triangles' grown boxes hold more than this many points per grid
     * point: on the coarse grids of a fine mesh, where each band point lies in the boxes of many triangles.
     */
    static final double QUERY_RATIO = 100;

    /** Distances and nearest (leaf-order) triangles of a grid. */
    record Result(float[] distance, int[] triangle, double band) {}

    /**
     * Distances at the {@code nx × ny × nz} grid points of {@code bounds} (the {@link DenseGrid} layout). The band is
     * {@code bandCells} times the largest spacing.
     */
    static Result compute(Bvh bvh, Aabb bounds, int nx, int ny, int nz, double bandCells, int rounds) {
        float[] xs = axis(bounds.minX(), bounds.maxX(), nx);
        float[] ys = axis(bounds.minY(), bounds.maxY(), ny);
        float[] zs = axis(bounds.minZ(), bounds.maxZ(), nz);
        double hx = bounds.sizeX() / (nx - 1), hy = bounds.sizeY() / (ny - 1), hz = bounds.sizeZ() / (nz - 1);
        double h = Math.max(hx, Math.max(hy, hz));
        double band = bandCells * h;
        int total = Math.multiplyExact(Math.multiplyExact(nx, ny), nz);
        // the coarse grid first, so that its arrays are garbage before this grid's stamps exist
        boolean seeded = rounds > 1 && Math.min(nx, Math.min(ny, nz)) >= COARSE_MIN;
        int cx = (nx + 1) / 2, cy = (ny + 1) / 2, cz = (nz + 1) / 2;
        int[] coarse = seeded
                ? compute(
                                bvh,
                                new Aabb(
                                        bounds.minX(),
                                        bounds.minY(),
                                        bounds.minZ(),
                                        bounds.minX() + 2 * (cx - 1) * hx,
                                        bounds.minY() + 2 * (cy - 1) * hy,
                                        bounds.minZ() + 2 * (cz - 1) * hz),
                                cx,
                                cy,
                                cz,
                                bandCells,
                                rounds)
                        .triangle()
                : null;
        // the JVM zeroes a new array in the allocating thread, taking a page fault per 4 KiB of fresh heap (a quarter
        // of a second for these two at 256³ here): the two are allocated and filled on two workers at once
        Object[] arrays = new Object[2];
        Parallel.forEach(2, a -> {
            if (a == 0) {
                float[] d = new float[total];
                java.util.Arrays.fill(d, Float.POSITIVE_INFINITY);
                arrays[0] = d;
            } else {
                int[] tt = new int[total];
                java.util.Arrays.fill(tt, -1);
                arrays[1] = tt;
            }
        });
        float[] dist = (float[]) arrays[0];
        int[] tri = (int[]) arrays[1];

        // --- band: triangles listed per x slab
        int f = bvh.triangleCount;
        float[] t = bvh.tri;
        int slabs = Parallel.chunks(nx, SLAB);
        int[] lo = new int[f], hi = new int[f];
        int[] count = new int[slabs + 1];
        double boxPoints = 0; // the splat's work: points in the triangles' grown boxes
        for (int i = 0; i < f; i++) {
            int o = 9 * i;
            double x0 = Math.min(t[o], Math.min(t[o + 3], t[o + 6])) - band;
            double x1 = Math.max(t[o], Math.max(t[o + 3], t[o + 6])) + band;
            int a = Math.max(0, (int) Math.ceil((x0 - bounds.minX()) / hx));
            int b = Math.min(nx - 1, (int) Math.floor((x1 - bounds.minX()) / hx));
            if (x1 < bounds.minX() || x0 > bounds.maxX() || a > b) {
                lo[i] = 1;
                hi[i] = 0;
                continue;
            }
            double sy = Math.max(t[o + 1], Math.max(t[o + 4], t[o + 7]))
                    - Math.min(t[o + 1], Math.min(t[o + 4], t[o + 7]))
                    + 2 * band;
            double sz = Math.max(t[o + 2], Math.max(t[o + 5], t[o + 8]))
                    - Math.min(t[o + 2], Math.min(t[o + 5], t[o + 8]))
                    + 2 * band;
            boxPoints += (b - a + 1) * (sy / hy + 1) * (sz / hz + 1);
            lo[i] = a;
            hi[i] = b;
            for (int s = a / SLAB; s <= b / SLAB; s++) {
                count[s + 1]++;
            }
        }
        for (int s = 0; s < slabs; s++) {
            count[s + 1] += count[s];
        }
        int[] list = new int[count[slabs]];
        int[] fill = java.util.Arrays.copyOf(count, slabs);
        for (int i = 0; i < f; i++) {
            if (lo[i] > hi[i]) {
                continue;
            }
            for (int s = lo[i] / SLAB; s <= hi[i] / SLAB; s++) {
                list[fill[s]++] = i;
            }
        }
        // where each band point would meet many triangles (coarse grids of fine meshes), mark the band and query the
        // tree there instead
        byte[] mark = boxPoints > QUERY_RATIO * total ? new byte[total] : null;
        Parallel.forEach(slabs, s -> {
            int i0 = s * SLAB, i1 = Math.min(nx, i0 + SLAB) - 1;
            for (int q = count[s]; q < count[s + 1]; q++) {
                int i = list[q];
                splat(
                        bvh,
                        i,
                        Math.max(lo[i], i0),
                        Math.min(hi[i], i1),
                        xs,
                        ys,
                        zs,
                        bounds,
                        hy,
                        hz,
                        band,
                        dist,
                        tri,
                        mark);
            }
        });
        if (mark != null) {
            Parallel.forEach(nx, i -> {
                Bvh.Scratch sc = bvh.scratch();
                for (int j = 0, q = i * ny * nz; j < ny; j++) {
                    int hint = -1;
                    for (int k = 0; k < nz; k++, q++) {
                        if (mark[q] != 0) {
                            hint = bvh.nearest(xs[i], ys[j], zs[k], hint, sc);
                            dist[q] = sc.best2;
                            tri[q] = hint;
                        }
                    }
                }
            });
        }
        Parallel.forEach(Parallel.chunks(total, 1 << 16), c -> {
            for (int q = c << 16, end = Math.min(total, q + (1 << 16)); q < end; q++) {
                dist[q] = (float) Math.sqrt(dist[q]);
            }
        });

        // --- seeds when the mesh reaches outside the grid: exact values on the grid's faces
        Aabb mb = bvh.bounds();
        boolean inside = mb.minX() >= bounds.minX() - band
                && mb.minY() >= bounds.minY() - band
                && mb.minZ() >= bounds.minZ() - band
                && mb.maxX() <= bounds.maxX() + band
                && mb.maxY() <= bounds.maxY() + band
                && mb.maxZ() <= bounds.maxZ() + band;
        boolean faces = !inside || count[slabs] == 0;
        if (faces) {
            seedFaces(bvh, nx, ny, nz, xs, ys, zs, dist, tri);
        }

        // --- propagation: z lines, then y with the 3 nearest points of the previous row, then x with the 5 nearest
        // points of the previous plane (the same row's 3 and the middle points of the rows beside it: the 4 corner
        // points of a 3 × 3 stencil cost 15–30 % of the grid's time for half of its 0.002 h mean error, measured on
        // the bunny at 256³); forward and backward. Planes of the x pass go one after the other (each
        // reads its predecessor), chunks of rows within a plane in parallel (xPass), so the result does not depend
        // on the threads.
        float fb = (float) band;
        float[] pre = bvh.pre;
        if (seeded) {
            rounds = 1; // the planes are seeded in the first round's z and y task, while they are in cache
        }
        int[] seeds = coarse;
        coarse = null;
        // |n − m| for each neighbour m of a pass (index (a + 1)·3 + b + 1 for row offset a, point offset b), rounded
        // up so that d(m, T) − |n − m| stays a lower bound of d(n, T)
        float[] reachY = reach(hy, 0, hz), reachX = reach(hx, hy, hz);
        float reachZ = reach(hz, 0, 0)[4];
        int rowsPerChunk = Math.max(1, 1024 / nz);
        // stamp: the pass (1, 2, …) in which each point last took a new triangle, 0 if never; rowStamp: the latest of
        // a row's points. From the second round on, a neighbour is offered again only when its triangle changed
        // since the same pass of the previous round; after seeding, a neighbour still holding its seed is not offered
        // when its coarse points are among the point's own (see Sweep.take).
        byte[] stamp = rounds > 1 || seeded ? new byte[total] : null;
        boolean seen = seeded && !faces; // exact face values are not seeds
        byte[] rowStamp = stamp != null ? new byte[nx * ny] : null;
        for (int round = 0; round < rounds; round++) {
            int first = 6 * round; // passes first + 1 … first + 6: z+, z−, y+, y−, x+, x−
            boolean seedFirst = seeded && round == 0;
            Parallel.forEach(nx, i -> {
                if (seedFirst) {
                    seedPlane(i, pre, seeds, cx, cy, cz, ny, nz, xs, ys, zs, fb, dist, tri);
                }
                Sweep w = new Sweep(pre, dist, tri, stamp, rowStamp, fb, seen);
                float x = xs[i];
                for (int j = 0; j < ny; j++) {
                    w.line(i * ny + j, nz, x, ys[j], zs, reachZ, first);
                }
                for (int pass = 0; pass < 2; pass++) {
                    int dj = pass == 0 ? -1 : 1;
                    w.pass(first + 3 + pass);
                    for (int s = 1; s < ny; s++) {
                        int j = pass == 0 ? s : ny - 1 - s;
                        int row = i * ny + j;
                        if (w.fresh(row + dj)) {
                            w.row(row, (row + dj) * nz, 0, 0, nz, x, ys[j], zs, reachY, (j & 1) == 1, false);
                        }
                    }
                }
            });
            for (int pass = 0; pass < 2; pass++) {
                int from = pass == 0 ? -ny : ny;
                int now = first + 5 + pass;
                boolean forward = pass == 0;
                xPass(
                        nx,
                        ny,
                        rowsPerChunk,
                        (w, s, j0, j1) -> {
                            int i = forward ? s : nx - 1 - s;
                            boolean iOdd = (i & 1) == 1;
                            for (int j = j0; j < j1; j++) {
                                int row = i * ny + j, src = row + from;
                                int up = j > 0 ? -1 : 0, down = j < ny - 1 ? 1 : 0;
                                if (w.fresh(src) || w.fresh(src + up) || w.fresh(src + down)) {
                                    w.row(
                                            row,
                                            src * nz,
                                            up * nz,
                                            down * nz,
                                            nz,
                                            xs[i],
                                            ys[j],
                                            zs,
                                            reachX,
                                            iOdd,
                                            iOdd && (j & 1) == 1);
                                }
                            }
                        },
                        () -> {
                            Sweep w = new Sweep(pre, dist, tri, stamp, rowStamp, fb, seen);
                            w.pass(now);
                            return w;
                        });
            }
        }
        return new Result(dist, tri, band);
    }

    /** The rows {@code [j0, j1)} of plane step {@code s} of an x pass, with a thread's own {@link Sweep}. */
    private interface PlaneRows {
        void run(Sweep w, int s, int j0, int j1);
    }

    /**
     * Runs plane steps {@code s = 1 … nx − 1} of an x pass, each plane's rows in chunks of {@code rowsPerChunk},
     * where the rows of step {@code s} read only the plane of step {@code s − 1}. Instead of a fork-join per plane
     * (512 a round at 256³, each ending with one thread idle), every worker takes (plane, chunk) tickets in order
     * from one counter and, before a chunk of plane {@code s}, waits until every chunk of plane {@code s − 1} is done.
     * A worker waits only for chunks that running workers took earlier, so the queue cannot deadlock, whatever the
     * number of workers that join; and as a chunk's rows read a finished plane only, the result does not depend on
     * them.
     */
    private static void xPass(
            int nx, int ny, int rowsPerChunk, PlaneRows body, java.util.function.Supplier<Sweep> sweep) {
        int chunks = Parallel.chunks(ny, rowsPerChunk);
        int tickets = (nx - 1) * chunks;
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicIntegerArray done = new java.util.concurrent.atomic.AtomicIntegerArray(nx);
        Parallel.onWorkers(() -> {
            Sweep w = sweep.get();
            for (int t = next.getAndIncrement(); t < tickets; t = next.getAndIncrement()) {
                int s = 1 + t / chunks, c = t % chunks;
                if (s > 1) {
                    for (int spins = 0; done.get(s - 1) < chunks; spins++) {
                        if (spins < 1 << 12) {
                            Thread.onSpinWait();
                        } else {
                            Thread.yield(); // the worker we wait for may be off its core
                        }
                    }
                }
                int j0 = c * rowsPerChunk;
                body.run(w, s, j0, Math.min(ny, j0 + rowsPerChunk));
                done.incrementAndGet(s); // publishes the chunk's writes to the workers that wait for the plane
            }
        });
    }

    /**
     * Distances from a point to its source points {@code (a, b)} ({@code a, b ∈ {−1, 0, 1}}: offsets {@code a·dy} and
     * {@code b·dz} across the sweep, beside the step along it), slightly enlarged against rounding.
     */
    private static float[] reach(double step, double dy, double dz) {
        float[] r = new float[9];
        for (int a = -1; a <= 1; a++) {
            for (int b = -1; b <= 1; b++) {
                double d = Math.sqrt(step * step + a * a * dy * dy + b * b * dz * dz);
                r[(a + 1) * 3 + b + 1] = (float) (d * (1 + 1e-5));
            }
        }
        return r;
    }

    /** The grid coordinates along one axis as {@link DenseGrid#x(int)} computes them, rounded to float. */
    static float[] axis(double min, double max, int n) {
        float[] a = new float[n];
        double h = (max - min) / (n - 1);
        for (int i = 0; i < n; i++) {
            a[i] = (float) (i == n - 1 ? max : min + i * h);
        }
        return a;
    }

    /**
     * One task's view of the propagation: offers points the triangles of their neighbours and keeps the nearest.
     * A candidate is evaluated only when it differs from the point's triangle, was not evaluated for this point
     * already, can beat the point's value by the triangle inequality ({@code d(n, T) ≥ d(m, T) − |n − m|}), from
     * the second round on changed since the same pass of the previous round, and after seeding was not one of the
     * point's seeds: a neighbour that still holds its seed took it from its coarse points, and these are among the
     * point's own when the point's index is odd on every axis along which the neighbour is offset (point {@code 2c + 1}
     * lies between coarse points {@code c} and {@code c + 1}, its neighbours {@code 2c} and {@code 2c + 2} on one of
     * them). Points of the exact band are left alone.
     */
    private static final class Sweep {
        final float[] pre, dist;
        final int[] tri;
        final byte[] stamp, rowStamp;
        final float band;
        final int[] cand = new int[9];
        /** The current pass, and the same pass of the previous round (−1 in the first round: all neighbours new). */
        int now, after = -1;

        final boolean seen;

        Sweep(float[] pre, float[] dist, int[] tri, byte[] stamp, byte[] rowStamp, float band, boolean seen) {
            this.seen = seen;
            this.pre = pre;
            this.dist = dist;
            this.tri = tri;
            this.stamp = stamp;
            this.rowStamp = rowStamp;
            this.band = band;
        }

        void pass(int p) {
            now = p;
            after = p > 6 ? p - 6 : -1;
        }

        /** Whether some point of the row may have changed since this pass of the previous round. */
        boolean fresh(int row) {
            return after < 0 || rowStamp[row] > after;
        }

        /** The z passes of one line (row {@code row}), forward and backward, each from the previous point. */
        void line(int row, int nz, float x, float y, float[] zs, float reach, int first) {
            int base = row * nz;
            for (int pass = 0; pass < 2; pass++) {
                pass(first + 1 + pass);
                if (!fresh(row)) {
                    continue;
                }
                boolean changed = false;
                int step = pass == 0 ? 1 : -1;
                int k = pass == 0 ? 1 : nz - 2;
                int end = pass == 0 ? nz : -1;
                for (; k != end; k += step) {
                    int n = base + k, m = n - step;
                    float dn = dist[n];
                    int tm = tri[m];
                    if (dn <= band
                            || tm < 0
                            || tm == tri[n]
                            || dist[m] - reach >= dn
                            || !isNew(m)
                            || (seen && (k & 1) == 1 && stamp[m] == 0 && dist[m] > band)) {
                        continue;
                    }
                    float d2 = squared(x, y, zs[k], tm), dn2 = dn * dn;
                    int tn = tri[n];
                    if (d2 < dn2 * TIE_BELOW2 || (d2 <= dn2 * TIE_ABOVE2 && tm < tn)) {
                        dist[n] = (float) Math.sqrt(d2);
                        tri[n] = tm;
                        changed = true;
                        if (stamp != null) {
                            stamp[n] = (byte) now;
                        }
                    }
                }
                if (changed && stamp != null) {
                    rowStamp[row] = (byte) now;
                }
            }
        }

        private boolean isNew(int m) {
            return after < 0 || stamp[m] > after;
        }

        /** Squared distance to triangle {@code t}: candidates are compared squared, one root per point changed. */
        private float squared(float x, float y, float z, int t) {
            return PointTriangleDistance.squared(x, y, z, pre, PointTriangleDistance.PREPARED * t);
        }

        /**
         * Offers each point of row {@code row} the triangles of the source row starting at {@code src} (points
         * {@code k − 1, k, k + 1}) and, when {@code up} and {@code down} are not 0, of the source rows at those
         * offsets, only their middle points: 3 or 5 neighbours.
         */
        void row(
                int row,
                int src,
                int up,
                int down,
                int nz,
                float x,
                float y,
                float[] zs,
                float[] reach,
                boolean midSeen,
                boolean sideSeen) {
            int base = row * nz;
            boolean sides = up != 0 || down != 0;
            boolean changed = false;
            int[] cand = this.cand;
            for (int k = 0; k < nz; k++) {
                int n = base + k;
                float dn = dist[n];
                if (dn <= band) {
                    continue;
                }
                int tn = tri[n];
                int left = k > 0 ? -1 : 0, right = k < nz - 1 ? 1 : 0;
                int c = src + k;
                boolean kOdd = (k & 1) == 1;
                int count = gather(c, left, right, 3, tn, dn, reach, 0, midSeen, kOdd);
                if (sides) {
                    count = take(c + up, reach[1], tn, dn, count, sideSeen);
                    count = take(c + down, reach[7], tn, dn, count, sideSeen);
                }
                if (count == 0) {
                    continue;
                }
                float z = zs[k];
                int t0 = tn;
                float dn2 = dn * dn;
                for (int p = 0; p < count; p++) {
                    int tm = cand[p];
                    boolean dup = false;
                    for (int q = 0; q < p; q++) {
                        dup |= cand[q] == tm;
                    }
                    if (dup) {
                        continue;
                    }
                    float d2 = squared(x, y, z, tm);
                    if (d2 < dn2 * TIE_BELOW2 || (d2 <= dn2 * TIE_ABOVE2 && tm < tn)) {
                        dn2 = d2;
                        tn = tm;
                    }
                }
                if (tn != t0) {
                    dist[n] = (float) Math.sqrt(dn2);
                    tri[n] = tn;
                    changed = true;
                    if (stamp != null) {
                        stamp[n] = (byte) now;
                    }
                }
            }
            if (changed && stamp != null) {
                rowStamp[row] = (byte) now;
            }
        }

        /**
         * Appends to {@code cand[count…]} the worthwhile triangles of the source points {@code c − 1, c, c + 1}
         * ({@code left}, {@code right}: −1/0 and 0/1 at the ends of a row, so that a missing neighbour repeats the
         * middle one), whose reaches are {@code reach[r…r + 2]}; returns the new count.
         */
        private int gather(
                int c,
                int left,
                int right,
                int r,
                int tn,
                float dn,
                float[] reach,
                int count,
                boolean rowSeen,
                boolean kOdd) {
            count = take(c + left, reach[r], tn, dn, count, rowSeen & kOdd);
            count = take(c, reach[r + 1], tn, dn, count, rowSeen);
            return take(c + right, reach[r + 2], tn, dn, count, rowSeen & kOdd);
        }

        private int take(int m, float reach, int tn, float dn, int count, boolean covered) {
            int tm = tri[m];
            float dm = dist[m];
            boolean ok = tm >= 0 & tm != tn & dm - reach < dn & isNew(m);
            if (seen) {
                ok &= !(covered & stamp[m] == 0 & dm > band);
            }
            cand[count] = tm;
            return count + (ok ? 1 : 0);
        }
    }

    /**
     * Seeds every point of plane {@code i} outside the band with the nearest of the triangles of the (up to 8) points
     * of the coarse grid (twice the spacing: coarse point {@code c} is point {@code 2c}) around it.
     */
    private static void seedPlane(
            int i,
            float[] pre,
            int[] coarse,
            int cx,
            int cy,
            int cz,
            int ny,
            int nz,
            float[] xs,
            float[] ys,
            float[] zs,
            float band,
            float[] dist,
            int[] tri) {
        int[] cand = new int[8];
        int i0 = i >> 1, i1 = Math.min(cx - 1, i0 + (i & 1));
        for (int j = 0; j < ny; j++) {
            int j0 = j >> 1, j1 = Math.min(cy - 1, j0 + (j & 1));
            for (int k = 0; k < nz; k++) {
                int n = (i * ny + j) * nz + k;
                float dn = dist[n];
                if (dn <= band) {
                    continue;
                }
                int k0 = k >> 1, k1 = Math.min(cz - 1, k0 + (k & 1));
                int count = 0;
                for (int a = i0; a <= i1; a++) {
                    for (int b = j0; b <= j1; b++) {
                        for (int c = (a * cy + b) * cz + k0, end = c + k1 - k0; c <= end; c++) {
                            int t = coarse[c];
                            boolean dup = t < 0;
                            for (int q = 0; q < count; q++) {
                                dup |= cand[q] == t;
                            }
                            if (!dup) {
                                cand[count++] = t;
                            }
                        }
                    }
                }
                int tn = tri[n];
                float dn2 = dn * dn;
                for (int q = 0; q < count; q++) {
                    int t = cand[q];
                    float d2 =
                            PointTriangleDistance.squared(xs[i], ys[j], zs[k], pre, PointTriangleDistance.PREPARED * t);
                    if (d2 < dn2 * TIE_BELOW2 || (d2 <= dn2 * TIE_ABOVE2 && t < tn)) {
                        dn2 = d2;
                        tn = t;
                    }
                }
                dist[n] = (float) Math.sqrt(dn2);
                tri[n] = tn;
            }
        }
    }

    /** Exact squared distances from triangle {@code i} to the grid points of its band, rows {@code i0..i1}. */
    private static void splat(
            Bvh bvh,
            int i,
            int i0,
            int i1,
            float[] xs,
            float[] ys,
            float[] zs,
            Aabb bounds,
            double hy,
            double hz,
            double band,
            float[] dist,
            int[] tri,
            byte[] mark) {
        float[] t = bvh.tri;
        int o = 9 * i;
        int ny = ys.length, nz = zs.length;
        double y0 = Math.min(t[o + 1], Math.min(t[o + 4], t[o + 7])) - band;
        double y1 = Math.max(t[o + 1], Math.max(t[o + 4], t[o + 7])) + band;
        double z0 = Math.min(t[o + 2], Math.min(t[o + 5], t[o + 8])) - band;
        double z1 = Math.max(t[o + 2], Math.max(t[o + 5], t[o + 8])) + band;
        int j0 = Math.max(0, (int) Math.ceil((y0 - bounds.minY()) / hy));
        int j1 = Math.min(ny - 1, (int) Math.floor((y1 - bounds.minY()) / hy));
        int k0 = Math.max(0, (int) Math.ceil((z0 - bounds.minZ()) / hz));
        int k1 = Math.min(nz - 1, (int) Math.floor((z1 - bounds.minZ()) / hz));
        if (j0 > j1 || k0 > k1) {
            return;
        }
        // unit normal, for the plane slab |n·(p − a)| ≤ band
        double ux = t[o + 3] - t[o], uy = t[o + 4] - t[o + 1], uz = t[o + 5] - t[o + 2];
        double vx = t[o + 6] - t[o], vy = t[o + 7] - t[o + 1], vz = t[o + 8] - t[o + 2];
        double nx = uy * vz - uz * vy, ny2 = uz * vx - ux * vz, nzz = ux * vy - uy * vx;
        double len = Math.sqrt(nx * nx + ny2 * ny2 + nzz * nzz);
        boolean plane = len > 0 && Double.isFinite(len);
        if (plane) {
            nx /= len;
            ny2 /= len;
            nzz /= len;
        }
        double off = plane ? nx * t[o] + ny2 * t[o + 1] + nzz * t[o + 2] : 0;
        // a little slack so that rounding never drops a point of the band
        double slab = band * (1 + 1e-9) + 1e-12;
        for (int gi = i0; gi <= i1; gi++) {
            float x = xs[gi];
            for (int gj = j0; gj <= j1; gj++) {
                float y = ys[gj];
                int ka = k0, kb = k1;
                if (plane) {
                    double s0 = nx * x + ny2 * y - off; // plane distance at z = 0 is s0 + nzz·z
                    if (Math.abs(nzz) > 1e-12) {
                        double za = (-slab - s0) / nzz, zb = (slab - s0) / nzz;
                        double zlo = Math.min(za, zb), zhi = Math.max(za, zb);
                        ka = Math.max(ka, (int) Math.ceil((zlo - bounds.minZ()) / hz));
                        kb = Math.min(kb, (int) Math.floor((zhi - bounds.minZ()) / hz));
                    } else if (Math.abs(s0) > slab) {
                        continue;
                    }
                }
                int base = (gi * ny + gj) * nz;
                if (mark != null) {
                    if (ka <= kb) {
                        java.util.Arrays.fill(mark, base + ka, base + kb + 1, (byte) 1);
                    }
                    continue;
                }
                for (int gk = ka; gk <= kb; gk++) {
                    float d = PointTriangleDistance.squared(x, y, zs[gk], bvh.pre, PointTriangleDistance.PREPARED * i);
                    int q = base + gk;
                    float cur = dist[q];
                    if (d < cur * TIE_BELOW2 || (d <= cur * TIE_ABOVE2 && i < tri[q])) {
                        dist[q] = d;
                        tri[q] = i;
                    }
                }
            }
        }
    }

    /** Exact distances on the six faces of the grid, by tree queries. */
    private static void seedFaces(
            Bvh bvh, int nx, int ny, int nz, float[] xs, float[] ys, float[] zs, float[] dist, int[] tri) {
        Parallel.forEach(nx, i -> {
            Bvh.Scratch s = bvh.scratch();
            int hint = -1;
            for (int j = 0; j < ny; j++) {
                boolean full = i == 0 || i == nx - 1 || j == 0 || j == ny - 1;
                for (int k = 0; k < nz; k += full ? 1 : nz - 1) {
                    int q = (i * ny + j) * nz + k;
                    int tt = bvh.nearest(xs[i], ys[j], zs[k], hint, s);
                    hint = tt;
                    float d = (float) Math.sqrt(s.best2);
                    if (d < dist[q] || (d == dist[q] && tt < tri[q])) {
                        dist[q] = d;
                        tri[q] = tt;
                    }
                    if (nz == 1) {
                        break;
                    }
                }
            }
        });
    }
}
