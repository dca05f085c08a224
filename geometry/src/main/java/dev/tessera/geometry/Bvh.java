package dev.tessera.geometry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A bounding volume hierarchy over the triangles of a mesh, for closest-point and ray queries.
 *
 * <p><b>Build.</b> Top-down binned surface-area heuristic (16 bins per axis on triangle centroids, all three axes
 * tried; Wald 2007, "On fast construction of SAH-based bounding volume hierarchies"), leaves of at most
 * {@value #MAX_LEAF} triangles. {@code O(F log F)} time. The tree is stored in flat arrays: one box of 6 floats and
 * two ints per node, the two children of a node next to each other, and the triangles' vertex coordinates copied in
 * leaf order so that a leaf reads one contiguous run of memory. No object per node.
 *
 * <p><b>Queries.</b> Closest point: depth-first over the tree collapsed to four children per node (two binary
 * levels at a time: half the stack traffic, and four independent bounds per step for the processor to overlap; 1.4×
 * faster than the binary tree on the same bounds), pruning every node whose bound is farther than the best distance
 * so far; exact point–triangle distance ({@link ClosestPoint}). For these queries every node also has a bounding
 * <i>cylinder</i>: its axis is the area-weighted mean normal of the node's triangles, its half-height
 * and radius the largest distances of their vertices along and across the axis. A patch of a smooth surface fits in a
 * flat disc, far tighter than its axis-aligned box, and a point facing the surface from afar sees every patch beside
 * the nearest one as farther by its lateral offset; the box would let it in (the patches near the tangent point are
 * all almost equally far, and boxes of tilted patches reach out towards the point). With it a query at a random point
 * around a scanned mesh tests about a fifth of the triangles and half of the nodes that boxes let through. Ray: first
 * hit and all hits
 * (Möller–Trumbore, nearer child first). Distances are computed in {@code double} from the {@code float} vertices.
 * Typical cost {@code O(log F)} per query. Batch queries ({@link #closestPoints(float[])},
 * {@link #firstHitDistances(float[], float[])}) run over all cores of the calling thread's fork-join pool, visiting
 * points in Morton order and starting each search from the previous point's answer; their results do not depend on
 * the number of threads.
 *
 * <p>Immutable and thread-safe once built.
 */
public final class Bvh {
    /** Most triangles in a leaf. */
    public static final int MAX_LEAF = 8;

    private static final int BINS = 16;
    /** Ranges of at most this many triangles always become leaves. */
    private static final int MIN_LEAF = 2;
    /** Cost of a traversal step relative to a triangle test, for the surface-area heuristic. */
    private static final double TRAVERSAL_COST = 1 / 3.0;
    /** Batch queries are cut into chunks of this many points (fixed, for deterministic results). */
    static final int CHUNK = 1024;

    /** Number of triangles. */
    final int triangleCount;
    /** Triangle vertex coordinates in leaf order: 9 floats (a, b, c) per triangle. */
    final float[] tri;
    /** The same triangles prepared for distance queries ({@link PointTriangleDistance#prepare}). */
    final float[] pre;
    /** Mesh triangle index of each leaf-order triangle. */
    final int[] triId;
    /** Node boxes: minX minY minZ maxX maxY maxZ. */
    final float[] box;
    /** Floats per bounding cylinder: centre (3), unit axis (3), half-height, radius. */
    static final int CYL = 8;

    /**
     * The closest-point tree: the binary tree collapsed to four children per node (each inner node of the binary
     * tree at an even depth keeps its grandchildren, or its child where that is a leaf). Per 4-node, the bounding
     * cylinders of its four children, component-major ({@value #CYL} components × 4 children, {@code 32} floats, an
     * empty slot all NaN); every vertex of a child's triangles, hence (by convexity) every point of them, lies inside
     * its cylinder.
     */
    final float[] wideCyl;
    /**
     * Per 4-node, its four children: a 4-node's index (≥ 0), or a leaf as {@code ~(first << 3 | (count − 1))} (its
     * first leaf-order triangle and count); 0 in empty slots (never read: their NaN bound is never below the best).
     */
    final int[] wideChild;
    /**
     * Two ints per node: for a leaf, the first leaf-order triangle and the count (≥ 1); for an inner node, the index
     * of its first child and 0 (the second child is the next node).
     */
    final int[] node;

    final int nodeCount;
    /** Depth of the deepest leaf (root = 0); a traversal stack of {@code maxDepth + 2} entries never overflows. */
    final int maxDepth;

    private Bvh(
            int triangleCount,
            float[] tri,
            int[] triId,
            float[] box,
            float[] cyl,
            int[] node,
            int nodeCount,
            int maxDepth) {
        this.triangleCount = triangleCount;
        this.tri = tri;
        this.pre = new float[PointTriangleDistance.PREPARED * triangleCount];
        for (int i = 0; i < triangleCount; i++) {
            PointTriangleDistance.prepare(tri, 9 * i, pre, PointTriangleDistance.PREPARED * i);
        }
        this.triId = triId;
        this.box = box;
        this.node = node;
        this.nodeCount = nodeCount;
        this.maxDepth = maxDepth;
        Collapsed wide = collapse(node, nodeCount, cyl);
        this.wideCyl = wide.cyl();
        this.wideChild = wide.child();
    }

    /** The 4-nodes' arrays ({@link #wideCyl}, {@link #wideChild}). */
    private record Collapsed(float[] cyl, int[] child) {}

    /**
     * Builds the 4-nodes ({@link #wideCyl}, {@link #wideChild}) from the binary tree, breadth first from the root:
     * a 4-node's children are its binary node's grandchildren, or its child where that is a leaf. A first pass only
     * lists the 4-nodes, so that the arrays are allocated at their size (about a quarter of the binary nodes). A
     * leaf's first triangle fits the 28 bits its code leaves it: {@link #pre}'s 24 floats a triangle already cap a
     * tree at 89M.
     */
    private static Collapsed collapse(int[] node, int nodeCount, float[] cyl) {
        int[] queue = new int[nodeCount]; // the binary node of each 4-node, breadth first
        int count = 1;
        int[] kids = new int[4];
        for (int w = 0; w < count; w++) {
            for (int j = 0, k = kids(node, queue[w], kids); j < k; j++) {
                if (node[2 * kids[j] + 1] == 0) {
                    queue[count++] = kids[j];
                }
            }
        }
        float[] wideCyl = new float[4 * CYL * count];
        int[] wideChild = new int[4 * count];
        Arrays.fill(wideCyl, Float.NaN);
        int next = 1; // the same breadth-first order as the first pass
        for (int w = 0; w < count; w++) {
            for (int j = 0, k = kids(node, queue[w], kids); j < k; j++) {
                int c = kids[j];
                for (int comp = 0; comp < CYL; comp++) {
                    wideCyl[4 * CYL * w + 4 * comp + j] = cyl[CYL * c + comp];
                }
                int n = node[2 * c + 1];
                wideChild[4 * w + j] = n > 0 ? ~(node[2 * c] << 3 | (n - 1)) : next++;
            }
        }
        return new Collapsed(wideCyl, wideChild);
    }

    /** The children of the 4-node over binary node {@code n} into {@code kids}; returns their number (1–4). */
    private static int kids(int[] node, int n, int[] kids) {
        if (node[2 * n + 1] > 0) {
            kids[0] = n; // a root that is a leaf
            return 1;
        }
        int k = 0;
        for (int c = node[2 * n]; c <= node[2 * n] + 1; c++) {
            if (node[2 * c + 1] > 0) {
                kids[k++] = c;
            } else {
                kids[k++] = node[2 * c];
                kids[k++] = node[2 * c] + 1;
            }
        }
        return k;
    }

    /**
     * Builds the hierarchy over all triangles of {@code mesh} (degenerate ones included: they still have a closest
     * point).
     *
     * @throws InvalidMeshException when the mesh has no triangles
     */
    public static Bvh build(TriangleMesh mesh) {
        return build(mesh.positions(), mesh.triangles());
    }

    /** Builds over packed positions and triangle indices (already checked by a {@link TriangleMesh}). */
    static Bvh build(float[] p, int[] t) {
        int f = t.length / 3;
        if (f == 0) {
            throw new InvalidMeshException("the mesh has no triangles: nothing to build a BVH over");
        }
        float[] tb = new float[6 * f];
        float[] cen = new float[3 * f];
        for (int i = 0; i < f; i++) {
            int a = 3 * t[3 * i], b = 3 * t[3 * i + 1], c = 3 * t[3 * i + 2];
            for (int k = 0; k < 3; k++) {
                float lo = Math.min(p[a + k], Math.min(p[b + k], p[c + k]));
                float hi = Math.max(p[a + k], Math.max(p[b + k], p[c + k]));
                tb[6 * i + k] = lo;
                tb[6 * i + 3 + k] = hi;
                cen[3 * i + k] = 0.5f * (lo + hi);
            }
        }
        int[] idx = new int[f];
        for (int i = 0; i < f; i++) {
            idx[i] = i;
        }
        int maxNodes = 2 * f - 1;
        float[] box = new float[6 * maxNodes];
        int[] node = new int[2 * maxNodes];
        int[] range = new int[2 * maxNodes]; // first and end leaf-order triangle of each node
        int nodeCount = 1;
        int maxDepth = 0;
        // work stack: node, start, end, depth
        int[] stack = new int[4 * 64];
        int sp = 0;
        stack[sp++] = 0;
        stack[sp++] = 0;
        stack[sp++] = f;
        stack[sp++] = 0;
        int[] binCount = new int[BINS];
        float[] binBox = new float[6 * BINS];
        float[] rightArea = new float[BINS];
        while (sp > 0) {
            int depth = stack[--sp];
            int e = stack[--sp];
            int s = stack[--sp];
            int n = stack[--sp];
            maxDepth = Math.max(maxDepth, depth);
            range[2 * n] = s;
            range[2 * n + 1] = e;
            float bx0 = Float.POSITIVE_INFINITY, by0 = bx0, bz0 = bx0;
            float bx1 = Float.NEGATIVE_INFINITY, by1 = bx1, bz1 = bx1;
            float cx0 = Float.POSITIVE_INFINITY, cy0 = cx0, cz0 = cx0;
            float cx1 = Float.NEGATIVE_INFINITY, cy1 = cx1, cz1 = cx1;
            for (int i = s; i < e; i++) {
                int q = idx[i];
                bx0 = Math.min(bx0, tb[6 * q]);
                by0 = Math.min(by0, tb[6 * q + 1]);
                bz0 = Math.min(bz0, tb[6 * q + 2]);
                bx1 = Math.max(bx1, tb[6 * q + 3]);
                by1 = Math.max(by1, tb[6 * q + 4]);
                bz1 = Math.max(bz1, tb[6 * q + 5]);
                cx0 = Math.min(cx0, cen[3 * q]);
                cy0 = Math.min(cy0, cen[3 * q + 1]);
                cz0 = Math.min(cz0, cen[3 * q + 2]);
                cx1 = Math.max(cx1, cen[3 * q]);
                cy1 = Math.max(cy1, cen[3 * q + 1]);
                cz1 = Math.max(cz1, cen[3 * q + 2]);
            }
            box[6 * n] = bx0;
            box[6 * n + 1] = by0;
            box[6 * n + 2] = bz0;
            box[6 * n + 3] = bx1;
            box[6 * n + 4] = by1;
            box[6 * n + 5] = bz1;
            int cnt = e - s;
            if (cnt <= MIN_LEAF) {
                node[2 * n] = s;
                node[2 * n + 1] = cnt;
                continue;
            }
            float[] cmin = {cx0, cy0, cz0};
            float[] cmax = {cx1, cy1, cz1};
            int bestAxis = -1, bestBin = -1;
            double bestCost = Double.POSITIVE_INFINITY;
            for (int axis = 0; axis < 3; axis++) {
                float ext = cmax[axis] - cmin[axis];
                if (!(ext > 0)) {
                    continue;
                }
                float k = BINS * (1 - 1e-6f) / ext;
                Arrays.fill(binCount, 0);
                for (int bi = 0; bi < BINS; bi++) {
                    emptyBox(binBox, bi);
                }
                for (int i = s; i < e; i++) {
                    int q = idx[i];
                    int bi = bin(cen[3 * q + axis], cmin[axis], k);
                    binCount[bi]++;
                    growBox(binBox, bi, tb, q);
                }
                // sweep from the right: area of bins bi..BINS-1
                float rx0 = Float.POSITIVE_INFINITY, ry0 = rx0, rz0 = rx0;
                float rx1 = Float.NEGATIVE_INFINITY, ry1 = rx1, rz1 = rx1;
                for (int bi = BINS - 1; bi > 0; bi--) {
                    rx0 = Math.min(rx0, binBox[6 * bi]);
                    ry0 = Math.min(ry0, binBox[6 * bi + 1]);
                    rz0 = Math.min(rz0, binBox[6 * bi + 2]);
                    rx1 = Math.max(rx1, binBox[6 * bi + 3]);
                    ry1 = Math.max(ry1, binBox[6 * bi + 4]);
                    rz1 = Math.max(rz1, binBox[6 * bi + 5]);
                    rightArea[bi] = area(rx0, ry0, rz0, rx1, ry1, rz1);
                }
                float lx0 = Float.POSITIVE_INFINITY, ly0 = lx0, lz0 = lx0;
                float lx1 = Float.NEGATIVE_INFINITY, ly1 = lx1, lz1 = lx1;
                int left = 0;
                for (int bi = 0; bi < BINS - 1; bi++) {
                    lx0 = Math.min(lx0, binBox[6 * bi]);
                    ly0 = Math.min(ly0, binBox[6 * bi + 1]);
                    lz0 = Math.min(lz0, binBox[6 * bi + 2]);
                    lx1 = Math.max(lx1, binBox[6 * bi + 3]);
                    ly1 = Math.max(ly1, binBox[6 * bi + 4]);
                    lz1 = Math.max(lz1, binBox[6 * bi + 5]);
                    left += binCount[bi];
                    int right = cnt - left;
                    if (left == 0 || right == 0) {
                        continue;
                    }
                    double cost =
                            (double) area(lx0, ly0, lz0, lx1, ly1, lz1) * left + (double) rightArea[bi + 1] * right;
                    if (cost < bestCost) {
                        bestCost = cost;
                        bestAxis = axis;
                        bestBin = bi;
                    }
                }
            }
            double nodeArea = area(bx0, by0, bz0, bx1, by1, bz1);
            if (cnt <= MAX_LEAF && (bestAxis < 0 || cnt * nodeArea <= TRAVERSAL_COST * nodeArea + bestCost)) {
                node[2 * n] = s;
                node[2 * n + 1] = cnt;
                continue;
            }
            int mid;
            if (bestAxis < 0) {
                mid = (s + e) >>> 1; // all centroids coincide: any split is as good
            } else {
                float k = BINS * (1 - 1e-6f) / (cmax[bestAxis] - cmin[bestAxis]);
                int i = s, j = e - 1;
                while (i <= j) {
                    if (bin(cen[3 * idx[i] + bestAxis], cmin[bestAxis], k) <= bestBin) {
                        i++;
                    } else {
                        int sw = idx[i];
                        idx[i] = idx[j];
                        idx[j] = sw;
                        j--;
                    }
                }
                mid = i;
                if (mid == s || mid == e) {
                    mid = (s + e) >>> 1;
                }
            }
            int child = nodeCount;
            nodeCount += 2;
            node[2 * n] = child;
            node[2 * n + 1] = 0;
            if (sp + 8 > stack.length) {
                stack = Arrays.copyOf(stack, 2 * stack.length);
            }
            stack[sp++] = child + 1;
            stack[sp++] = mid;
            stack[sp++] = e;
            stack[sp++] = depth + 1;
            stack[sp++] = child;
            stack[sp++] = s;
            stack[sp++] = mid;
            stack[sp++] = depth + 1;
        }
        float[] tri = new float[9 * f];
        for (int i = 0; i < f; i++) {
            int q = idx[i];
            for (int c = 0; c < 3; c++) {
                int v = 3 * t[3 * q + c];
                tri[9 * i + 3 * c] = p[v];
                tri[9 * i + 3 * c + 1] = p[v + 1];
                tri[9 * i + 3 * c + 2] = p[v + 2];
            }
        }
        float[] cyl = new float[CYL * nodeCount];
        for (int n = 0; n < nodeCount; n++) {
            cylinder(tri, range[2 * n], range[2 * n + 1], box, n, cyl);
        }
        return new Bvh(
                f,
                tri,
                idx,
                Arrays.copyOf(box, 6 * nodeCount),
                cyl,
                Arrays.copyOf(node, 2 * nodeCount),
                nodeCount,
                maxDepth);
    }

    /**
     * The bounding cylinder of leaf-order triangles {@code [s, e)} into {@code cyl[CYL·n ..]}: axis the area-weighted
     * mean normal (z when it vanishes), centred on the box's centre moved along the axis to the middle of the
     * vertices' extent. Half-height and radius are measured from the centre and axis as stored (rounded to float) and
     * padded by a relative 1e-6, so rounding in the build cannot leave a vertex outside.
     */
    private static void cylinder(float[] tri, int s, int e, float[] box, int n, float[] cyl) {
        double ax = 0, ay = 0, az = 0;
        for (int i = s; i < e; i++) {
            int o = 9 * i;
            double ux = tri[o + 3] - tri[o], uy = tri[o + 4] - tri[o + 1], uz = tri[o + 5] - tri[o + 2];
            double vx = tri[o + 6] - tri[o], vy = tri[o + 7] - tri[o + 1], vz = tri[o + 8] - tri[o + 2];
            ax += uy * vz - uz * vy;
            ay += uz * vx - ux * vz;
            az += ux * vy - uy * vx;
        }
        double len = Math.sqrt(ax * ax + ay * ay + az * az);
        if (!(len > 0 && len < Double.POSITIVE_INFINITY)) {
            ax = 0;
            ay = 0;
            az = len = 1;
        }
        float nx = (float) (ax / len), ny = (float) (ay / len), nz = (float) (az / len);
        int b = 6 * n;
        double cx = 0.5 * ((double) box[b] + box[b + 3]);
        double cy = 0.5 * ((double) box[b + 1] + box[b + 4]);
        double cz = 0.5 * ((double) box[b + 2] + box[b + 5]);
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int q = 9 * s; q < 9 * e; q += 3) {
            double h = (tri[q] - cx) * nx + (tri[q + 1] - cy) * ny + (tri[q + 2] - cz) * nz;
            lo = Math.min(lo, h);
            hi = Math.max(hi, h);
        }
        double mid = 0.5 * (lo + hi);
        float fx = (float) (cx + mid * nx), fy = (float) (cy + mid * ny), fz = (float) (cz + mid * nz);
        double half = 0, radius2 = 0, extent = 0;
        for (int q = 9 * s; q < 9 * e; q += 3) {
            double vx = tri[q] - fx, vy = tri[q + 1] - fy, vz = tri[q + 2] - fz;
            double h = vx * nx + vy * ny + vz * nz;
            double rx = vx - h * nx, ry = vy - h * ny, rz = vz - h * nz;
            half = Math.max(half, Math.abs(h));
            radius2 = Math.max(radius2, rx * rx + ry * ry + rz * rz);
            extent = Math.max(extent, Math.abs(vx) + Math.abs(vy) + Math.abs(vz));
        }
        int c = CYL * n;
        cyl[c] = fx;
        cyl[c + 1] = fy;
        cyl[c + 2] = fz;
        cyl[c + 3] = nx;
        cyl[c + 4] = ny;
        cyl[c + 5] = nz;
        cyl[c + 6] = (float) (half + 1e-6 * extent);
        cyl[c + 7] = (float) (Math.sqrt(radius2) + 1e-6 * extent);
    }

    private static int bin(float c, float min, float k) {
        int b = (int) ((c - min) * k);
        return b < 0 ? 0 : (b >= BINS ? BINS - 1 : b);
    }

    private static void emptyBox(float[] b, int i) {
        b[6 * i] = b[6 * i + 1] = b[6 * i + 2] = Float.POSITIVE_INFINITY;
        b[6 * i + 3] = b[6 * i + 4] = b[6 * i + 5] = Float.NEGATIVE_INFINITY;
    }

    private static void growBox(float[] b, int i, float[] tb, int q) {
        for (int k = 0; k < 3; k++) {
            b[6 * i + k] = Math.min(b[6 * i + k], tb[6 * q + k]);
            b[6 * i + 3 + k] = Math.max(b[6 * i + 3 + k], tb[6 * q + 3 + k]);
        }
    }

    private static float area(float x0, float y0, float z0, float x1, float y1, float z1) {
        float dx = x1 - x0, dy = y1 - y0, dz = z1 - z0;
        return dx < 0 ? 0 : dx * dy + dy * dz + dz * dx;
    }

    /** Number of triangles. */
    public int triangleCount() {
        return triangleCount;
    }

    /** Number of nodes (at most {@code 2F - 1}). */
    public int nodeCount() {
        return nodeCount;
    }

    /** Depth of the deepest leaf, the root being at depth 0. */
    public int depth() {
        return maxDepth;
    }

    /** The bounding box of all triangles. */
    public Aabb bounds() {
        return new Aabb(box[0], box[1], box[2], box[3], box[4], box[5]);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Closest point

    /** Per-thread traversal state, reused across the queries of one batch chunk. */
    static final class Scratch {
        final int[] stack;
        final float[] key;
        final double[] bary = new double[3];
        /** A batch chunk's query points, gathered in Morton order ({@link MortonOrder#gather}). */
        final float[] points = new float[3 * CHUNK];
        /** Squared distance of the last {@link #nearest} answer. */
        float best2;

        Scratch(Bvh bvh) {
            // a 4-node pushes at most 4 children and leaves at most 3 behind it at each of its ≤ maxDepth levels
            stack = new int[3 * bvh.maxDepth + 8];
            key = new float[3 * bvh.maxDepth + 8];
        }
    }

    /** A scratch sized for this tree. */
    Scratch scratch() {
        return new Scratch(this);
    }

    /**
     * A lower bound of the squared distance from a point to the triangles of child {@code j} of the 4-node whose
     * cylinders start at {@code o}: the squared distance to its bounding cylinder ({@code (axial gap)² + (radial
     * gap)²}; NaN for an empty slot). The radial offset is computed as a vector (not as {@code |v|² − h²}, which
     * cancels), both gaps are shrunk by {@code 1e-6·|v|₁}, more than float rounding can make them grow, and the square
     * by {@value #BOUND_SLACK} relative, so a triangle whose float distance would win is never pruned.
     */
    private static float lowerBound2(float[] c, int o, int j, float px, float py, float pz) {
        float vx = px - c[o + j], vy = py - c[o + 4 + j], vz = pz - c[o + 8 + j];
        float nx = c[o + 12 + j], ny = c[o + 16 + j], nz = c[o + 20 + j];
        float h = Math.fma(vx, nx, Math.fma(vy, ny, vz * nz));
        float rx = Math.fma(-h, nx, vx), ry = Math.fma(-h, ny, vy), rz = Math.fma(-h, nz, vz);
        float tol = 1e-6f * (Math.abs(vx) + Math.abs(vy) + Math.abs(vz));
        float axial = Math.max(Math.abs(h) - c[o + 24 + j] - tol, 0f);
        float radial =
                Math.max((float) Math.sqrt(Math.fma(rx, rx, Math.fma(ry, ry, rz * rz))) - c[o + 28 + j] - tol, 0f);
        return Math.fma(axial, axial, radial * radial) * BOUND_SLACK;
    }

    /** Relative shrink of the squared lower bounds (see {@link #lowerBound2}). */
    private static final float BOUND_SLACK = 1 - 4e-6f;

    /**
     * The leaf-order index of the triangle nearest to a point, searching only triangles strictly nearer than
     * {@code hint} (a leaf-order triangle whose distance starts the search; -1 for none). Leaves the squared
     * distance in {@code s.best2}.
     *
     * <p>Depth first over the 4-nodes, pruning every child whose bound is not below the best distance so far. With a
     * hint (a batch's previous answer: within a few per cent of the final distance) the children are pushed in their
     * stored order: the order hardly changes what is visited, and comparing four bounds would cost mispredicted
     * branches at every node (measured 1.35× slower). Without one, the nearest child is visited first, so that the
     * best distance falls early (unordered was 6× slower there).
     */
    int nearest(float px, float py, float pz, int hint, Scratch s) {
        final float[] pre = this.pre;
        final float[] c = wideCyl;
        final int[] child = wideChild;
        final int stride = PointTriangleDistance.PREPARED;
        final boolean ordered = hint < 0;
        int bestT = -1;
        float best = Float.POSITIVE_INFINITY;
        if (hint >= 0) {
            bestT = hint;
            best = PointTriangleDistance.squared(px, py, pz, pre, stride * hint);
        }
        int[] stack = s.stack;
        float[] key = s.key;
        stack[0] = 0;
        key[0] = 0;
        int sp = 1;
        // Branches, not branch-free selects: a push that depends on the bound's value makes every step wait for the
        // previous one's arithmetic, while predicted branches let the processor run ahead (measured 1.2x faster).
        while (sp > 0) {
            sp--;
            if (key[sp] >= best) {
                continue;
            }
            int n = stack[sp];
            if (n < 0) { // a leaf
                int first = ~n >>> 3, end = first + (~n & 7) + 1;
                for (int i = first; i < end; i++) {
                    float d = PointTriangleDistance.squared(px, py, pz, pre, stride * i);
                    if (d < best) {
                        best = d;
                        bestT = i;
                    }
                }
                continue;
            }
            int o = 4 * CYL * n, r = 4 * n;
            float k0 = lowerBound2(c, o, 0, px, py, pz);
            float k1 = lowerBound2(c, o, 1, px, py, pz);
            float k2 = lowerBound2(c, o, 2, px, py, pz);
            float k3 = lowerBound2(c, o, 3, px, py, pz);
            int last = -1; // the child pushed last, popped first
            if (ordered) {
                float m = k0;
                last = 0;
                if (k1 < m) {
                    m = k1;
                    last = 1;
                }
                if (k2 < m) {
                    m = k2;
                    last = 2;
                }
                if (k3 < m) {
                    last = 3;
                }
            }
            if (k3 < best && last != 3) {
                stack[sp] = child[r + 3];
                key[sp++] = k3;
            }
            if (k2 < best && last != 2) {
                stack[sp] = child[r + 2];
                key[sp++] = k2;
            }
            if (k1 < best && last != 1) {
                stack[sp] = child[r + 1];
                key[sp++] = k1;
            }
            if (k0 < best && last != 0) {
                stack[sp] = child[r];
                key[sp++] = k0;
            }
            if (last >= 0) {
                float k = last == 0 ? k0 : last == 1 ? k1 : last == 2 ? k2 : k3;
                if (k < best) {
                    stack[sp] = child[r + last];
                    key[sp++] = k;
                }
            }
        }
        s.best2 = best;
        return bestT;
    }

    /** Mesh triangle index of leaf-order triangle {@code i}. */
    int meshTriangle(int leafIndex) {
        return triId[leafIndex];
    }

    /** The point of the mesh nearest to {@code (x, y, z)}. {@code O(log F)} typical. */
    public ClosestPoint closestPoint(double x, double y, double z) {
        if (!Double.isFinite(x) || !Double.isFinite(y) || !Double.isFinite(z)) {
            throw new IllegalArgumentException("query point has a non-finite coordinate: " + x + " " + y + " " + z);
        }
        Scratch s = scratch();
        int t = nearest((float) x, (float) y, (float) z, -1, s);
        return answer(x, y, z, t, s.bary);
    }

    private ClosestPoint answer(double x, double y, double z, int t, double[] bary) {
        double d2 = PointTriangleDistance.closest(x, y, z, tri, 9 * t, bary);
        int o = 9 * t;
        double px = bary[0] * tri[o] + bary[1] * tri[o + 3] + bary[2] * tri[o + 6];
        double py = bary[0] * tri[o + 1] + bary[1] * tri[o + 4] + bary[2] * tri[o + 7];
        double pz = bary[0] * tri[o + 2] + bary[1] * tri[o + 5] + bary[2] * tri[o + 8];
        return new ClosestPoint(
                triId[t], (float) bary[0], (float) bary[1], (float) bary[2], (float) px, (float) py, (float) pz, (float)
                        Math.sqrt(d2));
    }

    /**
     * Closest points for a batch of packed {@code xyz} queries, over all cores. {@code O(N log F)} typical.
     *
     * @throws IllegalArgumentException when a coordinate is not finite or the length is not a multiple of 3
     */
    public ClosestPoints closestPoints(float[] xyz) {
        int n = xyz.length / 3;
        int[] order = MortonOrder.of(xyz);
        int[] tris = new int[n];
        float[] pts = new float[3 * n];
        float[] bary = new float[3 * n];
        float[] dist = new float[n];
        Parallel.forEach(Parallel.chunks(n, CHUNK), c -> {
            Scratch s = scratch();
            double[] b = s.bary;
            int hint = -1;
            int from = c * CHUNK, end = Math.min(n, from + CHUNK);
            float[] p = s.points;
            MortonOrder.gather(xyz, order, from, end, p);
            for (int k = from; k < end; k++) {
                int q = order[k], j = 3 * (k - from);
                float x = p[j], y = p[j + 1], z = p[j + 2];
                int t = nearest(x, y, z, hint, s);
                hint = t;
                double d2 = PointTriangleDistance.closest(x, y, z, tri, 9 * t, b);
                int o = 9 * t;
                for (int a = 0; a < 3; a++) {
                    pts[3 * q + a] = (float) (b[0] * tri[o + a] + b[1] * tri[o + 3 + a] + b[2] * tri[o + 6 + a]);
                    bary[3 * q + a] = (float) b[a];
                }
                tris[q] = triId[t];
                dist[q] = (float) Math.sqrt(d2);
            }
        });
        return new ClosestPoints(tris, pts, bary, dist);
    }

    /**
     * Distances from packed {@code xyz} queries to the mesh, over all cores; when {@code triangles} is not null it
     * receives the leaf-order index of each nearest triangle.
     */
    float[] distances(float[] xyz, int[] leafTriangles) {
        int n = xyz.length / 3;
        int[] order = MortonOrder.of(xyz);
        float[] dist = new float[n];
        Parallel.forEach(Parallel.chunks(n, CHUNK), c -> {
            Scratch s = scratch();
            int hint = -1;
            int from = c * CHUNK, end = Math.min(n, from + CHUNK);
            float[] p = s.points;
            MortonOrder.gather(xyz, order, from, end, p);
            for (int k = from; k < end; k++) {
                int q = order[k], j = 3 * (k - from);
                int t = nearest(p[j], p[j + 1], p[j + 2], hint, s);
                hint = t;
                dist[q] = (float) Math.sqrt(s.best2);
                if (leafTriangles != null) {
                    leafTriangles[q] = t;
                }
            }
        });
        return dist;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Rays

    /**
     * The first triangle hit by the ray {@code o + t·d} for {@code 0 ≤ t ≤ tMax}, or {@code null} when it hits
     * nothing. The direction need not be unit length ({@code t} is then in units of {@code |d|}). Hits exactly on an
     * edge shared by two triangles may be reported for either.
     *
     * @throws IllegalArgumentException when the direction is zero or a coordinate is not finite
     */
    public RayHit firstHit(double ox, double oy, double oz, double dx, double dy, double dz, double tMax) {
        checkRay(ox, oy, oz, dx, dy, dz);
        double[] hit = new double[3];
        int t = firstHit(ox, oy, oz, dx, dy, dz, tMax, new int[maxDepth + 4], new double[maxDepth + 4], hit);
        return t < 0 ? null : rayHit(ox, oy, oz, dx, dy, dz, t, hit[0], hit[1], hit[2]);
    }

    /** First hit along a ray with no far limit; {@code null} when the ray misses. */
    public RayHit firstHit(double ox, double oy, double oz, double dx, double dy, double dz) {
        return firstHit(ox, oy, oz, dx, dy, dz, Double.POSITIVE_INFINITY);
    }

    /**
     * Every triangle crossed by the ray {@code o + t·d}, {@code 0 ≤ t ≤ tMax}, sorted by {@code t} (ties by triangle
     * index). A ray through an edge or vertex shared by several triangles may report each of them.
     */
    public List<RayHit> allHits(double ox, double oy, double oz, double dx, double dy, double dz, double tMax) {
        checkRay(ox, oy, oz, dx, dy, dz);
        List<RayHit> out = new ArrayList<>();
        double[] inv = {1 / dx, 1 / dy, 1 / dz};
        int[] stack = new int[maxDepth + 4];
        int sp = 0;
        stack[sp++] = 0;
        double[] h = new double[3];
        while (sp > 0) {
            int n = stack[--sp];
            if (slab(n, ox, oy, oz, dx, dy, dz, inv, tMax) == Double.POSITIVE_INFINITY) {
                continue;
            }
            int first = node[2 * n], count = node[2 * n + 1];
            if (count > 0) {
                for (int i = first; i < first + count; i++) {
                    if (intersect(i, ox, oy, oz, dx, dy, dz, tMax, h)) {
                        out.add(rayHit(ox, oy, oz, dx, dy, dz, i, h[0], h[1], h[2]));
                    }
                }
            } else {
                stack[sp++] = first;
                stack[sp++] = first + 1;
            }
        }
        out.sort(Comparator.comparingDouble(RayHit::t).thenComparingInt(RayHit::triangle));
        return out;
    }

    /**
     * For each ray {@code i} (origin {@code origins[3i..]}, direction {@code directions[3i..]}), the {@code t} of its
     * first hit, or {@code +∞} when it misses; over all cores.
     */
    public float[] firstHitDistances(float[] origins, float[] directions) {
        if (origins.length != directions.length || origins.length % 3 != 0) {
            throw new IllegalArgumentException("origins (" + origins.length + ") and directions (" + directions.length
                    + ") must be packed xyz of the same length");
        }
        int n = origins.length / 3;
        float[] out = new float[n];
        Parallel.forEach(Parallel.chunks(n, CHUNK), c -> {
            int[] stack = new int[maxDepth + 4];
            double[] key = new double[maxDepth + 4];
            double[] hit = new double[3];
            for (int i = c * CHUNK, end = Math.min(n, i + CHUNK); i < end; i++) {
                double ox = origins[3 * i], oy = origins[3 * i + 1], oz = origins[3 * i + 2];
                double dx = directions[3 * i], dy = directions[3 * i + 1], dz = directions[3 * i + 2];
                checkRay(ox, oy, oz, dx, dy, dz);
                int t = firstHit(ox, oy, oz, dx, dy, dz, Double.POSITIVE_INFINITY, stack, key, hit);
                out[i] = t < 0 ? Float.POSITIVE_INFINITY : (float) hit[0];
            }
        });
        return out;
    }

    private static void checkRay(double ox, double oy, double oz, double dx, double dy, double dz) {
        if (!Double.isFinite(ox + oy + oz + dx + dy + dz)) {
            throw new IllegalArgumentException("ray has a non-finite coordinate");
        }
        if (dx == 0 && dy == 0 && dz == 0) {
            throw new IllegalArgumentException("ray direction is zero");
        }
    }

    /** Leaf-order index of the first triangle hit, or -1; {@code hit} receives (t, weight of b, weight of c). */
    private int firstHit(
            double ox,
            double oy,
            double oz,
            double dx,
            double dy,
            double dz,
            double tMax,
            int[] stack,
            double[] key,
            double[] hit) {
        double[] inv = {1 / dx, 1 / dy, 1 / dz};
        double best = tMax;
        int bestT = -1;
        double bu = 0, bv = 0;
        int sp = 0;
        double t0 = slab(0, ox, oy, oz, dx, dy, dz, inv, best);
        if (t0 == Double.POSITIVE_INFINITY) {
            return -1;
        }
        stack[sp] = 0;
        key[sp++] = t0;
        double[] h = new double[3];
        while (sp > 0) {
            sp--;
            if (key[sp] > best) {
                continue;
            }
            int n = stack[sp];
            int first = node[2 * n], count = node[2 * n + 1];
            if (count > 0) {
                for (int i = first; i < first + count; i++) {
                    if (intersect(i, ox, oy, oz, dx, dy, dz, best, h) && (h[0] < best || bestT < 0)) {
                        best = h[0];
                        bestT = i;
                        bu = h[1];
                        bv = h[2];
                    }
                }
            } else {
                double tl = slab(first, ox, oy, oz, dx, dy, dz, inv, best);
                double tr = slab(first + 1, ox, oy, oz, dx, dy, dz, inv, best);
                int near = tl <= tr ? first : first + 1;
                double tn = Math.min(tl, tr), tf = Math.max(tl, tr);
                if (tf != Double.POSITIVE_INFINITY) {
                    stack[sp] = near == first ? first + 1 : first;
                    key[sp++] = tf;
                }
                if (tn != Double.POSITIVE_INFINITY) {
                    stack[sp] = near;
                    key[sp++] = tn;
                }
            }
        }
        hit[0] = best;
        hit[1] = bu;
        hit[2] = bv;
        return bestT;
    }

    /** Entry parameter of the ray into node {@code n}'s box within {@code [0, tMax]}, or +∞ when it misses. */
    private double slab(
            int n, double ox, double oy, double oz, double dx, double dy, double dz, double[] inv, double tMax) {
        int o = 6 * n;
        double lo = 0, hi = tMax;
        if (dx == 0) {
            if (ox < box[o] || ox > box[o + 3]) {
                return Double.POSITIVE_INFINITY;
            }
        } else {
            double a = (box[o] - ox) * inv[0], b = (box[o + 3] - ox) * inv[0];
            lo = Math.max(lo, Math.min(a, b));
            hi = Math.min(hi, Math.max(a, b));
        }
        if (dy == 0) {
            if (oy < box[o + 1] || oy > box[o + 4]) {
                return Double.POSITIVE_INFINITY;
            }
        } else {
            double a = (box[o + 1] - oy) * inv[1], b = (box[o + 4] - oy) * inv[1];
            lo = Math.max(lo, Math.min(a, b));
            hi = Math.min(hi, Math.max(a, b));
        }
        if (dz == 0) {
            if (oz < box[o + 2] || oz > box[o + 5]) {
                return Double.POSITIVE_INFINITY;
            }
        } else {
            double a = (box[o + 2] - oz) * inv[2], b = (box[o + 5] - oz) * inv[2];
            lo = Math.max(lo, Math.min(a, b));
            hi = Math.min(hi, Math.max(a, b));
        }
        return lo <= hi ? lo : Double.POSITIVE_INFINITY;
    }

    /**
     * Möller–Trumbore ray/triangle test of leaf-order triangle {@code i}; on a hit with {@code 0 ≤ t ≤ tMax} writes
     * {@code (t, weight of b, weight of c)} to {@code h}.
     */
    private boolean intersect(
            int i, double ox, double oy, double oz, double dx, double dy, double dz, double tMax, double[] h) {
        int o = 9 * i;
        double ax = tri[o], ay = tri[o + 1], az = tri[o + 2];
        double e1x = tri[o + 3] - ax, e1y = tri[o + 4] - ay, e1z = tri[o + 5] - az;
        double e2x = tri[o + 6] - ax, e2y = tri[o + 7] - ay, e2z = tri[o + 8] - az;
        double px = dy * e2z - dz * e2y, py = dz * e2x - dx * e2z, pz = dx * e2y - dy * e2x;
        double det = e1x * px + e1y * py + e1z * pz;
        if (det == 0 || !Double.isFinite(det)) {
            return false;
        }
        double inv = 1 / det;
        double tx = ox - ax, ty = oy - ay, tz = oz - az;
        double u = (tx * px + ty * py + tz * pz) * inv;
        if (u < 0 || u > 1) {
            return false;
        }
        double qx = ty * e1z - tz * e1y, qy = tz * e1x - tx * e1z, qz = tx * e1y - ty * e1x;
        double v = (dx * qx + dy * qy + dz * qz) * inv;
        if (v < 0 || u + v > 1) {
            return false;
        }
        double t = (e2x * qx + e2y * qy + e2z * qz) * inv;
        if (!(t >= 0 && t <= tMax)) {
            return false;
        }
        h[0] = t;
        h[1] = u;
        h[2] = v;
        return true;
    }

    private RayHit rayHit(
            double ox, double oy, double oz, double dx, double dy, double dz, int i, double t, double u, double v) {
        int o = 9 * i;
        double e1x = tri[o + 3] - tri[o], e1y = tri[o + 4] - tri[o + 1], e1z = tri[o + 5] - tri[o + 2];
        double e2x = tri[o + 6] - tri[o], e2y = tri[o + 7] - tri[o + 1], e2z = tri[o + 8] - tri[o + 2];
        double nx = e1y * e2z - e1z * e2y, ny = e1z * e2x - e1x * e2z, nz = e1x * e2y - e1y * e2x;
        boolean front = nx * dx + ny * dy + nz * dz < 0;
        return new RayHit(
                triId[i],
                (float) t,
                (float) (1 - u - v),
                (float) u,
                (float) v,
                (float) (ox + t * dx),
                (float) (oy + t * dy),
                (float) (oz + t * dz),
                front);
    }
}
