package dev.tessera.geometry;

/**
 * Signs a dense unsigned-distance grid by the winding number ({@code w ≥ ½} is inside, negative), evaluating
 * {@code w} only where the sign can change.
 *
 * <p>The grid is cut into blocks of 16³ points, refined by halving. For a block with centre {@code c} and
 * half-diagonal {@code ρ}: if the exact distance {@code d(c)} to the surface exceeds {@code ρ}, no surface crosses
 * the block, and {@code w} varies within it by at most {@code ρ·L / (4π (d(c) − ρ)²)}, {@code L} being the length of
 * the mesh's net boundary ({@link FastWindingNumber#boundaryLength()}: zero for a closed mesh, whose {@code w} is
 * then constant in the block). When {@code w(c)} is farther from ½ than that bound plus a margin for the expansion's
 * own error, the whole block takes the sign of {@code w(c)}: a flood fill with a certificate. Otherwise the block is
 * split, down to single points, which get their own {@code w}. So {@code w} is evaluated at the grid points next to
 * the surface, near the "soap films" spanning holes, and once per large block elsewhere.
 */
final class WindingSignFill {
    private WindingSignFill() {}

    /** Top-level block edge, in grid points. */
    private static final int BLOCK = 16;

    /** Allowance for the far-field expansion's error in a block centre's winding number. */
    static final double MARGIN = 0.1;

    /**
     * Negates {@code dist} (unsigned distances at the grid points) wherever {@code w ≥ ½}; {@code tri} holds each
     * point's nearest leaf-order triangle, used as a search hint.
     */
    static void apply(FastWindingNumber fwn, Aabb bounds, int nx, int ny, int nz, float[] dist, int[] tri) {
        float[] xs = ClosestTriangleSweep.axis(bounds.minX(), bounds.maxX(), nx);
        float[] ys = ClosestTriangleSweep.axis(bounds.minY(), bounds.maxY(), ny);
        float[] zs = ClosestTriangleSweep.axis(bounds.minZ(), bounds.maxZ(), nz);
        int bx = Parallel.chunks(nx, BLOCK), by = Parallel.chunks(ny, BLOCK), bz = Parallel.chunks(nz, BLOCK);
        Bvh bvh = fwn.bvh();
        Parallel.forEach(bx * by * bz, b -> {
            int i = b / (by * bz), j = (b / bz) % by, k = b % bz;
            Worker w = new Worker(fwn, bvh, xs, ys, zs, ny, nz, dist, tri);
            w.block(
                    i * BLOCK,
                    Math.min(nx, (i + 1) * BLOCK),
                    j * BLOCK,
                    Math.min(ny, (j + 1) * BLOCK),
                    k * BLOCK,
                    Math.min(nz, (k + 1) * BLOCK));
        });
    }

    private static final class Worker {
        final FastWindingNumber fwn;
        final Bvh bvh;
        final float[] xs, ys, zs;
        final int ny, nz;
        final float[] dist;
        final int[] tri;
        final Bvh.Scratch scratch;
        final int[] stack;

        Worker(
                FastWindingNumber fwn,
                Bvh bvh,
                float[] xs,
                float[] ys,
                float[] zs,
                int ny,
                int nz,
                float[] dist,
                int[] tri) {
            this.fwn = fwn;
            this.bvh = bvh;
            this.xs = xs;
            this.ys = ys;
            this.zs = zs;
            this.ny = ny;
            this.nz = nz;
            this.dist = dist;
            this.tri = tri;
            this.scratch = bvh.scratch();
            this.stack = new int[bvh.maxDepth + 4];
        }

        /** Signs the points {@code [i0, i1) × [j0, j1) × [k0, k1)}. */
        void block(int i0, int i1, int j0, int j1, int k0, int k1) {
            if (i1 - i0 == 1 && j1 - j0 == 1 && k1 - k0 == 1) {
                if (fwn.evaluate(xs[i0], ys[j0], zs[k0], stack) >= 0.5) {
                    int q = (i0 * ny + j0) * nz + k0;
                    dist[q] = -dist[q];
                }
                return;
            }
            double cx = 0.5 * (xs[i0] + xs[i1 - 1]), cy = 0.5 * (ys[j0] + ys[j1 - 1]), cz = 0.5 * (zs[k0] + zs[k1 - 1]);
            double ex = xs[i1 - 1] - cx, ey = ys[j1 - 1] - cy, ez = zs[k1 - 1] - cz;
            double rho = Math.sqrt(ex * ex + ey * ey + ez * ez);
            int corner = (i0 * ny + j0) * nz + k0;
            // an upper bound of d(c) from the corner's stored distance: if even that is within ρ, split at once
            double ux = xs[i0] - cx, uy = ys[j0] - cy, uz = zs[k0] - cz;
            double upper = Math.abs(dist[corner]) + Math.sqrt(ux * ux + uy * uy + uz * uz);
            if (upper > rho) {
                bvh.nearest((float) cx, (float) cy, (float) cz, tri[corner], scratch);
                double dc = Math.sqrt(scratch.best2);
                double free = dc - rho * (1 + 1e-9);
                if (free > 0) {
                    double w = fwn.evaluate(cx, cy, cz, stack);
                    if (Math.abs(w - 0.5) > fwn.variationBound(rho, free) + MARGIN) {
                        if (w >= 0.5) {
                            for (int i = i0; i < i1; i++) {
                                for (int j = j0; j < j1; j++) {
                                    for (int q = (i * ny + j) * nz + k0, end = q + k1 - k0; q < end; q++) {
                                        dist[q] = -dist[q];
                                    }
                                }
                            }
                        }
                        return;
                    }
                }
            }
            int im = i1 - i0 > 1 ? (i0 + i1 + 1) >>> 1 : i1;
            int jm = j1 - j0 > 1 ? (j0 + j1 + 1) >>> 1 : j1;
            int km = k1 - k0 > 1 ? (k0 + k1 + 1) >>> 1 : k1;
            for (int a = 0; a < 2; a++) {
                int ia = a == 0 ? i0 : im, ib = a == 0 ? im : i1;
                if (ia >= ib) {
                    continue;
                }
                for (int c = 0; c < 2; c++) {
                    int ja = c == 0 ? j0 : jm, jb = c == 0 ? jm : j1;
                    if (ja >= jb) {
                        continue;
                    }
                    for (int e = 0; e < 2; e++) {
                        int ka = e == 0 ? k0 : km, kb = e == 0 ? km : k1;
                        if (ka < kb) {
                            block(ia, ib, ja, jb, ka, kb);
                        }
                    }
                }
            }
        }
    }
}
