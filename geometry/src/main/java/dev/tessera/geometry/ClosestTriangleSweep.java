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
 *       in the slabs its box touches.
 *   <li><b>Propagation.</b> Outside the band, each point is offered its neighbours' nearest triangles and adopts
 *       one when its exact distance to it is smaller (the closest-triangle fast sweeping of Tsai 2002 and of
 *       Bridson's level-set construction). The sweeps go one axis at a time, forward then backward: along z from the
 *       previous point of the line, along y from the 3 nearest points of the previous row, along x from the 9
 *       nearest points of the previous plane, so that triangles spread in cones rather than along axis-aligned
 *       staircases. A test against the triangle inequality skips most candidates. The value stored is always the
 *       exact distance to the triangle stored, so it is an upper bound of the true distance; far from the surface
 *       many triangles are nearly as close as the nearest, and the propagated one may be one of those (errors are
 *       measured in {@code docs/distance.md}).
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

    private static final float TIE_BELOW = 1 - TIE, TIE_ABOVE = 1 + TIE;
    private static final float TIE_BELOW2 = 1 - 2 * TIE, TIE_ABOVE2 = 1 + 2 * TIE; // on squared distances

    /** Points along each axis per parallel task of the band pass. */
    private static final int SLAB = 4;

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
        float[] dist = new float[total];
        int[] tri = new int[total];
        java.util.Arrays.fill(dist, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(tri, -1);

        // --- band: triangles listed per x slab
        int f = bvh.triangleCount;
        float[] t = bvh.tri;
        int slabs = Parallel.chunks(nx, SLAB);
        int[] lo = new int[f], hi = new int[f];
        int[] count = new int[slabs + 1];
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
        Parallel.forEach(slabs, s -> {
            int i0 = s * SLAB, i1 = Math.min(nx, i0 + SLAB) - 1;
            for (int q = count[s]; q < count[s + 1]; q++) {
                int i = list[q];
                splat(bvh, i, Math.max(lo[i], i0), Math.min(hi[i], i1), xs, ys, zs, bounds, hy, hz, band, dist, tri);
            }
        });
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
        if (!inside || count[slabs] == 0) {
            seedFaces(bvh, nx, ny, nz, xs, ys, zs, dist, tri);
        }

        // --- propagation: z lines, then y with the 3 nearest points of the previous row, then x with the 9 nearest
        // points of the previous plane; forward and backward. Planes of the x pass go one after the other (each
        // reads its predecessor), rows within a plane in parallel, so the result does not depend on the threads.
        float fb = (float) band;
        float[] pre = bvh.pre;
        // |n − m| for each neighbour m of a pass (index (a + 1)·3 + b + 1 for row offset a, point offset b), rounded
        // up so that d(m, T) − |n − m| stays a lower bound of d(n, T)
        float[] reachZ = reach(hz, 0, 0), reachY = reach(hy, 0, hz), reachX = reach(hx, hy, hz);
        int plane = ny * nz;
        int rowsPerTask = Math.max(1, 4096 / nz);
        int rowTasks = Parallel.chunks(ny, rowsPerTask);
        for (int round = 0; round < rounds; round++) {
            Parallel.forEach(nx, i -> {
                float x = xs[i];
                int[] seen = new int[9];
                for (int j = 0; j < ny; j++) {
                    int base = (i * ny + j) * nz;
                    float y = ys[j];
                    for (int k = 1; k < nz; k++) {
                        offer(pre, dist, tri, base + k - 1, 0, 0, 0, 0, base + k, x, y, zs[k], nz, reachZ, fb, seen);
                    }
                    for (int k = nz - 2; k >= 0; k--) {
                        offer(pre, dist, tri, base + k + 1, 0, 0, 0, 0, base + k, x, y, zs[k], nz, reachZ, fb, seen);
                    }
                }
                for (int pass = 0; pass < 2; pass++) {
                    int dj = pass == 0 ? -1 : 1;
                    for (int s = 1; s < ny; s++) {
                        int j = pass == 0 ? s : ny - 1 - s;
                        int base = (i * ny + j) * nz, src = base + dj * nz;
                        for (int k = 0; k < nz; k++) {
                            offer(
                                    pre,
                                    dist,
                                    tri,
                                    src + k,
                                    0,
                                    0,
                                    k > 0 ? 1 : 0,
                                    k < nz - 1 ? 1 : 0,
                                    base + k,
                                    x,
                                    ys[j],
                                    zs[k],
                                    nz,
                                    reachY,
                                    fb,
                                    seen);
                        }
                    }
                }
            });
            for (int pass = 0; pass < 2; pass++) {
                int from = pass == 0 ? -plane : plane;
                for (int s = 1; s < nx; s++) {
                    int i = pass == 0 ? s : nx - 1 - s;
                    Parallel.forEach(rowTasks, c -> {
                        int[] seen = new int[9];
                        for (int j = c * rowsPerTask, j1 = Math.min(ny, j + rowsPerTask); j < j1; j++) {
                            int base = (i * ny + j) * nz;
                            int up = j > 0 ? 1 : 0, down = j < ny - 1 ? 1 : 0;
                            for (int k = 0; k < nz; k++) {
                                offer(
                                        pre,
                                        dist,
                                        tri,
                                        base + from + k,
                                        up,
                                        down,
                                        k > 0 ? 1 : 0,
                                        k < nz - 1 ? 1 : 0,
                                        base + k,
                                        xs[i],
                                        ys[j],
                                        zs[k],
                                        nz,
                                        reachX,
                                        fb,
                                        seen);
                            }
                        }
                    });
                }
            }
        }
        return new Result(dist, tri, band);
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
     * Offers point {@code n} at {@code (x, y, z)} the triangles of the source points {@code c + a·nz + b} for
     * {@code a ∈ [−up, down]}, {@code b ∈ [−left, right]} (a 3 × 3 patch at most, one row of the grid being
     * {@code nz} points), each distinct triangle once. A candidate is evaluated only when the triangle inequality
     * ({@code d(n, T) ≥ d(c, T) − reach}) lets it beat the current value; points of the exact band are left alone.
     */
    private static void offer(
            float[] pre,
            float[] dist,
            int[] tri,
            int c,
            int up,
            int down,
            int left,
            int right,
            int n,
            float x,
            float y,
            float z,
            int nz,
            float[] reach,
            float band,
            int[] seen) {
        float dn = dist[n];
        if (dn <= band) {
            return;
        }
        int tn = tri[n];
        int count = 0;
        for (int a = -up; a <= down; a++) {
            for (int b = -left; b <= right; b++) {
                int m = c + a * nz + b;
                int tm = tri[m];
                if (tm < 0 || tm == tn || dist[m] - reach[(a + 1) * 3 + b + 1] >= dn) {
                    continue;
                }
                boolean dup = false;
                for (int q = 0; q < count; q++) {
                    dup |= seen[q] == tm;
                }
                if (dup) {
                    continue;
                }
                seen[count++] = tm;
                float d = (float)
                        Math.sqrt(PointTriangleDistance.squared(x, y, z, pre, PointTriangleDistance.PREPARED * tm));
                if (d < dn || (d == dn && tm < tn)) {
                    dn = d;
                    tn = tm;
                }
            }
        }
        dist[n] = dn;
        tri[n] = tn;
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
            int[] tri) {
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
