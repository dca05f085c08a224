package dev.tessera.geometry;

import java.util.BitSet;

/**
 * Repairs of the usual defects of real meshes: near-duplicate vertices, degenerate and duplicate faces, small
 * floating pieces and unreferenced vertices. Every function returns a new mesh and keeps the order of what it keeps
 * (so results are deterministic); normals and colours follow their vertices.
 *
 * <p>{@link #clean(TriangleMesh, CleanupOptions)} runs the usual sequence: merge vertices, drop degenerate faces,
 * drop duplicate faces, drop small components, drop unreferenced vertices. The readers in
 * {@code dev.tessera.geometry.io} keep everything as it is in the file, so this is the step that removes the
 * zero-area and repeated-vertex triangles they accept.
 */
public final class MeshCleanup {
    private MeshCleanup() {}

    /** What {@link #cleanWithReport} removed. */
    public record Result(
            TriangleMesh mesh,
            int mergedVertices,
            int degenerateFaces,
            int duplicateFaces,
            int smallComponentFaces,
            int unreferencedVertices) {
        /** One line: what was removed. */
        public String summary() {
            return "merged " + mergedVertices + " vertices, removed " + degenerateFaces + " degenerate and "
                    + duplicateFaces + " duplicate faces, " + smallComponentFaces
                    + " faces of small components and " + unreferencedVertices + " unreferenced vertices";
        }
    }

    /** The usual cleanup sequence (see the class comment). */
    public static TriangleMesh clean(TriangleMesh mesh, CleanupOptions options) {
        return cleanWithReport(mesh, options).mesh();
    }

    /** The usual cleanup sequence, with counts of what each step removed. */
    public static Result cleanWithReport(TriangleMesh mesh, CleanupOptions options) {
        TriangleMesh m = mesh;
        int merged = 0;
        if (options.mergeTolerance() >= 0 && m.vertexCount() > 0) {
            double tol = options.mergeTolerance() * m.bounds().diagonal();
            TriangleMesh next = mergeVertices(m, tol);
            merged = m.vertexCount() - next.vertexCount();
            m = next;
        }
        int f0 = m.triangleCount();
        m = removeDegenerate(m);
        int degenerate = f0 - m.triangleCount();
        int f1 = m.triangleCount();
        m = removeDuplicateFaces(m);
        int duplicate = f1 - m.triangleCount();
        int f2 = m.triangleCount();
        if (options.minComponentAreaFraction() > 0) {
            m = removeSmallComponents(m, options.minComponentAreaFraction());
        }
        int small = f2 - m.triangleCount();
        int v0 = m.vertexCount();
        m = removeUnreferencedVertices(m);
        return new Result(m, merged, degenerate, duplicate, small, v0 - m.vertexCount());
    }

    /**
     * Merges vertices within {@code tolerance} (Euclidean distance, mesh units) of an earlier kept vertex, using a
     * spatial hash of cell size {@code tolerance}: vertices are visited in order and each either joins the first kept
     * vertex within reach or is kept. With {@code tolerance = 0} only vertices at exactly the same position merge
     * ({@code -0} equals {@code +0}). Kept vertices keep their position, normal and colour and their order;
     * triangles are renumbered (they may become degenerate; {@link #removeDegenerate} drops them). Unreferenced
     * vertices are merged too. O(V) expected time.
     */
    public static TriangleMesh mergeVertices(TriangleMesh mesh, double tolerance) {
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("tolerance must be finite and >= 0, not " + tolerance);
        }
        float[] p = mesh.positions();
        int v = mesh.vertexCount();
        int[] map = new int[v];
        int[] kept = new int[v]; // kept vertex ids in order
        int k = 0;
        double tol2 = tolerance * tolerance;
        double cell = tolerance;
        LongIntMap table = new LongIntMap(v);
        int[] next = new int[v]; // chain of kept vertices per cell
        for (int i = 0; i < v; i++) {
            float x = p[3 * i], y = p[3 * i + 1], z = p[3 * i + 2];
            int found = -1;
            if (tolerance == 0) {
                long key = exactKey(x, y, z);
                for (int j = table.get(key); j >= 0; j = next[j]) {
                    if (p[3 * j] == x && p[3 * j + 1] == y && p[3 * j + 2] == z) {
                        found = j;
                        break;
                    }
                }
                if (found < 0) {
                    next[i] = table.get(key);
                    table.put(key, i);
                }
            } else {
                long cx = (long) Math.floor(x / cell), cy = (long) Math.floor(y / cell);
                long cz = (long) Math.floor(z / cell);
                double best = Double.POSITIVE_INFINITY;
                for (long dx = -1; dx <= 1; dx++) {
                    for (long dy = -1; dy <= 1; dy++) {
                        for (long dz = -1; dz <= 1; dz++) {
                            for (int j = table.get(cellKey(cx + dx, cy + dy, cz + dz)); j >= 0; j = next[j]) {
                                double ex = p[3 * j] - x, ey = p[3 * j + 1] - y, ez = p[3 * j + 2] - z;
                                double d2 = ex * ex + ey * ey + ez * ez;
                                // the nearest kept vertex, ties to the earlier one
                                if (d2 <= tol2 && (d2 < best || (d2 == best && j < found))) {
                                    best = d2;
                                    found = j;
                                }
                            }
                        }
                    }
                }
                if (found < 0) {
                    long key = cellKey(cx, cy, cz);
                    next[i] = table.get(key);
                    table.put(key, i);
                }
            }
            if (found < 0) {
                map[i] = k;
                kept[k++] = i;
            } else {
                map[i] = map[found];
            }
        }
        if (k == v) {
            return mesh;
        }
        int[] t = mesh.triangles();
        for (int i = 0; i < t.length; i++) {
            t[i] = map[t[i]];
        }
        return TriangleMesh.adopt(
                gather(p, kept, k), t, gather(mesh.normals(), kept, k), gather(mesh.colors(), kept, k));
    }

    /**
     * Drops degenerate triangles: a repeated vertex index, or zero area (collinear corners, computed exactly from the
     * float coordinates in double precision). Vertices are unchanged. O(F).
     */
    public static TriangleMesh removeDegenerate(TriangleMesh mesh) {
        int[] t = mesh.triangles();
        float[] p = mesh.positions();
        BitSet drop = new BitSet(mesh.triangleCount());
        for (int f = 0; f < mesh.triangleCount(); f++) {
            int a = t[3 * f], b = t[3 * f + 1], c = t[3 * f + 2];
            if (a == b || b == c || a == c || MeshCheck.zeroArea(p, a, b, c)) {
                drop.set(f);
            }
        }
        return dropFaces(mesh, t, drop);
    }

    /**
     * Drops every triangle on the same three vertices as an earlier one, whatever its orientation (so a two-sided
     * sheet keeps one side). Vertices are unchanged. O(F) expected time.
     */
    public static TriangleMesh removeDuplicateFaces(TriangleMesh mesh) {
        int[] t = mesh.triangles();
        return dropFaces(mesh, t, MeshCheck.duplicateMask(t, mesh.triangleCount()));
    }

    /**
     * Drops the connected components (triangles joined through shared vertices) whose area is below
     * {@code areaFraction} of the mesh's total area: floating specks of scans, small debris of CAD exports. Vertices
     * are unchanged; {@link #removeUnreferencedVertices} drops the ones left unused. O(F α(V)).
     */
    public static TriangleMesh removeSmallComponents(TriangleMesh mesh, double areaFraction) {
        if (!(areaFraction >= 0 && areaFraction < 1)) {
            throw new IllegalArgumentException("areaFraction must be in [0, 1), not " + areaFraction);
        }
        int[] t = mesh.triangles();
        int f = mesh.triangleCount();
        MeshCheck.UnionFind uf = new MeshCheck.UnionFind(mesh.vertexCount());
        for (int i = 0; i < f; i++) {
            uf.union(t[3 * i], t[3 * i + 1]);
            uf.union(t[3 * i], t[3 * i + 2]);
        }
        double[] area = mesh.faceAreas();
        double[] compArea = new double[mesh.vertexCount()];
        double total = 0;
        for (int i = 0; i < f; i++) {
            compArea[uf.find(t[3 * i])] += area[i];
            total += area[i];
        }
        double min = areaFraction * total;
        BitSet drop = new BitSet(f);
        for (int i = 0; i < f; i++) {
            if (compArea[uf.find(t[3 * i])] < min) {
                drop.set(i);
            }
        }
        return dropFaces(mesh, t, drop);
    }

    /** Drops the vertices no triangle uses, keeping the others in order. O(V + F). */
    public static TriangleMesh removeUnreferencedVertices(TriangleMesh mesh) {
        int[] t = mesh.triangles();
        int v = mesh.vertexCount();
        boolean[] used = new boolean[v];
        for (int i : t) {
            used[i] = true;
        }
        int[] map = new int[v];
        int[] kept = new int[v];
        int k = 0;
        for (int i = 0; i < v; i++) {
            if (used[i]) {
                map[i] = k;
                kept[k++] = i;
            }
        }
        if (k == v) {
            return mesh;
        }
        for (int i = 0; i < t.length; i++) {
            t[i] = map[t[i]];
        }
        return TriangleMesh.adopt(
                gather(mesh.positions(), kept, k), t, gather(mesh.normals(), kept, k), gather(mesh.colors(), kept, k));
    }

    private static TriangleMesh dropFaces(TriangleMesh mesh, int[] t, BitSet drop) {
        if (drop.isEmpty()) {
            return mesh;
        }
        int f = mesh.triangleCount();
        int[] out = new int[3 * (f - drop.cardinality())];
        int k = 0;
        for (int i = 0; i < f; i++) {
            if (!drop.get(i)) {
                out[k++] = t[3 * i];
                out[k++] = t[3 * i + 1];
                out[k++] = t[3 * i + 2];
            }
        }
        return TriangleMesh.adopt(mesh.positions(), out, mesh.normals(), mesh.colors());
    }

    private static float[] gather(float[] a, int[] kept, int k) {
        if (a == null) {
            return null;
        }
        float[] out = new float[3 * k];
        for (int i = 0; i < k; i++) {
            System.arraycopy(a, 3 * kept[i], out, 3 * i, 3);
        }
        return out;
    }

    private static long exactKey(float x, float y, float z) {
        long h = Float.floatToIntBits(x + 0.0f);
        h = h * 0x9E3779B97F4A7C15L + Float.floatToIntBits(y + 0.0f);
        h = h * 0x9E3779B97F4A7C15L + Float.floatToIntBits(z + 0.0f);
        return h;
    }

    /** A hash of a cell; cells sharing one only share a vertex chain, which the distance test sorts out. */
    private static long cellKey(long x, long y, long z) {
        return (x * 73856093L) ^ (y * 19349663L) ^ (z * 83492791L);
    }
}
