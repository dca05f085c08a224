package dev.tessera.geometry;

import java.util.Arrays;

/**
 * The generalised winding number of a triangle mesh, evaluated fast: Barill, Dickson, Schmidt, Levin, Jacobson,
 * "Fast winding numbers for soups and clouds", ACM TOG 37(4), 2018.
 *
 * <p><b>What it computes.</b> {@code w(q) = (1/4π) Σ_t Ω_t(q)}, the signed solid angles {@code Ω_t} of the triangles
 * seen from {@code q}, summed and divided by a full sphere. For a closed, outward-oriented (counter-clockwise seen
 * from outside) mesh it is 1 inside and 0 outside; nested shells count twice; on an open mesh it varies smoothly
 * through the holes (½ in the middle of an opening), which is what makes {@code w ≥ ½} a robust inside test for
 * meshes with holes, duplicated, flipped or non-manifold faces. On the surface itself it is ½ (the mean of both
 * sides).
 *
 * <p><b>How.</b> The tree is the {@link Bvh}'s. Each node stores a far-field expansion of its triangles about their
 * area-weighted centroid {@code p̃}: order 1 (the dipole {@code Σ a_t n_t}) and, by default, order 2 (the tensor
 * {@code Σ a_t (c_t − p̃) ⊗ n_t}), and the radius {@code r} of a ball around {@code p̃} holding the node. A query
 * descends the tree; a node with {@code |q − p̃| > β r} is summed by its expansion, a leaf closer than that by the
 * exact solid angle of each triangle (Van Oosterom and Strackee 1983:
 * {@code tan(Ω/2) = a·(b×c) / (|a||b||c| + (a·b)|c| + (b·c)|a| + (c·a)|b|)}). The accuracy parameter β trades speed
 * for accuracy (default 2, as in the paper: errors around 1e-3 to 1e-4 of a full turn); {@code O(log F)} nodes per
 * query on typical meshes, {@code O(F)} build after the BVH.
 *
 * <p>The class also records the mesh's <i>net boundary</i>: the edges whose two orientations do not cancel (hole
 * rims, edges of duplicated or flipped faces), with their total length {@link #boundaryLength()}. Away from the
 * surface the gradient of {@code w} is a line integral over that boundary alone (the Biot–Savart law), so
 * {@code |∇w(q)| ≤ L / (4π d²)} with {@code L} the boundary length and {@code d} the distance from {@code q} to the
 * surface; in particular {@code w} is constant in every surface-free region of a closed mesh. {@link MeshDistance}
 * uses this to give signs to many points from one evaluation.
 *
 * <p>Immutable and thread-safe.
 */
public final class FastWindingNumber {
    /** The default accuracy parameter β of the paper. */
    public static final double DEFAULT_BETA = 2;

    private static final double INV_4PI = 1 / (4 * Math.PI);
    private static final int STRIDE = 16;

    private final Bvh bvh;
    private final int order;
    private final double beta;
    /** Per node: p̃ (3), (β r)², dipole (3), second-order tensor T[i][j] row-major (9). */
    private final float[] exp;

    private final double boundaryLength;
    private final int boundaryEdges;

    private FastWindingNumber(Bvh bvh, int order, double beta, float[] exp, double boundaryLength, int boundaryEdges) {
        this.bvh = bvh;
        this.order = order;
        this.beta = beta;
        this.exp = exp;
        this.boundaryLength = boundaryLength;
        this.boundaryEdges = boundaryEdges;
    }

    /** Builds the tree (order 2, β = 2) for {@code mesh}. */
    public static FastWindingNumber build(TriangleMesh mesh) {
        return build(mesh, Bvh.build(mesh), 2, DEFAULT_BETA);
    }

    /**
     * Builds the expansions over an existing hierarchy of the same mesh.
     *
     * @param mesh the mesh {@code bvh} was built from
     * @param bvh its hierarchy
     * @param order 1 (dipoles) or 2 (dipoles and second-order terms: more accurate at the same β)
     * @param beta accuracy parameter, {@code > 1}: a node is summed by its expansion from farther than β times its
     *     radius; larger is more accurate and slower
     */
    public static FastWindingNumber build(TriangleMesh mesh, Bvh bvh, int order, double beta) {
        if (order != 1 && order != 2) {
            throw new IllegalArgumentException("expansion order must be 1 or 2, got " + order);
        }
        if (!(beta > 1) || !Double.isFinite(beta)) {
            throw new IllegalArgumentException("accuracy parameter beta must be finite and > 1, got " + beta);
        }
        if (bvh.triangleCount != mesh.triangleCount()) {
            throw new IllegalArgumentException("the BVH has " + bvh.triangleCount + " triangles, the mesh "
                    + mesh.triangleCount() + ": build it from the same mesh");
        }
        int nodes = bvh.nodeCount;
        double[] area = new double[nodes];
        double[] cen = new double[3 * nodes];
        double[] rad = new double[nodes];
        double[] t1 = new double[3 * nodes];
        double[] t2 = new double[9 * nodes];
        float[] tri = bvh.tri;
        float[] box = bvh.box;
        for (int n = nodes - 1; n >= 0; n--) {
            int first = bvh.node[2 * n], count = bvh.node[2 * n + 1];
            double a = 0, cx = 0, cy = 0, cz = 0;
            if (count > 0) {
                for (int i = first; i < first + count; i++) {
                    int o = 9 * i;
                    double nx = vectorArea(tri, o, 0), ny = vectorArea(tri, o, 1), nz = vectorArea(tri, o, 2);
                    double ai = Math.sqrt(nx * nx + ny * ny + nz * nz);
                    a += ai;
                    cx += ai * (tri[o] + tri[o + 3] + tri[o + 6]) / 3;
                    cy += ai * (tri[o + 1] + tri[o + 4] + tri[o + 7]) / 3;
                    cz += ai * (tri[o + 2] + tri[o + 5] + tri[o + 8]) / 3;
                    t1[3 * n] += nx;
                    t1[3 * n + 1] += ny;
                    t1[3 * n + 2] += nz;
                }
            } else {
                for (int c = first; c <= first + 1; c++) {
                    a += area[c];
                    cx += area[c] * cen[3 * c];
                    cy += area[c] * cen[3 * c + 1];
                    cz += area[c] * cen[3 * c + 2];
                    for (int k = 0; k < 3; k++) {
                        t1[3 * n + k] += t1[3 * c + k];
                    }
                }
            }
            if (a > 0) {
                cx /= a;
                cy /= a;
                cz /= a;
            } else {
                cx = 0.5 * (box[6 * n] + box[6 * n + 3]);
                cy = 0.5 * (box[6 * n + 1] + box[6 * n + 4]);
                cz = 0.5 * (box[6 * n + 2] + box[6 * n + 5]);
            }
            area[n] = a;
            cen[3 * n] = cx;
            cen[3 * n + 1] = cy;
            cen[3 * n + 2] = cz;
            // radius: no farther than the farthest box corner, and (inner nodes) than the children's balls
            double r = 0;
            for (int corner = 0; corner < 8; corner++) {
                double dx = box[6 * n + ((corner & 1) == 0 ? 0 : 3)] - cx;
                double dy = box[6 * n + 1 + ((corner & 2) == 0 ? 0 : 3)] - cy;
                double dz = box[6 * n + 2 + ((corner & 4) == 0 ? 0 : 3)] - cz;
                r = Math.max(r, dx * dx + dy * dy + dz * dz);
            }
            r = Math.sqrt(r);
            if (count > 0) {
                double rv = 0;
                for (int i = 9 * first; i < 9 * (first + count); i += 3) {
                    double dx = tri[i] - cx, dy = tri[i + 1] - cy, dz = tri[i + 2] - cz;
                    rv = Math.max(rv, dx * dx + dy * dy + dz * dz);
                }
                r = Math.min(r, Math.sqrt(rv));
                for (int i = first; i < first + count; i++) {
                    int o = 9 * i;
                    double nx = vectorArea(tri, o, 0), ny = vectorArea(tri, o, 1), nz = vectorArea(tri, o, 2);
                    double dx = (tri[o] + tri[o + 3] + tri[o + 6]) / 3 - cx;
                    double dy = (tri[o + 1] + tri[o + 4] + tri[o + 7]) / 3 - cy;
                    double dz = (tri[o + 2] + tri[o + 5] + tri[o + 8]) / 3 - cz;
                    addOuter(t2, 9 * n, dx, dy, dz, nx, ny, nz);
                }
            } else {
                double rc = 0;
                for (int c = first; c <= first + 1; c++) {
                    double dx = cen[3 * c] - cx, dy = cen[3 * c + 1] - cy, dz = cen[3 * c + 2] - cz;
                    rc = Math.max(rc, Math.sqrt(dx * dx + dy * dy + dz * dz) + rad[c]);
                    for (int k = 0; k < 9; k++) {
                        t2[9 * n + k] += t2[9 * c + k];
                    }
                    addOuter(t2, 9 * n, dx, dy, dz, t1[3 * c], t1[3 * c + 1], t1[3 * c + 2]);
                }
                r = Math.min(r, rc);
            }
            rad[n] = r;
        }
        float[] exp = new float[STRIDE * nodes];
        for (int n = 0; n < nodes; n++) {
            int o = STRIDE * n;
            exp[o] = (float) cen[3 * n];
            exp[o + 1] = (float) cen[3 * n + 1];
            exp[o + 2] = (float) cen[3 * n + 2];
            // slightly enlarged so that float rounding never admits a node that is too near
            double br = beta * rad[n] * (1 + 1e-6);
            exp[o + 3] = (float) (br * br);
            exp[o + 4] = (float) t1[3 * n];
            exp[o + 5] = (float) t1[3 * n + 1];
            exp[o + 6] = (float) t1[3 * n + 2];
            for (int k = 0; k < 9; k++) {
                exp[o + 7 + k] = order == 2 ? (float) t2[9 * n + k] : 0f;
            }
        }
        double[] boundary = netBoundary(mesh);
        return new FastWindingNumber(bvh, order, beta, exp, boundary[0], (int) boundary[1]);
    }

    /** Component {@code k} of half the cross product {@code (b − a) × (c − a)} of the triangle at {@code o}. */
    private static double vectorArea(float[] t, int o, int k) {
        int i = (k + 1) % 3, j = (k + 2) % 3;
        double ui = t[o + 3 + i] - t[o + i], uj = t[o + 3 + j] - t[o + j];
        double vi = t[o + 6 + i] - t[o + i], vj = t[o + 6 + j] - t[o + j];
        return 0.5 * (ui * vj - uj * vi);
    }

    private static void addOuter(double[] t2, int o, double dx, double dy, double dz, double nx, double ny, double nz) {
        t2[o] += dx * nx;
        t2[o + 1] += dx * ny;
        t2[o + 2] += dx * nz;
        t2[o + 3] += dy * nx;
        t2[o + 4] += dy * ny;
        t2[o + 5] += dy * nz;
        t2[o + 6] += dz * nx;
        t2[o + 7] += dz * ny;
        t2[o + 8] += dz * nz;
    }

    /**
     * Total length and count of the net boundary edges: for each undirected edge, the number of triangles using it
     * in one direction minus the number using it in the other; edges where that is not zero count {@code |net|}
     * times.
     */
    private static double[] netBoundary(TriangleMesh mesh) {
        int f = mesh.triangleCount();
        long v = Math.max(1, mesh.vertexCount());
        long[] codes = new long[3 * f];
        for (int t = 0; t < f; t++) {
            for (int k = 0; k < 3; k++) {
                int a = mesh.corner(t, k), b = mesh.corner(t, (k + 1) % 3);
                long lo = Math.min(a, b), hi = Math.max(a, b);
                codes[3 * t + k] = ((lo * v + hi) << 1) | (a < b ? 1 : 0);
            }
        }
        Arrays.sort(codes);
        double length = 0;
        long edges = 0;
        for (int i = 0; i < codes.length; ) {
            long key = codes[i] >>> 1;
            int net = 0, j = i;
            while (j < codes.length && codes[j] >>> 1 == key) {
                net += (codes[j] & 1) == 1 ? 1 : -1;
                j++;
            }
            if (net != 0) {
                int a = (int) (key / v), b = (int) (key % v);
                double dx = mesh.x(a) - mesh.x(b), dy = mesh.y(a) - mesh.y(b), dz = mesh.z(a) - mesh.z(b);
                length += Math.abs(net) * Math.sqrt(dx * dx + dy * dy + dz * dz);
                edges += Math.abs(net);
            }
            i = j;
        }
        return new double[] {length, edges};
    }

    /** The expansion order, 1 or 2. */
    public int order() {
        return order;
    }

    /** The accuracy parameter β. */
    public double beta() {
        return beta;
    }

    /** The hierarchy the expansions live on. */
    public Bvh bvh() {
        return bvh;
    }

    /**
     * Total length of the net boundary (hole rims, edges of duplicated or flipped faces, counted with multiplicity),
     * in the mesh's units; 0 for a closed, consistently oriented mesh. Zero-area faces may add length without
     * changing {@code w}.
     */
    public double boundaryLength() {
        return boundaryLength;
    }

    /** Number of net boundary edges, with multiplicity. */
    public int boundaryEdgeCount() {
        return boundaryEdges;
    }

    /** Whether every edge's orientations cancel, so that {@code w} is an integer off the surface. */
    public boolean isClosed() {
        return boundaryEdges == 0;
    }

    /**
     * A bound on how much {@code w} can change between two points {@code s} apart on a segment that stays at least
     * {@code d} from the surface: {@code s · L / (4π d²)}.
     */
    double variationBound(double s, double d) {
        return boundaryLength == 0 ? 0 : s * boundaryLength * INV_4PI / (d * d);
    }

    /** The winding number at {@code (x, y, z)}: 1 inside a closed outward mesh, 0 outside. */
    public double windingNumber(double x, double y, double z) {
        if (!Double.isFinite(x) || !Double.isFinite(y) || !Double.isFinite(z)) {
            throw new IllegalArgumentException("query point has a non-finite coordinate: " + x + " " + y + " " + z);
        }
        return evaluate(x, y, z, new int[bvh.maxDepth + 4]);
    }

    /** Winding numbers at packed {@code xyz} points, over all cores (deterministic). */
    public float[] windingNumbers(float[] xyz) {
        int n = xyz.length / 3;
        int[] order = MortonOrder.of(xyz);
        float[] out = new float[n];
        Parallel.forEach(Parallel.chunks(n, Bvh.CHUNK), c -> {
            int[] stack = new int[bvh.maxDepth + 4];
            int from = c * Bvh.CHUNK, end = Math.min(n, from + Bvh.CHUNK);
            float[] p = new float[3 * (end - from)];
            MortonOrder.gather(xyz, order, from, end, p);
            for (int k = from; k < end; k++) {
                int j = 3 * (k - from);
                out[order[k]] = (float) evaluate(p[j], p[j + 1], p[j + 2], stack);
            }
        });
        return out;
    }

    /** The winding number at a point, with a caller-provided stack of at least {@code bvh.maxDepth + 2}. */
    double evaluate(double qx, double qy, double qz, int[] stack) {
        final float[] e = exp;
        final int[] node = bvh.node;
        final float[] tri = bvh.tri;
        double sum = 0;
        int sp = 0;
        stack[sp++] = 0;
        while (sp > 0) {
            int n = stack[--sp];
            int o = STRIDE * n;
            double rx = e[o] - qx, ry = e[o + 1] - qy, rz = e[o + 2] - qz;
            double r2 = rx * rx + ry * ry + rz * rz;
            if (r2 > e[o + 3]) {
                double inv2 = 1 / r2;
                double inv = Math.sqrt(inv2);
                double inv3 = inv * inv2;
                double s = (rx * e[o + 4] + ry * e[o + 5] + rz * e[o + 6]) * inv3;
                // second order: tr(T)/r³ − 3 rᵀTr/r⁵
                double tr = e[o + 7] + e[o + 11] + e[o + 15];
                double rtr = rx * (e[o + 7] * rx + e[o + 8] * ry + e[o + 9] * rz)
                        + ry * (e[o + 10] * rx + e[o + 11] * ry + e[o + 12] * rz)
                        + rz * (e[o + 13] * rx + e[o + 14] * ry + e[o + 15] * rz);
                sum += s + (tr - 3 * rtr * inv2) * inv3;
                continue;
            }
            int first = node[2 * n], count = node[2 * n + 1];
            if (count > 0) {
                for (int i = 9 * first, end = 9 * (first + count); i < end; i += 9) {
                    sum += solidAngle(tri, i, qx, qy, qz);
                }
                continue;
            }
            stack[sp++] = first;
            stack[sp++] = first + 1;
        }
        return sum * INV_4PI;
    }

    /**
     * Signed solid angle of the triangle at {@code tri[o..o+8]} seen from {@code q} (Van Oosterom–Strackee): positive
     * when {@code q} is behind the triangle (on the side opposite its counter-clockwise normal).
     */
    static double solidAngle(float[] tri, int o, double qx, double qy, double qz) {
        double ax = tri[o] - qx, ay = tri[o + 1] - qy, az = tri[o + 2] - qz;
        double bx = tri[o + 3] - qx, by = tri[o + 4] - qy, bz = tri[o + 5] - qz;
        double cx = tri[o + 6] - qx, cy = tri[o + 7] - qy, cz = tri[o + 8] - qz;
        double la = Math.sqrt(ax * ax + ay * ay + az * az);
        double lb = Math.sqrt(bx * bx + by * by + bz * bz);
        double lc = Math.sqrt(cx * cx + cy * cy + cz * cz);
        double det = ax * (by * cz - bz * cy) + ay * (bz * cx - bx * cz) + az * (bx * cy - by * cx);
        double den = la * lb * lc
                + (ax * bx + ay * by + az * bz) * lc
                + (bx * cx + by * cy + bz * cz) * la
                + (cx * ax + cy * ay + cz * az) * lb;
        return 2 * Math.atan2(det, den);
    }
}
