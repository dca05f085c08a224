package dev.tessera.geometry;

import java.util.Arrays;
import java.util.Locale;

/**
 * A closedness and manifoldness report of a triangle mesh, the way {@code tessera check} prints it.
 *
 * <p><b>Definitions.</b> An edge is an unordered pair of vertices joined by a triangle side. A <i>boundary</i> edge
 * belongs to one triangle, a <i>non-manifold</i> edge to three or more. A vertex is non-manifold when its triangles
 * do not form a single fan (they touch only at the vertex, like a bow tie). The mesh is <i>closed</i> when every
 * edge belongs to exactly two triangles, and <i>oriented</i> when every such pair traverses its edge in opposite
 * directions (consistent winding). <i>Degenerate</i> faces repeat a vertex index or have zero area; <i>duplicate</i>
 * faces use the same three vertices as an earlier face, in either orientation. Topology (edges, fans, components,
 * Euler characteristic) is computed over the triangles with three distinct vertices; zero-area triangles count
 * there. Components are sets of triangles connected through shared vertices; unreferenced vertices are not counted
 * in {@link #vertices()}-based quantities except {@link #unreferencedVertices()}.
 *
 * <p>The Euler characteristic is {@code χ = V - E + F} over referenced vertices. The genus is defined for a closed,
 * oriented, manifold mesh: the sum over components of {@code (2 - χ_c) / 2}; otherwise it is -1. Cost: O(F) expected
 * time (hash maps of edges and faces), O(F) memory.
 *
 * @param vertices the vertex count (all, referenced or not)
 * @param triangles the triangle count
 * @param edges distinct edges
 * @param boundaryEdges edges of one triangle
 * @param boundaryLoops connected pieces of the boundary (holes, roughly)
 * @param nonManifoldEdges edges of three or more triangles
 * @param nonManifoldVertices vertices whose triangles form more than one fan
 * @param degenerateFaces triangles with a repeated index or zero area
 * @param duplicateFaces triangles on the same vertices as an earlier one
 * @param unreferencedVertices vertices used by no triangle
 * @param components connected components of triangles
 * @param eulerCharacteristic {@code V - E + F} over referenced vertices and non-degenerate-index triangles
 * @param genus total genus when closed, oriented and manifold, else -1
 * @param oriented every two-triangle edge is traversed in opposite directions
 * @param closed every edge belongs to exactly two triangles (and there is at least one triangle)
 */
public record MeshCheck(
        int vertices,
        int triangles,
        long edges,
        long boundaryEdges,
        long boundaryLoops,
        long nonManifoldEdges,
        long nonManifoldVertices,
        long degenerateFaces,
        long duplicateFaces,
        long unreferencedVertices,
        long components,
        long eulerCharacteristic,
        long genus,
        boolean oriented,
        boolean closed) {

    /** Checks a mesh. */
    public static MeshCheck of(TriangleMesh mesh) {
        int v = mesh.vertexCount();
        int f = mesh.triangleCount();
        int[] t = mesh.triangles();
        float[] p = mesh.positions();

        // Faces with three distinct vertices carry the topology.
        boolean[] valid = new boolean[f];
        long degenerate = 0;
        for (int i = 0; i < f; i++) {
            int a = t[3 * i], b = t[3 * i + 1], c = t[3 * i + 2];
            valid[i] = a != b && b != c && a != c;
            if (!valid[i] || zeroArea(p, a, b, c)) {
                degenerate++;
            }
        }
        long duplicates = countDuplicates(t, f);

        // Edges: number the undirected keys of all sides in order of first appearance (a hash map, O(F)).
        LongIntMap edgeIds = new LongIntMap(3 * f / 2 + 16);
        long[] edgeKeys = new long[16];
        int[] count = new int[16];
        int[] forward = new int[16]; // sides traversed from the smaller to the larger vertex
        int[] sideEdge = new int[3 * f];
        Arrays.fill(sideEdge, -1);
        int unique = 0;
        for (int i = 0; i < f; i++) {
            if (!valid[i]) {
                continue;
            }
            for (int k = 0; k < 3; k++) {
                int a = t[3 * i + k], b = t[3 * i + (k + 1) % 3];
                long key = edgeKey(a, b);
                int e = edgeIds.get(key);
                if (e < 0) {
                    e = unique++;
                    edgeIds.put(key, e);
                    if (e == edgeKeys.length) {
                        int cap = edgeKeys.length * 2;
                        edgeKeys = Arrays.copyOf(edgeKeys, cap);
                        count = Arrays.copyOf(count, cap);
                        forward = Arrays.copyOf(forward, cap);
                    }
                    edgeKeys[e] = key;
                }
                sideEdge[3 * i + k] = e;
                count[e]++;
                if (a < b) {
                    forward[e]++;
                }
            }
        }
        long boundary = 0, nonManifold = 0;
        boolean oriented = true;
        for (int e = 0; e < unique; e++) {
            if (count[e] == 1) {
                boundary++;
            } else if (count[e] > 2) {
                nonManifold++;
            } else if (forward[e] != 1) {
                oriented = false;
            }
        }

        // Boundary loops: components of the graph of boundary edges.
        UnionFind boundaryGraph = new UnionFind(v);
        boolean[] onBoundary = new boolean[v];
        for (int e = 0; e < unique; e++) {
            if (count[e] == 1) {
                int a = (int) (edgeKeys[e] >>> 32), b = (int) edgeKeys[e];
                boundaryGraph.union(a, b);
                onBoundary[a] = true;
                onBoundary[b] = true;
            }
        }
        long loops = 0;
        for (int i = 0; i < v; i++) {
            if (onBoundary[i] && boundaryGraph.find(i) == i) {
                loops++;
            }
        }

        long nonManifoldVertices = countNonManifoldVertices(t, f, valid, sideEdge, unique, v);

        // Components through shared vertices, over all faces.
        UnionFind comp = new UnionFind(v);
        boolean[] referenced = new boolean[v];
        for (int i = 0; i < f; i++) {
            int a = t[3 * i], b = t[3 * i + 1], c = t[3 * i + 2];
            comp.union(a, b);
            comp.union(a, c);
            referenced[a] = referenced[b] = referenced[c] = true;
        }
        int[] label = new int[v];
        Arrays.fill(label, -1);
        int components = 0;
        long unreferenced = 0;
        for (int i = 0; i < v; i++) {
            if (!referenced[i]) {
                unreferenced++;
            } else if (comp.find(i) == i) {
                label[i] = components++;
            }
        }
        long[] chi = new long[components];
        for (int i = 0; i < v; i++) {
            if (referenced[i]) {
                chi[label[comp.find(i)]]++;
            }
        }
        for (int e = 0; e < unique; e++) {
            chi[label[comp.find((int) (edgeKeys[e] >>> 32))]]--;
        }
        for (int i = 0; i < f; i++) {
            if (valid[i]) {
                chi[label[comp.find(t[3 * i])]]++;
            }
        }
        long euler = 0;
        for (long c : chi) {
            euler += c;
        }
        boolean closed = f > 0 && boundary == 0 && nonManifold == 0;
        long genus = -1;
        if (closed && oriented && nonManifoldVertices == 0) {
            genus = 0;
            for (long c : chi) {
                genus += (2 - c) / 2;
            }
        }
        return new MeshCheck(
                v,
                f,
                unique,
                boundary,
                loops,
                nonManifold,
                nonManifoldVertices,
                degenerate,
                duplicates,
                unreferenced,
                components,
                euler,
                genus,
                oriented,
                closed);
    }

    /** True when every edge belongs to exactly two triangles. */
    public boolean isClosed() {
        return closed;
    }

    /** True when every two-triangle edge is traversed in opposite directions (consistent winding). */
    public boolean isOriented() {
        return oriented;
    }

    /** True when there are no non-manifold edges or vertices. */
    public boolean isManifold() {
        return nonManifoldEdges == 0 && nonManifoldVertices == 0;
    }

    /** Closed, oriented and manifold: a mesh that bounds a solid. */
    public boolean isWatertight() {
        return closed && oriented && isManifold();
    }

    static long edgeKey(int a, int b) {
        int lo = Math.min(a, b), hi = Math.max(a, b);
        return ((long) lo << 32) | (hi & 0xffffffffL);
    }

    static boolean zeroArea(float[] p, int a, int b, int c) {
        double ux = p[3 * b] - p[3 * a], uy = p[3 * b + 1] - p[3 * a + 1], uz = p[3 * b + 2] - p[3 * a + 2];
        double vx = p[3 * c] - p[3 * a], vy = p[3 * c + 1] - p[3 * a + 1], vz = p[3 * c + 2] - p[3 * a + 2];
        double cx = uy * vz - uz * vy, cy = uz * vx - ux * vz, cz = ux * vy - uy * vx;
        return cx == 0 && cy == 0 && cz == 0;
    }

    /** Faces whose sorted vertex triple equals an earlier face's. */
    static long countDuplicates(int[] t, int f) {
        return duplicateMask(t, f).cardinality();
    }

    /**
     * Marks the faces whose sorted vertex triple equals an earlier face's (the first one stays unmarked): an
     * open-addressing hash table of face ids, O(F).
     */
    static java.util.BitSet duplicateMask(int[] t, int f) {
        java.util.BitSet dup = new java.util.BitSet(f);
        int cap = Integer.highestOneBit(Math.max(16, 2 * f) - 1) << 1;
        int[] table = new int[cap]; // face id + 1
        int mask = cap - 1;
        int[] s = new int[3];
        int[] o = new int[3];
        for (int i = 0; i < f; i++) {
            sorted(t, i, s);
            int h = (s[0] * 0x9E3779B1 + s[1]) * 0x9E3779B1 + s[2];
            int slot = (h ^ (h >>> 16)) & mask;
            while (true) {
                int e = table[slot];
                if (e == 0) {
                    table[slot] = i + 1;
                    break;
                }
                sorted(t, e - 1, o);
                if (o[0] == s[0] && o[1] == s[1] && o[2] == s[2]) {
                    dup.set(i);
                    break;
                }
                slot = (slot + 1) & mask;
            }
        }
        return dup;
    }

    private static void sorted(int[] t, int i, int[] out) {
        int a = t[3 * i], b = t[3 * i + 1], c = t[3 * i + 2];
        if (a > b) {
            int x = a;
            a = b;
            b = x;
        }
        if (b > c) {
            int x = b;
            b = c;
            c = x;
        }
        if (a > b) {
            int x = a;
            a = b;
            b = x;
        }
        out[0] = a;
        out[1] = b;
        out[2] = c;
    }

    /**
     * Vertices whose incident triangles form more than one fan: the corners of a vertex are joined when their
     * triangles share an edge at that vertex.
     */
    private static long countNonManifoldVertices(int[] t, int f, boolean[] valid, int[] sideEdge, int edges, int v) {
        // For each edge, the first corner seen at each of its two endpoints; later corners are joined to it.
        int[] firstAtLo = new int[edges];
        int[] firstAtHi = new int[edges];
        Arrays.fill(firstAtLo, -1);
        Arrays.fill(firstAtHi, -1);
        UnionFind corners = new UnionFind(3 * f);
        for (int i = 0; i < f; i++) {
            if (!valid[i]) {
                continue;
            }
            for (int k = 0; k < 3; k++) {
                int e = sideEdge[3 * i + k];
                int a = t[3 * i + k], b = t[3 * i + (k + 1) % 3];
                // side k joins corner k (at a) and corner k+1 (at b)
                int ca = 3 * i + k, cb = 3 * i + (k + 1) % 3;
                int atLo = a < b ? ca : cb, atHi = a < b ? cb : ca;
                if (firstAtLo[e] < 0) {
                    firstAtLo[e] = atLo;
                    firstAtHi[e] = atHi;
                } else {
                    corners.union(firstAtLo[e], atLo);
                    corners.union(firstAtHi[e], atHi);
                }
            }
        }
        int[] fanRoot = new int[v];
        Arrays.fill(fanRoot, -1);
        boolean[] bad = new boolean[v];
        long count = 0;
        for (int c = 0; c < 3 * f; c++) {
            if (!valid[c / 3]) {
                continue;
            }
            int vert = t[c];
            int r = corners.find(c);
            if (fanRoot[vert] < 0) {
                fanRoot[vert] = r;
            } else if (fanRoot[vert] != r && !bad[vert]) {
                bad[vert] = true;
                count++;
            }
        }
        return count;
    }

    /** A human-readable report, one quantity per line, as {@code tessera check} prints it. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        row(
                sb,
                "vertices",
                vertices + (unreferencedVertices > 0 ? " (" + unreferencedVertices + " unreferenced)" : ""));
        row(sb, "triangles", Integer.toString(triangles));
        row(sb, "edges", Long.toString(edges));
        row(
                sb,
                "boundary edges",
                boundaryEdges
                        + (boundaryEdges > 0
                                ? " in " + boundaryLoops + " loop" + (boundaryLoops == 1 ? "" : "s")
                                : ""));
        row(sb, "non-manifold edges", Long.toString(nonManifoldEdges));
        row(sb, "non-manifold vertices", Long.toString(nonManifoldVertices));
        row(sb, "degenerate faces", Long.toString(degenerateFaces));
        row(sb, "duplicate faces", Long.toString(duplicateFaces));
        row(sb, "components", Long.toString(components));
        row(sb, "euler characteristic", Long.toString(eulerCharacteristic));
        row(
                sb,
                "genus",
                genus >= 0
                        ? Long.toString(genus)
                        : "undefined (" + (!closed ? "not closed" : !oriented ? "not oriented" : "not manifold") + ")");
        row(sb, "oriented", oriented ? "yes" : "no");
        row(sb, "closed", closed ? "yes" : "no");
        row(sb, "watertight", isWatertight() ? "yes (closed, oriented, manifold)" : "no");
        return sb.toString();
    }

    private static void row(StringBuilder sb, String key, String value) {
        sb.append(String.format(Locale.ROOT, "%-22s %s%n", key, value));
    }

    /** The report as one JSON object (snake_case keys), for scripts. */
    public String toJson() {
        return String.format(
                Locale.ROOT,
                "{\"vertices\":%d,\"triangles\":%d,\"edges\":%d,\"boundary_edges\":%d,\"boundary_loops\":%d,"
                        + "\"non_manifold_edges\":%d,\"non_manifold_vertices\":%d,\"degenerate_faces\":%d,"
                        + "\"duplicate_faces\":%d,\"unreferenced_vertices\":%d,\"components\":%d,"
                        + "\"euler_characteristic\":%d,\"genus\":%s,\"oriented\":%b,\"closed\":%b,"
                        + "\"watertight\":%b}",
                vertices,
                triangles,
                edges,
                boundaryEdges,
                boundaryLoops,
                nonManifoldEdges,
                nonManifoldVertices,
                degenerateFaces,
                duplicateFaces,
                unreferencedVertices,
                components,
                eulerCharacteristic,
                genus >= 0 ? Long.toString(genus) : "null",
                oriented,
                closed,
                isWatertight());
    }

    /** Disjoint sets over {@code 0..n-1} with path halving and union by size. */
    static final class UnionFind {
        private final int[] parent;
        private final int[] size;

        UnionFind(int n) {
            parent = new int[n];
            size = new int[n];
            for (int i = 0; i < n; i++) {
                parent[i] = i;
                size[i] = 1;
            }
        }

        int find(int x) {
            while (parent[x] != x) {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            return x;
        }

        /** Joins the sets of a and b; the root is the smaller index when sizes tie, for determinism. */
        void union(int a, int b) {
            int ra = find(a), rb = find(b);
            if (ra == rb) {
                return;
            }
            if (size[ra] < size[rb] || (size[ra] == size[rb] && rb < ra)) {
                int s = ra;
                ra = rb;
                rb = s;
            }
            parent[rb] = ra;
            size[ra] += size[rb];
        }
    }
}
