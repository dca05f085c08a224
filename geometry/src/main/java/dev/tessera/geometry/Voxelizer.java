package dev.tessera.geometry;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Voxelisation of triangle meshes on an {@code r³} grid over a box: the voxels the surface passes through, the
 * solid (surface and inside), dense occupancy for sparse-structure VAEs (TRELLIS uses 64³), and the sparse voxels
 * near the surface with signed distances for sparse SDF VAEs.
 *
 * <p><b>Grid.</b> Voxel {@code (i, j, k)} is the closed cube {@code [min + i·h, min + (i+1)·h]} on each axis (as in
 * {@link SparseGrid}), {@code h = size / r} per axis, so a cubic box gives cubic voxels. Voxels are listed and
 * stored x slowest, z fastest: flat index {@code (i·r + j)·r + k}. Geometry outside the box is ignored.
 *
 * <p><b>Surface voxels</b> are those whose closed cube intersects a triangle, decided exactly (in double precision)
 * by the separating axis test of Akenine-Möller ("Fast 3D triangle-box overlap testing", 2001): 3 box normals,
 * the triangle's normal and the 9 cross products of its edges with the box axes. A triangle touching a voxel's face
 * counts, so a face lying on a grid plane marks the voxels on both sides; every point of the surface is covered.
 * Each triangle tests only the voxels near its plane within its bounding box, so the cost is about
 * {@code O(F + area/h²)}, over all cores.
 *
 * <p><b>Solid voxels</b> are the surface voxels plus the voxels inside: either by flood fill from the grid's
 * border through the non-surface voxels (6-connected) — exact for a closed mesh that does not touch the box's
 * border, while a hole larger than a voxel lets the fill in — or by a signed distance / winding number test at each
 * voxel's centre (robust to holes), or, for closed meshes, by that test once per region of non-surface voxels
 * ({@link #solidByRegion}: exact, whatever the box).
 *
 * <p><b>Memory.</b> The work uses bit sets of {@code r³} bits. The size is estimated before anything is allocated
 * and a resolution that would need more than half of the JVM's maximum heap is refused with the largest one that
 * fits. Resolutions below 2 are refused.
 */
public final class Voxelizer {
    /** Smallest accepted resolution. */
    public static final int MIN_RESOLUTION = 2;

    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int TRIANGLE_CHUNK = 512;
    /** Slack, in voxels, of the candidate ranges against rounding; the exact test decides. */
    private static final double EPS = 1e-6;

    /** Where {@link #sparseSdf} samples the signed distance of each active voxel. */
    public enum SdfAt {
        /** One value per voxel, at its centre ({@code channels = 1}). */
        CENTERS,
        /**
         * Eight values per voxel, at its corners ({@code channels = 8}); corner {@code c = 4·di + 2·dj + dk} is at
         * {@code (i + di, j + dj, k + dk)·h}. Shared corners are evaluated once.
         */
        CORNERS
    }

    private Voxelizer() {}

    /**
     * The voxels whose closed cube intersects a triangle, in flat-index order, with no channels.
     *
     * @throws IllegalArgumentException when {@code r < 2}, the resolution needs too much memory, or the box is flat
     * @throws InvalidMeshException when the mesh has no triangles
     */
    public static SparseGrid surface(TriangleMesh mesh, Aabb box, int r) {
        Grid g = Grid.of(box, r, 1, "surface voxelisation");
        return g.toSparse(g.surfaceBits(mesh, "surface voxelisation"), "surface voxelisation");
    }

    /**
     * The surface voxels and the voxels enclosed by them, found by flood fill from the grid's border (for closed
     * meshes inside the box).
     */
    public static SparseGrid solid(TriangleMesh mesh, Aabb box, int r) {
        Grid g = Grid.of(box, r, 2, "solid voxelisation");
        return g.toSparse(g.solidBits(mesh), "solid voxelisation");
    }

    /**
     * The surface voxels and the voxels whose centre is inside by {@code inside} (negative means inside: pass a
     * signed distance, or {@code 0.5 - w} of a winding number {@code w}). Robust to holes; costs one evaluation per
     * non-surface voxel.
     */
    public static SparseGrid solid(TriangleMesh mesh, Aabb box, int r, SignedDistanceFunction inside) {
        Grid g = Grid.of(box, r, 2, "solid voxelisation");
        long[] s = g.surfaceBits(mesh, "solid voxelisation");
        return g.toSparse(g.insideBits(s, inside), "solid voxelisation");
    }

    /**
     * The surface voxels and the voxels inside a closed mesh, asking {@code inside} once per region: the non-surface
     * voxels fall into regions (6-connected), and a closed surface cannot pass between two face-adjacent non-surface
     * voxels, so each region lies wholly inside or outside. The region's first voxel (in flat order) decides it, by
     * the sign of {@code inside} at its centre. Exact for a closed mesh and its signed distance, also where the mesh
     * touches or leaves the box (which the flood fill from the border gets wrong), and far cheaper than asking at
     * every voxel; a hole larger than a voxel joins the inside to the outside, so for open meshes use {@link
     * #solid(TriangleMesh, Aabb, int, SignedDistanceFunction)}.
     */
    public static SparseGrid solidByRegion(TriangleMesh closedMesh, Aabb box, int r, SignedDistanceFunction inside) {
        Grid g = Grid.of(box, r, 3, "solid voxelisation");
        long[] s = g.surfaceBits(closedMesh, "solid voxelisation");
        return g.toSparse(g.regionBits(s, inside), "solid voxelisation");
    }

    /**
     * Dense surface occupancy {@code byte[r³]} (1 where the surface passes, 0 elsewhere), x slowest, z fastest: the
     * {@code [r, r, r]} input of a sparse-structure VAE (TRELLIS: {@code r = 64} over {@code [-0.5, 0.5]³}).
     */
    public static byte[] occupancy(TriangleMesh mesh, Aabb box, int r) {
        checkDenseSize(r);
        Grid g = Grid.of(box, r, 1 + 8, "occupancy");
        return g.toDense(g.surfaceBits(mesh, "occupancy"));
    }

    /** The dense {@code byte[r³]} occupancy (1 at listed voxels) of a sparse grid, x slowest, z fastest. */
    public static byte[] dense(SparseGrid grid) {
        int r = grid.resolution();
        checkDenseSize(r);
        Grid.checkMemory(r, 8, "dense occupancy");
        byte[] out = new byte[r * r * r];
        for (int v = 0; v < grid.size(); v++) {
            out[(grid.i(v) * r + grid.j(v)) * r + grid.k(v)] = 1;
        }
        return out;
    }

    /**
     * The sparse voxels within {@code band} voxels of the surface (the surface voxels dilated by a
     * {@code (2·band+1)³} cube; {@code band = 0} keeps the surface voxels) with signed distances at their centres or
     * corners, for sparse SDF VAEs at high resolution (256–512). Distances are in the box's units, negative inside.
     *
     * @param sdf the signed distance, e.g. {@code MeshDistance.of(mesh)::signed}
     * @throws IllegalArgumentException when {@code band < 0} or as {@link #surface}
     */
    public static SparseGrid sparseSdf(
            TriangleMesh mesh, Aabb box, int r, int band, SdfAt at, SignedDistanceFunction sdf) {
        if (band < 0) {
            throw new IllegalArgumentException("sparse SDF: band must be ≥ 0 voxels, got " + band);
        }
        Grid g = Grid.of(box, r, 4 + (at == SdfAt.CORNERS ? 1.5 : 0), "sparse SDF");
        long[] active = g.dilate(g.surfaceBits(mesh, "sparse SDF"), band);
        int[] coords = g.coords(active, "sparse SDF", at == SdfAt.CORNERS ? 8 : 1);
        int n = coords.length / 3;
        if (at == SdfAt.CENTERS) {
            float[] c = new float[3 * n];
            for (int v = 0; v < n; v++) {
                c[3 * v] = (float) g.center(0, coords[3 * v]);
                c[3 * v + 1] = (float) g.center(1, coords[3 * v + 1]);
                c[3 * v + 2] = (float) g.center(2, coords[3 * v + 2]);
            }
            return SparseGrid.adopt(box, r, 1, coords, evaluate(sdf, c, "sparse SDF"));
        }
        return SparseGrid.adopt(box, r, 8, coords, g.cornerValues(coords, sdf));
    }

    private static void checkDenseSize(int r) {
        if (r >= MIN_RESOLUTION && (long) r * r * r > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("dense occupancy: " + r + "³ voxels do not fit in one Java array; use a "
                    + "resolution ≤ 1290 or the sparse form (surface/solid)");
        }
    }

    /** Calls {@code f} and checks its answer's length. */
    static float[] evaluate(SignedDistanceFunction f, float[] xyz, String what) {
        float[] d = f.signedDistance(xyz);
        if (d == null || d.length != xyz.length / 3) {
            throw new IllegalStateException(what + ": the signed distance function returned "
                    + (d == null ? "null" : d.length + " values") + " for " + xyz.length / 3 + " points");
        }
        return d;
    }

    /** The box, resolution and bit-set operations of one voxelisation. */
    private static final class Grid {
        final Aabb box;
        final int r;
        final double[] min = new double[3], max = new double[3], h = new double[3];

        private Grid(Aabb box, int r) {
            this.box = box;
            this.r = r;
            min[0] = box.minX();
            min[1] = box.minY();
            min[2] = box.minZ();
            max[0] = box.maxX();
            max[1] = box.maxY();
            max[2] = box.maxZ();
            h[0] = box.sizeX() / r;
            h[1] = box.sizeY() / r;
            h[2] = box.sizeZ() / r;
        }

        /** Checks the resolution, the box and the memory of {@code bitsPerVoxel} bits of work per voxel. */
        static Grid of(Aabb box, int r, double bitsPerVoxel, String what) {
            checkMemory(r, bitsPerVoxel, what);
            if (!(box.sizeX() > 0 && box.sizeY() > 0 && box.sizeZ() > 0)) {
                throw new IllegalArgumentException(
                        what + ": the box " + box + " is flat; give it a positive size on " + "every axis");
            }
            return new Grid(box, r);
        }

        static void checkMemory(int r, double bitsPerVoxel, String what) {
            if (r < MIN_RESOLUTION) {
                throw new IllegalArgumentException(what + ": resolution must be ≥ " + MIN_RESOLUTION + ", got " + r);
            }
            double voxels = Math.pow(r, 3);
            double bytes = voxels * bitsPerVoxel / 8;
            double limit = Runtime.getRuntime().maxMemory() / 2.0;
            if (bytes > limit || voxels / 64 > Integer.MAX_VALUE - 16 || voxels * bitsPerVoxel / 64 > 1L << 33) {
                int fits = (int) Math.floor(Math.cbrt(Math.min(limit * 8 / bitsPerVoxel, 64.0 * Integer.MAX_VALUE)));
                throw new IllegalArgumentException(String.format(
                        Locale.ROOT,
                        "%s: resolution %d needs about %s for its %d³ voxels, more than half of the %s this JVM may"
                                + " use (-Xmx); use a resolution ≤ %d or a larger heap",
                        what,
                        r,
                        bytesText(bytes),
                        r,
                        bytesText(Runtime.getRuntime().maxMemory()),
                        fits));
            }
        }

        static String bytesText(double b) {
            String[] unit = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
            int u = 0;
            while (b >= 1024 && u < unit.length - 1) {
                b /= 1024;
                u++;
            }
            return String.format(Locale.ROOT, "%.1f %s", b, unit[u]);
        }

        long[] newBits() {
            return new long[(int) (((long) r * r * r + 63) >>> 6)];
        }

        double center(int axis, int i) {
            return min[axis] + (i + 0.5) * h[axis];
        }

        double corner(int axis, int i) {
            return i == r ? max[axis] : min[axis] + i * h[axis];
        }

        static void set(long[] bits, long v) {
            WORDS.getAndBitwiseOr(bits, (int) (v >>> 6), 1L << v);
        }

        static boolean get(long[] bits, long v) {
            return (bits[(int) (v >>> 6)] & (1L << v)) != 0;
        }

        /** Marks the voxels every triangle overlaps. */
        long[] surfaceBits(TriangleMesh mesh, String what) {
            if (mesh.isEmpty()) {
                throw new InvalidMeshException(what + ": the mesh has no triangles");
            }
            long[] bits = newBits();
            float[] pos = mesh.positions();
            int[] tri = mesh.triangles();
            int f = tri.length / 3;
            int chunks = (f + TRIANGLE_CHUNK - 1) / TRIANGLE_CHUNK;
            IntStream.range(0, chunks).parallel().forEach(c -> {
                double[] v = new double[9];
                int end = Math.min(f, (c + 1) * TRIANGLE_CHUNK);
                for (int t = c * TRIANGLE_CHUNK; t < end; t++) {
                    for (int k = 0; k < 3; k++) {
                        int p = 3 * tri[3 * t + k];
                        v[3 * k] = pos[p];
                        v[3 * k + 1] = pos[p + 1];
                        v[3 * k + 2] = pos[p + 2];
                    }
                    markTriangle(v, bits);
                }
            });
            return bits;
        }

        /** Marks the voxels one triangle (corners {@code v[0..8]}) overlaps. */
        private void markTriangle(double[] v, long[] bits) {
            int[] lo = new int[3], hi = new int[3];
            for (int a = 0; a < 3; a++) {
                double mn = Math.min(v[a], Math.min(v[3 + a], v[6 + a]));
                double mx = Math.max(v[a], Math.max(v[3 + a], v[6 + a]));
                // voxel i touches [mn, mx] when min + (i+1)h ≥ mn and min + i·h ≤ mx
                // (EPS in voxel units keeps rounding from dropping a voxel; the exact test decides)
                lo[a] = (int) Math.max(0, Math.ceil((mn - min[a]) / h[a] - 1 - EPS));
                hi[a] = (int) Math.min(r - 1, Math.floor((mx - min[a]) / h[a] + EPS));
                if (lo[a] > hi[a]) {
                    return;
                }
            }
            double e0x = v[3] - v[0], e0y = v[4] - v[1], e0z = v[5] - v[2];
            double e1x = v[6] - v[3], e1y = v[7] - v[4], e1z = v[8] - v[5];
            double[] n = {e0y * e1z - e0z * e1y, e0z * e1x - e0x * e1z, e0x * e1y - e0y * e1x};
            // Walk the two axes where the normal is smallest; along the third only the slab around the plane.
            int w = Math.abs(n[0]) >= Math.abs(n[1]) && Math.abs(n[0]) >= Math.abs(n[2])
                    ? 0
                    : (Math.abs(n[1]) >= Math.abs(n[2]) ? 1 : 2);
            int u = (w + 1) % 3, s = (w + 2) % 3;
            double d = n[0] * v[0] + n[1] * v[1] + n[2] * v[2];
            double rad = 0.5 * (Math.abs(n[0]) * h[0] + Math.abs(n[1]) * h[1] + Math.abs(n[2]) * h[2]);
            int[] ijk = new int[3];
            for (int iu = lo[u]; iu <= hi[u]; iu++) {
                for (int is = lo[s]; is <= hi[s]; is++) {
                    int w0 = lo[w], w1 = hi[w];
                    if (n[w] != 0) {
                        // centres c with |n·c - d| ≤ rad, solved for c_w
                        double rest = n[u] * center(u, iu) + n[s] * center(s, is);
                        double ca = (d - rad - rest) / n[w], cb = (d + rad - rest) / n[w];
                        double c0 = Math.min(ca, cb), c1 = Math.max(ca, cb);
                        w0 = Math.max(w0, (int) Math.ceil((c0 - min[w]) / h[w] - 0.5 - EPS));
                        w1 = Math.min(w1, (int) Math.floor((c1 - min[w]) / h[w] - 0.5 + EPS));
                    }
                    ijk[u] = iu;
                    ijk[s] = is;
                    for (int iw = w0; iw <= w1; iw++) {
                        ijk[w] = iw;
                        if (overlaps(v, ijk)) {
                            set(bits, ((long) ijk[0] * r + ijk[1]) * r + ijk[2]);
                        }
                    }
                }
            }
        }

        /** Akenine-Möller's triangle–box test against the closed voxel {@code ijk}: true unless an axis separates. */
        private boolean overlaps(double[] v, int[] ijk) {
            double cx = center(0, ijk[0]), cy = center(1, ijk[1]), cz = center(2, ijk[2]);
            double hx = 0.5 * h[0], hy = 0.5 * h[1], hz = 0.5 * h[2];
            double ax = v[0] - cx, ay = v[1] - cy, az = v[2] - cz;
            double bx = v[3] - cx, by = v[4] - cy, bz = v[5] - cz;
            double qx = v[6] - cx, qy = v[7] - cy, qz = v[8] - cz;
            // box normals: the triangle's extent against the box's
            if (Math.min(ax, Math.min(bx, qx)) > hx || Math.max(ax, Math.max(bx, qx)) < -hx) {
                return false;
            }
            if (Math.min(ay, Math.min(by, qy)) > hy || Math.max(ay, Math.max(by, qy)) < -hy) {
                return false;
            }
            if (Math.min(az, Math.min(bz, qz)) > hz || Math.max(az, Math.max(bz, qz)) < -hz) {
                return false;
            }
            double[] e = {bx - ax, by - ay, bz - az, qx - bx, qy - by, qz - bz, ax - qx, ay - qy, az - qz};
            for (int i = 0; i < 3; i++) {
                double ex = e[3 * i], ey = e[3 * i + 1], ez = e[3 * i + 2];
                // axis x × e = (0, -ez, ey)
                if (separates(
                        -ez * ay + ey * az,
                        -ez * by + ey * bz,
                        -ez * qy + ey * qz,
                        hy * Math.abs(ez) + hz * Math.abs(ey))) {
                    return false;
                }
                // axis y × e = (ez, 0, -ex)
                if (separates(
                        ez * ax - ex * az,
                        ez * bx - ex * bz,
                        ez * qx - ex * qz,
                        hx * Math.abs(ez) + hz * Math.abs(ex))) {
                    return false;
                }
                // axis z × e = (-ey, ex, 0)
                if (separates(
                        -ey * ax + ex * ay,
                        -ey * bx + ex * by,
                        -ey * qx + ex * qy,
                        hx * Math.abs(ey) + hy * Math.abs(ex))) {
                    return false;
                }
            }
            // the triangle's plane
            double nx = e[1] * e[5] - e[2] * e[4], ny = e[2] * e[3] - e[0] * e[5], nz = e[0] * e[4] - e[1] * e[3];
            double dist = nx * ax + ny * ay + nz * az;
            return Math.abs(dist) <= hx * Math.abs(nx) + hy * Math.abs(ny) + hz * Math.abs(nz);
        }

        private static boolean separates(double p0, double p1, double p2, double rad) {
            return Math.min(p0, Math.min(p1, p2)) > rad || Math.max(p0, Math.max(p1, p2)) < -rad;
        }

        /** Everything not reached from the border through non-surface voxels: surface plus enclosed voxels. */
        long[] solidBits(TriangleMesh mesh) {
            long[] surface = surfaceBits(mesh, "solid voxelisation");
            long[] outside = newBits();
            LongStack stack = new LongStack();
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < r; j++) {
                    boolean border = i == 0 || j == 0 || i == r - 1 || j == r - 1;
                    for (int k = 0; k < r; k += border ? 1 : r - 1) {
                        long v = ((long) i * r + j) * r + k;
                        if (!get(surface, v) && !get(outside, v)) {
                            fill(surface, outside, v, stack, null);
                        }
                    }
                }
            }
            for (int w = 0; w < outside.length; w++) {
                outside[w] = ~outside[w];
            }
            long total = (long) r * r * r;
            if ((total & 63) != 0) {
                outside[outside.length - 1] &= (1L << (total & 63)) - 1;
            }
            return outside;
        }

        /**
         * Surface voxels plus the regions of non-surface voxels whose first voxel's centre {@code inside} calls
         * negative.
         */
        long[] regionBits(long[] surface, SignedDistanceFunction inside) {
            long[] bits = surface.clone();
            long[] seen = newBits();
            LongStack stack = new LongStack();
            long total = (long) r * r * r;
            float[] c = new float[3];
            for (int w = 0; w < seen.length; w++) {
                long free = ~(surface[w] | seen[w]);
                while (free != 0) {
                    long v = ((long) w << 6) + Long.numberOfTrailingZeros(free);
                    if (v >= total) {
                        break;
                    }
                    c[0] = (float) center(0, (int) (v / ((long) r * r)));
                    c[1] = (float) center(1, (int) (v / r % r));
                    c[2] = (float) center(2, (int) (v % r));
                    boolean in = evaluate(inside, c, "solid voxelisation")[0] < 0;
                    fill(surface, seen, v, stack, in ? bits : null);
                    free = ~(surface[w] | seen[w]);
                }
            }
            return bits;
        }

        /**
         * Scan-line flood fill (spans along z) of the free voxels connected to {@code seed}, marked in {@code seen}
         * and, unless null, in {@code mark}.
         */
        private void fill(long[] wall, long[] seen, long seed, LongStack stack, long[] mark) {
            stack.push(seed);
            long rr = (long) r * r;
            while (!stack.isEmpty()) {
                long v = stack.pop();
                if (get(seen, v)) {
                    continue;
                }
                long row = v - v % r;
                int k = (int) (v - row);
                int k0 = k, k1 = k;
                while (k0 > 0 && free(wall, seen, row + k0 - 1)) {
                    k0--;
                }
                while (k1 < r - 1 && free(wall, seen, row + k1 + 1)) {
                    k1++;
                }
                for (int q = k0; q <= k1; q++) {
                    seen[(int) ((row + q) >>> 6)] |= 1L << (row + q);
                    if (mark != null) {
                        mark[(int) ((row + q) >>> 6)] |= 1L << (row + q);
                    }
                }
                int i = (int) (row / rr), j = (int) (row / r % r);
                if (i > 0) {
                    pushRuns(wall, seen, row - rr, k0, k1, stack);
                }
                if (i < r - 1) {
                    pushRuns(wall, seen, row + rr, k0, k1, stack);
                }
                if (j > 0) {
                    pushRuns(wall, seen, row - r, k0, k1, stack);
                }
                if (j < r - 1) {
                    pushRuns(wall, seen, row + r, k0, k1, stack);
                }
            }
        }

        private static boolean free(long[] wall, long[] seen, long v) {
            return !get(wall, v) && !get(seen, v);
        }

        private static void pushRuns(long[] wall, long[] seen, long row, int k0, int k1, LongStack stack) {
            boolean inRun = false;
            for (int q = k0; q <= k1; q++) {
                boolean f = free(wall, seen, row + q);
                if (f && !inRun) {
                    stack.push(row + q);
                }
                inRun = f;
            }
        }

        /** Surface voxels plus the voxels whose centre {@code inside} calls negative, one x-slab per task. */
        long[] insideBits(long[] surface, SignedDistanceFunction inside) {
            long[] bits = surface.clone();
            IntStream.range(0, r).parallel().forEach(i -> {
                long[] ids = new long[r * r];
                int m = 0;
                for (int j = 0; j < r; j++) {
                    for (int k = 0; k < r; k++) {
                        long v = ((long) i * r + j) * r + k;
                        if (!get(surface, v)) {
                            ids[m++] = v;
                        }
                    }
                }
                float[] c = new float[3 * m];
                for (int q = 0; q < m; q++) {
                    long v = ids[q];
                    c[3 * q] = (float) center(0, i);
                    c[3 * q + 1] = (float) center(1, (int) (v / r % r));
                    c[3 * q + 2] = (float) center(2, (int) (v % r));
                }
                float[] d = evaluate(inside, c, "solid voxelisation");
                for (int q = 0; q < m; q++) {
                    if (d[q] < 0) {
                        set(bits, ids[q]);
                    }
                }
            });
            return bits;
        }

        /** The set dilated by a {@code (2·band+1)³} cube, one axis at a time. */
        long[] dilate(long[] bits, int band) {
            long[] cur = bits;
            long[] stride = {(long) r * r, r, 1};
            for (int axis = 0; axis < 3 && band > 0; axis++) {
                long[] next = cur.clone();
                long st = stride[axis];
                long total = (long) r * r * r;
                for (long v = nextSet(cur, 0, total); v >= 0; v = nextSet(cur, v + 1, total)) {
                    int c = (int) (v / st % r);
                    for (int q = Math.max(0, c - band); q <= Math.min(r - 1, c + band); q++) {
                        long u = v + (q - c) * st;
                        next[(int) (u >>> 6)] |= 1L << u;
                    }
                }
                cur = next;
            }
            return cur;
        }

        static long nextSet(long[] bits, long from, long total) {
            if (from >= total) {
                return -1;
            }
            int w = (int) (from >>> 6);
            long word = bits[w] & (-1L << from);
            while (word == 0) {
                if (++w == bits.length) {
                    return -1;
                }
                word = bits[w];
            }
            long v = ((long) w << 6) + Long.numberOfTrailingZeros(word);
            return v < total ? v : -1;
        }

        static long count(long[] bits) {
            long c = 0;
            for (long w : bits) {
                c += Long.bitCount(w);
            }
            return c;
        }

        /** The set voxels' coordinates, flat-index order, after checking the output's size. */
        int[] coords(long[] bits, String what, int channels) {
            long n = count(bits);
            double bytes = n * (12.0 + 4.0 * channels);
            if (3 * n > Integer.MAX_VALUE - 16 || bytes > Runtime.getRuntime().maxMemory() / 2.0) {
                throw new IllegalArgumentException(String.format(
                        Locale.ROOT,
                        "%s: %d voxels at resolution %d would need about %s; use a lower resolution or the dense form",
                        what,
                        n,
                        r,
                        bytesText(bytes)));
            }
            int[] c = new int[(int) (3 * n)];
            long total = (long) r * r * r;
            int o = 0;
            for (long v = nextSet(bits, 0, total); v >= 0; v = nextSet(bits, v + 1, total)) {
                c[o++] = (int) (v / ((long) r * r));
                c[o++] = (int) (v / r % r);
                c[o++] = (int) (v % r);
            }
            return c;
        }

        SparseGrid toSparse(long[] bits, String what) {
            return SparseGrid.adopt(box, r, 0, coords(bits, what, 0), new float[0]);
        }

        byte[] toDense(long[] bits) {
            byte[] out = new byte[r * r * r];
            long total = (long) r * r * r;
            for (long v = nextSet(bits, 0, total); v >= 0; v = nextSet(bits, v + 1, total)) {
                out[(int) v] = 1;
            }
            return out;
        }

        /** Signed distances at the 8 corners of each voxel, each distinct corner evaluated once. */
        float[] cornerValues(int[] coords, SignedDistanceFunction sdf) {
            int n = coords.length / 3;
            long r1 = r + 1L;
            long[] ids = new long[8 * n];
            for (int v = 0; v < n; v++) {
                for (int c = 0; c < 8; c++) {
                    ids[8 * v + c] = ((coords[3 * v] + (c >> 2)) * r1 + coords[3 * v + 1] + ((c >> 1) & 1)) * r1
                            + coords[3 * v + 2]
                            + (c & 1);
                }
            }
            long[] unique = ids.clone();
            Arrays.parallelSort(unique);
            int m = 0;
            for (int q = 0; q < unique.length; q++) {
                if (q == 0 || unique[q] != unique[q - 1]) {
                    unique[m++] = unique[q];
                }
            }
            float[] xyz = new float[3 * m];
            for (int q = 0; q < m; q++) {
                long id = unique[q];
                xyz[3 * q] = (float) corner(0, (int) (id / (r1 * r1)));
                xyz[3 * q + 1] = (float) corner(1, (int) (id / r1 % r1));
                xyz[3 * q + 2] = (float) corner(2, (int) (id % r1));
            }
            float[] d = evaluate(sdf, xyz, "sparse SDF");
            float[] out = new float[8 * n];
            int mm = m;
            IntStream.range(0, 8 * n).parallel().forEach(q -> out[q] = d[Arrays.binarySearch(unique, 0, mm, ids[q])]);
            return out;
        }
    }
}
