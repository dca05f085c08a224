package dev.tessera.geometry;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Mesh simplification by edge collapse with quadric error metrics (Garland and Heckbert, "Surface Simplification
 * Using Quadric Error Metrics", SIGGRAPH 1997), restricted to collapses that keep a manifold mesh manifold.
 *
 * <p><b>Error.</b> Every triangle contributes the squared distance to its plane, weighted by its area, to the quadric
 * of each of its corners; a vertex's quadric measures the squared distance of a point to the planes of the triangles
 * merged into it. On open meshes every boundary edge adds a penalty plane through the edge, perpendicular to its
 * triangle, weighted by {@code boundaryWeight ·} length², so boundaries stay where they are. The cost of collapsing
 * an edge is the summed quadric's minimum, at the point that solves its 3×3 system; when that system is singular or
 * ill-conditioned (a flat or cylindrical neighbourhood), or its solution strays from the edge, the best point on the
 * edge segment (endpoints included) is used instead.
 *
 * <p><b>Validity.</b> Only edges are collapsed (no pairs of unconnected vertices), and a collapse is rejected when
 * it would change the topology or fold the surface: the link condition (the endpoints' common neighbours must be
 * exactly the edge's opposite vertices), no interior edge between two boundary vertices, no opposite vertex left
 * with too few triangles (this also keeps a tetrahedron from collapsing flat), no triangle whose normal turns by more
 * than {@code maxNormalChangeDeg} or becomes degenerate. Vertices on non-manifold edges or with several triangle fans
 * are locked. So a closed manifold mesh stays closed and manifold with the same genus, and an open one keeps its
 * boundary loops.
 *
 * <p><b>Order.</b> Edges wait in a priority queue by cost (ties by vertex index); entries invalidated by a collapse
 * are skipped lazily (each vertex carries a version stamp). Rejected edges are retried once the queue runs dry as long
 * as collapses still happen, so the simplifier stops short of the target only when no valid collapse remains; the
 * {@link Result} says so. Deterministic; single-threaded; O((F + C·k) log F) for C collapses of valence k.
 *
 * <p><b>Input.</b> Vertices at exactly the same position are welded first (STL-like triangle soups become
 * connected). Vertex colours follow the collapses (interpolated along each edge); normals, if present, are recomputed
 * from the result.
 */
public final class QuadricDecimator {
    private QuadricDecimator() {}

    /**
     * Simplification settings.
     *
     * @param targetFaces the triangle count to reach (or go just below: a collapse removes two triangles, one on a
     *     boundary), ≥ 1
     * @param boundaryWeight weight of the boundary penalty planes relative to the triangle planes, ≥ 0
     * @param maxNormalChangeDeg largest rotation of a triangle's normal one collapse may cause, in (0, 180]
     */
    public record Options(int targetFaces, double boundaryWeight, double maxNormalChangeDeg) {
        public Options {
            if (targetFaces < 1) {
                throw new IllegalArgumentException("target face count must be at least 1, got " + targetFaces);
            }
            if (!(boundaryWeight >= 0) || !Double.isFinite(boundaryWeight)) {
                throw new IllegalArgumentException("boundary weight must be finite and ≥ 0, got " + boundaryWeight);
            }
            if (!(maxNormalChangeDeg > 0 && maxNormalChangeDeg <= 180)) {
                throw new IllegalArgumentException(
                        "maximum normal change must be in (0°, 180°], got " + maxNormalChangeDeg);
            }
        }

        /** Defaults for a target: boundary weight 1000, normals may turn by at most 75° per collapse. */
        public static Options target(int targetFaces) {
            return new Options(targetFaces, 1000, 75);
        }
    }

    /**
     * What a simplification did.
     *
     * @param mesh the simplified mesh (the input itself when there was nothing to do)
     * @param inputFaces triangles of the input
     * @param targetFaces the requested count
     * @param collapses edge collapses performed
     * @param reachedTarget whether the mesh has at most {@code targetFaces} triangles
     * @param maxError the largest quadric error of a performed collapse (squared distance times area, in the mesh's
     *     units to the fourth)
     * @param rejectedTopology collapse attempts refused by the link, boundary or valence rules, or at locked vertices
     * @param rejectedGeometry collapse attempts refused because a triangle would flip, turn too far or degenerate
     */
    public record Result(
            TriangleMesh mesh,
            int inputFaces,
            int targetFaces,
            int collapses,
            boolean reachedTarget,
            double maxError,
            long rejectedTopology,
            long rejectedGeometry) {
        /** Triangles of the result. */
        public int outputFaces() {
            return mesh.triangleCount();
        }

        /** One line for logs and CLIs. */
        public String summary() {
            return String.format(
                    Locale.ROOT,
                    "%d -> %d triangles (target %d%s), %d collapses, max error %.3g, rejected %d topology / %d geometry",
                    inputFaces,
                    outputFaces(),
                    targetFaces,
                    reachedTarget ? "" : ", not reached: no valid collapse remains",
                    collapses,
                    maxError,
                    rejectedTopology,
                    rejectedGeometry);
        }
    }

    /**
     * Simplifies {@code mesh} to at most {@code targetFaces} triangles with the default options, or as close as valid
     * collapses allow. A target at or above the current count returns the mesh unchanged.
     *
     * @throws InvalidMeshException when the mesh has zero surface area
     */
    public static TriangleMesh decimate(TriangleMesh mesh, int targetFaces) {
        return simplify(mesh, Options.target(targetFaces)).mesh();
    }

    /**
     * Simplifies {@code mesh} with the given options and reports what happened.
     *
     * @throws InvalidMeshException when the mesh has triangles but zero surface area
     */
    public static Result simplify(TriangleMesh mesh, Options options) {
        Objects.requireNonNull(mesh, "mesh");
        Objects.requireNonNull(options, "options");
        int f = mesh.triangleCount();
        if (options.targetFaces() >= f) {
            return new Result(mesh, f, options.targetFaces(), 0, true, 0, 0, 0);
        }
        if (!(mesh.area() > 0)) {
            throw new InvalidMeshException(
                    "cannot simplify a mesh of zero surface area (all " + f + " triangles are degenerate)");
        }
        return new Run(mesh, options).run();
    }

    /** The state of one simplification. */
    private static final class Run {
        final Options o;
        final int inputFaces;
        final boolean hadNormals;
        // vertices
        int nv;
        double[] pos; // 3 per vertex
        double[] quad; // 10 per vertex: a2 ab ac ad b2 bc bd c2 cd d2
        float[] color; // 3 per vertex or null
        boolean[] boundary, locked, vertexAlive;
        int[] stamp;
        int[][] faces; // incident faces per vertex, may hold dead faces
        int[] faceCount;
        // triangles
        int[] tri;
        boolean[] faceAlive;
        int aliveFaces;
        // queue
        final EdgeHeap heap = new EdgeHeap();
        long[] rejected = new long[64];
        int rejectedCount;
        // scratch sets
        int[] mark;
        int epoch;
        // report
        int collapses;
        double maxError;
        long rejectedTopology, rejectedGeometry;
        double degenerateArea2;
        double cosMax;

        Run(TriangleMesh mesh, Options o) {
            this.o = o;
            this.inputFaces = mesh.triangleCount();
            this.hadNormals = mesh.hasNormals();
            weld(mesh);
            this.cosMax = StrictMath.cos(Math.toRadians(o.maxNormalChangeDeg()));
            double diag = mesh.bounds().diagonal();
            this.degenerateArea2 = 1e-24 * diag * diag * diag * diag; // |cross|² below which a triangle is degenerate
        }

        /** Welds vertices at identical positions and drops triangles that repeat a vertex. */
        private void weld(TriangleMesh mesh) {
            float[] p = mesh.positions();
            for (int i = 0; i < p.length; i++) {
                p[i] += 0.0f; // −0 becomes +0, so equal positions compare equal below
            }
            int[] t = mesh.triangles();
            float[] c = mesh.colors();
            int n = p.length / 3;
            // exact duplicates map to their first occurrence (open addressing on the coordinates' bits)
            int cap = Integer.highestOneBit(Math.max(4, 2 * n)) << 1;
            int[] table = new int[cap];
            Arrays.fill(table, -1);
            int[] rep = new int[n];
            for (int v = 0; v < n; v++) {
                int x = Float.floatToIntBits(p[3 * v]), y = Float.floatToIntBits(p[3 * v + 1]);
                int z = Float.floatToIntBits(p[3 * v + 2]);
                int h = (x * 0x9E3779B1 + y * 0x85EBCA77 + z * 0xC2B2AE3D);
                h ^= h >>> 15;
                int slot = h & (cap - 1);
                while (true) {
                    int u = table[slot];
                    if (u < 0) {
                        table[slot] = v;
                        rep[v] = v;
                        break;
                    }
                    if (p[3 * u] == p[3 * v] && p[3 * u + 1] == p[3 * v + 1] && p[3 * u + 2] == p[3 * v + 2]) {
                        rep[v] = u;
                        break;
                    }
                    slot = (slot + 1) & (cap - 1);
                }
            }
            nv = n;
            pos = new double[3 * n];
            for (int i = 0; i < 3 * n; i++) {
                pos[i] = p[i];
            }
            color = c;
            int[] kept = new int[t.length];
            int m = 0;
            for (int i = 0; i < t.length; i += 3) {
                int a = rep[t[i]], b = rep[t[i + 1]], d = rep[t[i + 2]];
                if (a == b || b == d || a == d) {
                    continue;
                }
                kept[m++] = a;
                kept[m++] = b;
                kept[m++] = d;
            }
            tri = Arrays.copyOf(kept, m);
            int nf = m / 3;
            faceAlive = new boolean[nf];
            Arrays.fill(faceAlive, true);
            aliveFaces = nf;
            vertexAlive = new boolean[n];
            faceCount = new int[n];
            for (int v : tri) {
                faceCount[v]++;
            }
            faces = new int[n][];
            for (int v = 0; v < n; v++) {
                faces[v] = new int[faceCount[v]];
                vertexAlive[v] = faceCount[v] > 0;
            }
            int[] fill = new int[n];
            for (int i = 0; i < tri.length; i++) {
                int v = tri[i];
                faces[v][fill[v]++] = i / 3;
            }
            stamp = new int[n];
            mark = new int[n];
            boundary = new boolean[n];
            locked = new boolean[n];
            quad = new double[10 * n];
        }

        Result run() {
            long[] edges = sortedEdgeKeys();
            classifyEdges(edges);
            lockNonManifoldFans();
            for (int f = 0; f < faceAlive.length; f++) {
                addFaceQuadric(f);
            }
            if (o.boundaryWeight() > 0) {
                addBoundaryQuadrics();
            }
            seedQueue(edges);
            while (aliveFaces > o.targetFaces()) {
                if (heap.isEmpty()) {
                    if (!refill()) {
                        break;
                    }
                    continue;
                }
                int a = heap.topA(), b = heap.topB(), sa = heap.topStampA(), sb = heap.topStampB();
                heap.pop();
                if (!vertexAlive[a] || !vertexAlive[b] || stamp[a] != sa || stamp[b] != sb) {
                    continue; // stale
                }
                tryCollapse(a, b);
            }
            return new Result(
                    output(),
                    inputFaces,
                    o.targetFaces(),
                    collapses,
                    aliveFaces <= o.targetFaces(),
                    maxError,
                    rejectedTopology,
                    rejectedGeometry);
        }

        /** The undirected edge keys of all triangles' sides, sorted (an edge appears once per triangle). */
        private long[] sortedEdgeKeys() {
            long[] keys = new long[tri.length];
            for (int f = 0; f < tri.length / 3; f++) {
                for (int k = 0; k < 3; k++) {
                    keys[3 * f + k] = key(tri[3 * f + k], tri[3 * f + (k + 1) % 3]);
                }
            }
            Arrays.sort(keys);
            return keys;
        }

        /** Marks boundary vertices (on an edge with one triangle) and locks vertices on edges with more than two. */
        private void classifyEdges(long[] keys) {
            for (int i = 0; i < keys.length; ) {
                int j = i;
                while (j < keys.length && keys[j] == keys[i]) {
                    j++;
                }
                int u = (int) (keys[i] >>> 32), v = (int) keys[i];
                if (j - i == 1) {
                    boundary[u] = boundary[v] = true;
                } else if (j - i > 2) {
                    locked[u] = locked[v] = true;
                }
                i = j;
            }
        }

        /**
         * Locks vertices whose triangles form more than one fan (a "bow tie"): the triangles around v link their two
         * other vertices, and a single fan leaves those neighbours in one connected group. O(valence) per vertex.
         */
        private void lockNonManifoldFans() {
            int[] local = new int[nv];
            int[] owner = new int[nv];
            Arrays.fill(owner, -1);
            int[] parent = new int[16];
            for (int v = 0; v < nv; v++) {
                if (faceCount[v] == 0 || locked[v]) {
                    continue;
                }
                int n = 0;
                if (parent.length < 2 * faceCount[v]) {
                    parent = new int[2 * faceCount[v]];
                }
                int groups = 0;
                for (int f : faces[v]) {
                    int[] ends = new int[2];
                    int e = 0;
                    for (int k = 0; k < 3; k++) {
                        int w = tri[3 * f + k];
                        if (w == v) {
                            continue;
                        }
                        if (owner[w] != v) {
                            owner[w] = v;
                            local[w] = n;
                            parent[n] = n;
                            n++;
                            groups++;
                        }
                        ends[e++] = local[w];
                    }
                    int r0 = find(parent, ends[0]), r1 = find(parent, ends[1]);
                    if (r0 != r1) {
                        parent[r0] = r1;
                        groups--;
                    }
                }
                if (groups > 1) {
                    locked[v] = true;
                }
            }
        }

        private static int find(int[] parent, int i) {
            while (parent[i] != i) {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            return i;
        }

        private void addFaceQuadric(int f) {
            int a = tri[3 * f], b = tri[3 * f + 1], c = tri[3 * f + 2];
            double[] n = cross(a, b, c);
            double len = Math.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
            if (!(len > 0)) {
                return;
            }
            double area = 0.5 * len;
            double nx = n[0] / len, ny = n[1] / len, nz = n[2] / len;
            double d = -(nx * pos[3 * a] + ny * pos[3 * a + 1] + nz * pos[3 * a + 2]);
            for (int v : new int[] {a, b, c}) {
                addPlane(v, nx, ny, nz, d, area);
            }
        }

        private void addBoundaryQuadrics() {
            for (int f = 0; f < tri.length / 3; f++) {
                for (int k = 0; k < 3; k++) {
                    int u = tri[3 * f + k], v = tri[3 * f + (k + 1) % 3];
                    if (!boundary[u] || !boundary[v] || countShared(u, v) != 1) {
                        continue;
                    }
                    double[] n = cross(tri[3 * f], tri[3 * f + 1], tri[3 * f + 2]);
                    double ex = pos[3 * v] - pos[3 * u], ey = pos[3 * v + 1] - pos[3 * u + 1];
                    double ez = pos[3 * v + 2] - pos[3 * u + 2];
                    double mx = ey * n[2] - ez * n[1], my = ez * n[0] - ex * n[2], mz = ex * n[1] - ey * n[0];
                    double ml = Math.sqrt(mx * mx + my * my + mz * mz);
                    if (!(ml > 0)) {
                        continue;
                    }
                    mx /= ml;
                    my /= ml;
                    mz /= ml;
                    double d = -(mx * pos[3 * u] + my * pos[3 * u + 1] + mz * pos[3 * u + 2]);
                    double w = o.boundaryWeight() * (ex * ex + ey * ey + ez * ez);
                    addPlane(u, mx, my, mz, d, w);
                    addPlane(v, mx, my, mz, d, w);
                }
            }
        }

        private void addPlane(int v, double a, double b, double c, double d, double w) {
            int q = 10 * v;
            quad[q] += w * a * a;
            quad[q + 1] += w * a * b;
            quad[q + 2] += w * a * c;
            quad[q + 3] += w * a * d;
            quad[q + 4] += w * b * b;
            quad[q + 5] += w * b * c;
            quad[q + 6] += w * b * d;
            quad[q + 7] += w * c * c;
            quad[q + 8] += w * c * d;
            quad[q + 9] += w * d * d;
        }

        /** Number of alive triangles containing both u and v. */
        private int countShared(int u, int v) {
            int n = 0;
            for (int f : faces[u]) {
                if (faceAlive[f] && (tri[3 * f] == v || tri[3 * f + 1] == v || tri[3 * f + 2] == v)) {
                    n++;
                }
            }
            return n;
        }

        private void seedQueue(long[] keys) {
            double[] place = new double[4];
            for (int i = 0; i < keys.length; i++) {
                if (i > 0 && keys[i] == keys[i - 1]) {
                    continue;
                }
                push((int) (keys[i] >>> 32), (int) keys[i], place);
            }
        }

        private void push(int u, int v, double[] place) {
            if (locked[u] || locked[v]) {
                return;
            }
            int a = Math.min(u, v), b = Math.max(u, v);
            placement(a, b, place);
            heap.push(place[3], a, b, stamp[a], stamp[b]);
        }

        /** Re-queues the rejected edges that still exist; false when nothing changed since the last time. */
        private int collapsesAtLastRefill = -1;

        private boolean refill() {
            if (rejectedCount == 0 || collapses == collapsesAtLastRefill) {
                return false;
            }
            collapsesAtLastRefill = collapses;
            long[] keys = Arrays.copyOf(rejected, rejectedCount);
            rejectedCount = 0;
            Arrays.sort(keys);
            double[] place = new double[4];
            for (int i = 0; i < keys.length; i++) {
                if (i > 0 && keys[i] == keys[i - 1]) {
                    continue;
                }
                int a = (int) (keys[i] >>> 32), b = (int) keys[i];
                if (vertexAlive[a] && vertexAlive[b] && countShared(a, b) > 0) {
                    push(a, b, place);
                }
            }
            return true;
        }

        private void reject(int a, int b, boolean topology) {
            if (topology) {
                rejectedTopology++;
            } else {
                rejectedGeometry++;
            }
            if (rejectedCount == rejected.length) {
                rejected = Arrays.copyOf(rejected, 2 * rejected.length);
            }
            rejected[rejectedCount++] = key(a, b);
        }

        /**
         * The optimal position {@code place[0..2]} and its error {@code place[3]} for collapsing a and b: the
         * quadric's minimiser when well conditioned and near the edge, else the best point of the segment.
         */
        private final double[] q = new double[10];

        private void placement(int a, int b, double[] place) {
            for (int k = 0; k < 10; k++) {
                q[k] = quad[10 * a + k] + quad[10 * b + k];
            }
            double ax = pos[3 * a], ay = pos[3 * a + 1], az = pos[3 * a + 2];
            double bx = pos[3 * b], by = pos[3 * b + 1], bz = pos[3 * b + 2];
            double ex = bx - ax, ey = by - ay, ez = bz - az;
            double len2 = ex * ex + ey * ey + ez * ez;
            // A = [q0 q1 q2; q1 q4 q5; q2 q5 q7], rhs = -[q3 q6 q8]
            double c00 = q[4] * q[7] - q[5] * q[5], c01 = q[2] * q[5] - q[1] * q[7], c02 = q[1] * q[5] - q[2] * q[4];
            double det = q[0] * c00 + q[1] * c01 + q[2] * c02;
            double norm = Math.abs(q[0]) + Math.abs(q[4]) + Math.abs(q[7]);
            double bestX = 0, bestY = 0, bestZ = 0, best = Double.POSITIVE_INFINITY;
            if (Math.abs(det) > 1e-10 * norm * norm * norm) {
                double c11 = q[0] * q[7] - q[2] * q[2],
                        c12 = q[1] * q[2] - q[0] * q[5],
                        c22 = q[0] * q[4] - q[1] * q[1];
                double r0 = -q[3], r1 = -q[6], r2 = -q[8];
                double x = (c00 * r0 + c01 * r1 + c02 * r2) / det;
                double y = (c01 * r0 + c11 * r1 + c12 * r2) / det;
                double z = (c02 * r0 + c12 * r1 + c22 * r2) / det;
                double mx = x - 0.5 * (ax + bx), my = y - 0.5 * (ay + by), mz = z - 0.5 * (az + bz);
                if (Double.isFinite(x + y + z) && mx * mx + my * my + mz * mz <= len2) {
                    bestX = x;
                    bestY = y;
                    bestZ = z;
                    best = error(q, x, y, z);
                }
            }
            if (best == Double.POSITIVE_INFINITY) {
                // minimise along the segment: E(t) is quadratic in t
                double aex = q[0] * ex + q[1] * ey + q[2] * ez;
                double aey = q[1] * ex + q[4] * ey + q[5] * ez;
                double aez = q[2] * ex + q[5] * ey + q[7] * ez;
                double curv = ex * aex + ey * aey + ez * aez;
                double slope = ax * aex + ay * aey + az * aez + q[3] * ex + q[6] * ey + q[8] * ez;
                double t = curv > 1e-300 ? Math.max(0, Math.min(1, -slope / curv)) : 0.5;
                for (double s : new double[] {t, 0, 1, 0.5}) {
                    double x = ax + s * ex, y = ay + s * ey, z = az + s * ez;
                    double e = error(q, x, y, z);
                    if (e < best) {
                        best = e;
                        bestX = x;
                        bestY = y;
                        bestZ = z;
                    }
                }
            }
            place[0] = bestX;
            place[1] = bestY;
            place[2] = bestZ;
            place[3] = Math.max(0, best);
        }

        private static double error(double[] q, double x, double y, double z) {
            return q[0] * x * x
                    + 2 * q[1] * x * y
                    + 2 * q[2] * x * z
                    + 2 * q[3] * x
                    + q[4] * y * y
                    + 2 * q[5] * y * z
                    + 2 * q[6] * y
                    + q[7] * z * z
                    + 2 * q[8] * z
                    + q[9];
        }

        /** Checks and, if valid, performs the collapse of edge (a, b) into a. */
        private void tryCollapse(int a, int b) {
            // triangles on the edge and the opposite vertices
            int shared = 0, opp0 = -1, opp1 = -1, f0 = -1, f1 = -1;
            for (int f : faces[a]) {
                if (!faceAlive[f]) {
                    continue;
                }
                int c = third(f, a, b);
                if (c >= 0) {
                    if (shared == 0) {
                        opp0 = c;
                        f0 = f;
                    } else {
                        opp1 = c;
                        f1 = f;
                    }
                    shared++;
                }
            }
            if (shared == 0) {
                return; // the edge no longer exists
            }
            if (shared > 2 || (shared == 2 && boundary[a] && boundary[b])) {
                reject(a, b, true);
                return;
            }
            // link condition: common neighbours of a and b are exactly the opposite vertices
            epoch++;
            for (int f : faces[a]) {
                if (faceAlive[f]) {
                    for (int k = 0; k < 3; k++) {
                        mark[tri[3 * f + k]] = epoch;
                    }
                }
            }
            int common = 0;
            epoch++;
            int seen = epoch;
            for (int f : faces[b]) {
                if (!faceAlive[f]) {
                    continue;
                }
                for (int k = 0; k < 3; k++) {
                    int w = tri[3 * f + k];
                    if (w != a && w != b && mark[w] == seen - 1) {
                        mark[w] = seen;
                        common++;
                    }
                }
            }
            if (common != shared) {
                reject(a, b, true);
                return;
            }
            // opposite vertices must keep enough triangles
            for (int c : new int[] {opp0, opp1}) {
                if (c < 0) {
                    continue;
                }
                int left = aliveFaceCount(c) - 1;
                if (left < (boundary[c] ? 1 : 3)) {
                    reject(a, b, true);
                    return;
                }
            }
            double[] place = new double[4];
            placement(a, b, place);
            // no triangle may flip, turn too far or degenerate
            if (!geometryOk(a, b, place, f0, f1) || !geometryOk(b, a, place, f0, f1)) {
                reject(a, b, false);
                return;
            }
            collapse(a, b, place, f0, f1);
        }

        private int aliveFaceCount(int v) {
            int n = 0;
            for (int f : faces[v]) {
                if (faceAlive[f]) {
                    n++;
                }
            }
            return n;
        }

        /** The vertex of triangle f other than a and b, or −1 when f does not contain both. */
        private int third(int f, int a, int b) {
            int x = tri[3 * f], y = tri[3 * f + 1], z = tri[3 * f + 2];
            boolean hasA = x == a || y == a || z == a, hasB = x == b || y == b || z == b;
            if (!hasA || !hasB) {
                return -1;
            }
            return x != a && x != b ? x : (y != a && y != b ? y : z);
        }

        /** Whether moving v to the placement keeps its triangles (other than f0, f1) valid. */
        private boolean geometryOk(int v, int other, double[] p, int f0, int f1) {
            for (int f : faces[v]) {
                if (!faceAlive[f] || f == f0 || f == f1) {
                    continue;
                }
                int a = tri[3 * f], b = tri[3 * f + 1], c = tri[3 * f + 2];
                double[] before = cross(a, b, c);
                double[] after = crossMoved(a, b, c, v, p);
                double la2 = after[0] * after[0] + after[1] * after[1] + after[2] * after[2];
                if (!(la2 > degenerateArea2)) {
                    return false;
                }
                double lb2 = before[0] * before[0] + before[1] * before[1] + before[2] * before[2];
                if (lb2 > degenerateArea2) {
                    double dot = before[0] * after[0] + before[1] * after[1] + before[2] * after[2];
                    if (dot < cosMax * Math.sqrt(la2 * lb2)) {
                        return false;
                    }
                }
            }
            return true;
        }

        private void collapse(int a, int b, double[] p, int f0, int f1) {
            for (int f : new int[] {f0, f1}) {
                if (f >= 0) {
                    faceAlive[f] = false;
                    aliveFaces--;
                }
            }
            // b's triangles now use a
            int[] fa = faces[a];
            int n = 0;
            int[] merged = new int[fa.length + faces[b].length];
            for (int f : fa) {
                if (faceAlive[f]) {
                    merged[n++] = f;
                }
            }
            for (int f : faces[b]) {
                if (faceAlive[f]) {
                    for (int k = 0; k < 3; k++) {
                        if (tri[3 * f + k] == b) {
                            tri[3 * f + k] = a;
                        }
                    }
                    merged[n++] = f;
                }
            }
            faces[a] = Arrays.copyOf(merged, n);
            faces[b] = new int[0];
            vertexAlive[b] = false;
            if (color != null) {
                double ex = pos[3 * b] - pos[3 * a], ey = pos[3 * b + 1] - pos[3 * a + 1];
                double ez = pos[3 * b + 2] - pos[3 * a + 2];
                double len2 = ex * ex + ey * ey + ez * ez;
                double t = len2 > 0
                        ? ((p[0] - pos[3 * a]) * ex + (p[1] - pos[3 * a + 1]) * ey + (p[2] - pos[3 * a + 2]) * ez)
                                / len2
                        : 0.5;
                t = Math.max(0, Math.min(1, t));
                for (int k = 0; k < 3; k++) {
                    color[3 * a + k] = (float) ((1 - t) * color[3 * a + k] + t * color[3 * b + k]);
                }
            }
            pos[3 * a] = p[0];
            pos[3 * a + 1] = p[1];
            pos[3 * a + 2] = p[2];
            for (int k = 0; k < 10; k++) {
                quad[10 * a + k] += quad[10 * b + k];
            }
            boundary[a] |= boundary[b];
            stamp[a]++;
            collapses++;
            maxError = Math.max(maxError, p[3]);
            // re-queue the edges around a
            epoch++;
            double[] place = new double[4];
            for (int f : faces[a]) {
                for (int k = 0; k < 3; k++) {
                    int w = tri[3 * f + k];
                    if (w != a && mark[w] != epoch) {
                        mark[w] = epoch;
                        push(a, w, place);
                    }
                }
            }
        }

        private TriangleMesh output() {
            int[] map = new int[nv];
            Arrays.fill(map, -1);
            int nOut = 0;
            int fOut = 0;
            for (int f = 0; f < faceAlive.length; f++) {
                if (faceAlive[f]) {
                    fOut++;
                    for (int k = 0; k < 3; k++) {
                        map[tri[3 * f + k]] = 0;
                    }
                }
            }
            for (int v = 0; v < nv; v++) {
                if (map[v] == 0) {
                    map[v] = nOut++;
                }
            }
            float[] p = new float[3 * nOut];
            float[] c = color == null ? null : new float[3 * nOut];
            for (int v = 0; v < nv; v++) {
                if (map[v] >= 0) {
                    for (int k = 0; k < 3; k++) {
                        p[3 * map[v] + k] = (float) pos[3 * v + k];
                        if (c != null) {
                            c[3 * map[v] + k] = color[3 * v + k];
                        }
                    }
                }
            }
            int[] t = new int[3 * fOut];
            int i = 0;
            for (int f = 0; f < faceAlive.length; f++) {
                if (faceAlive[f]) {
                    for (int k = 0; k < 3; k++) {
                        t[i++] = map[tri[3 * f + k]];
                    }
                }
            }
            TriangleMesh out = TriangleMesh.adopt(p, t, null, c);
            return hadNormals ? out.withComputedNormals() : out;
        }

        private double[] cross(int a, int b, int c) {
            double ux = pos[3 * b] - pos[3 * a],
                    uy = pos[3 * b + 1] - pos[3 * a + 1],
                    uz = pos[3 * b + 2] - pos[3 * a + 2];
            double vx = pos[3 * c] - pos[3 * a],
                    vy = pos[3 * c + 1] - pos[3 * a + 1],
                    vz = pos[3 * c + 2] - pos[3 * a + 2];
            return new double[] {uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx};
        }

        /** The cross product of triangle (a, b, c) with vertex v moved to p. */
        private double[] crossMoved(int a, int b, int c, int v, double[] p) {
            double ax = a == v ? p[0] : pos[3 * a],
                    ay = a == v ? p[1] : pos[3 * a + 1],
                    az = a == v ? p[2] : pos[3 * a + 2];
            double bx = b == v ? p[0] : pos[3 * b],
                    by = b == v ? p[1] : pos[3 * b + 1],
                    bz = b == v ? p[2] : pos[3 * b + 2];
            double cx = c == v ? p[0] : pos[3 * c],
                    cy = c == v ? p[1] : pos[3 * c + 1],
                    cz = c == v ? p[2] : pos[3 * c + 2];
            double ux = bx - ax, uy = by - ay, uz = bz - az, vx = cx - ax, vy = cy - ay, vz = cz - az;
            return new double[] {uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx};
        }

        private static long key(int u, int v) {
            return ((long) Math.min(u, v) << 32) | Math.max(u, v);
        }
    }

    /**
     * A 4-ary min-heap of edge entries keyed by cost, ties broken by (a, b). The heap holds only the cost and a
     * reference into an append-only pool of (a, b, stamp a, stamp b), so sifting touches two arrays.
     */
    private static final class EdgeHeap {
        private double[] cost = new double[1024];
        private int[] ref = new int[1024];
        private int[] pool = new int[4096];
        private int size, pooled;

        boolean isEmpty() {
            return size == 0;
        }

        int topA() {
            return pool[4 * ref[0]];
        }

        int topB() {
            return pool[4 * ref[0] + 1];
        }

        int topStampA() {
            return pool[4 * ref[0] + 2];
        }

        int topStampB() {
            return pool[4 * ref[0] + 3];
        }

        void push(double c, int a, int b, int stampA, int stampB) {
            if (4 * (pooled + 1) > pool.length) {
                pool = Arrays.copyOf(pool, 2 * pool.length);
            }
            int r = pooled++;
            pool[4 * r] = a;
            pool[4 * r + 1] = b;
            pool[4 * r + 2] = stampA;
            pool[4 * r + 3] = stampB;
            if (size == cost.length) {
                cost = Arrays.copyOf(cost, 2 * size);
                ref = Arrays.copyOf(ref, 2 * size);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 2;
                if (!less(c, r, cost[parent], ref[parent])) {
                    break;
                }
                cost[i] = cost[parent];
                ref[i] = ref[parent];
                i = parent;
            }
            cost[i] = c;
            ref[i] = r;
        }

        void pop() {
            size--;
            if (size == 0) {
                pooled = 0; // every pooled entry is gone: reuse the pool
                return;
            }
            double c = cost[size];
            int r = ref[size];
            int i = 0;
            while (true) {
                int first = 4 * i + 1;
                if (first >= size) {
                    break;
                }
                int best = first;
                int last = Math.min(first + 4, size);
                for (int k = first + 1; k < last; k++) {
                    if (less(cost[k], ref[k], cost[best], ref[best])) {
                        best = k;
                    }
                }
                if (!less(cost[best], ref[best], c, r)) {
                    break;
                }
                cost[i] = cost[best];
                ref[i] = ref[best];
                i = best;
            }
            cost[i] = c;
            ref[i] = r;
        }

        private boolean less(double c1, int r1, double c2, int r2) {
            if (c1 != c2) {
                return c1 < c2;
            }
            int a1 = pool[4 * r1], a2 = pool[4 * r2];
            if (a1 != a2) {
                return a1 < a2;
            }
            return pool[4 * r1 + 1] < pool[4 * r2 + 1];
        }
    }
}
