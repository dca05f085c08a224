package dev.tessera.geometry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test-side topology of a triangle mesh, computed independently of the code under test: edge use counts, orientation
 * consistency, vertex links, Euler characteristic and connected components.
 */
record MeshTopology(
        int vertices,
        int usedVertices,
        int edges,
        int faces,
        int boundaryEdges,
        int overusedEdges,
        int misorientedEdges,
        int nonManifoldVertices,
        int degenerateFaces,
        int components) {

    static MeshTopology of(TriangleMesh m) {
        int v = m.vertexCount(), f = m.triangleCount();
        Map<Long, int[]> edges = new HashMap<>(); // undirected edge -> {count, signed direction sum}
        int degenerate = 0;
        double[] areas = m.faceAreas();
        List<List<int[]>> link = new ArrayList<>(); // per vertex: opposite edges (b, c) of its triangles
        for (int i = 0; i < v; i++) {
            link.add(new ArrayList<>());
        }
        int[] parent = new int[v];
        for (int i = 0; i < v; i++) {
            parent[i] = i;
        }
        boolean[] used = new boolean[v];
        for (int t = 0; t < f; t++) {
            int a = m.corner(t, 0), b = m.corner(t, 1), c = m.corner(t, 2);
            if (a == b || b == c || a == c || !(areas[t] > 0)) {
                degenerate++;
            }
            int[] tri = {a, b, c};
            for (int q = 0; q < 3; q++) {
                int p = tri[q], n = tri[(q + 1) % 3];
                long key = (long) Math.min(p, n) * v + Math.max(p, n);
                int[] e = edges.computeIfAbsent(key, x -> new int[2]);
                e[0]++;
                e[1] += p < n ? 1 : -1;
                link.get(p).add(new int[] {n, tri[(q + 2) % 3]});
                used[p] = true;
                union(parent, p, n);
            }
        }
        int boundary = 0, over = 0, misoriented = 0;
        for (int[] e : edges.values()) {
            if (e[0] == 1) {
                boundary++;
            } else if (e[0] > 2) {
                over++;
            } else if (e[1] != 0) {
                misoriented++;
            }
        }
        int nonManifold = 0, usedCount = 0, components = 0;
        for (int i = 0; i < v; i++) {
            if (!used[i]) {
                continue;
            }
            usedCount++;
            if (find(parent, i) == i) {
                components++;
            }
            if (!singleFan(link.get(i))) {
                nonManifold++;
            }
        }
        return new MeshTopology(
                v, usedCount, edges.size(), f, boundary, over, misoriented, nonManifold, degenerate, components);
    }

    /** Whether the link edges (b → c) of a vertex form one cycle (closed fan) or one path (boundary fan). */
    private static boolean singleFan(List<int[]> l) {
        Map<Integer, Integer> next = new HashMap<>();
        Map<Integer, Integer> indeg = new HashMap<>();
        for (int[] e : l) {
            if (next.put(e[0], e[1]) != null) {
                return false;
            }
            indeg.merge(e[1], 1, Integer::sum);
        }
        for (int d : indeg.values()) {
            if (d > 1) {
                return false;
            }
        }
        int start = l.get(0)[0];
        for (int[] e : l) { // a path starts at a vertex without incoming edge
            if (!indeg.containsKey(e[0])) {
                start = e[0];
                break;
            }
        }
        int steps = 0;
        int x = start;
        while (next.containsKey(x) && steps <= l.size()) {
            x = next.get(x);
            steps++;
            if (x == start) {
                break;
            }
        }
        return steps == l.size();
    }

    private static int find(int[] p, int x) {
        while (p[x] != x) {
            p[x] = p[p[x]];
            x = p[x];
        }
        return x;
    }

    private static void union(int[] p, int a, int b) {
        p[find(p, a)] = find(p, b);
    }

    int eulerCharacteristic() {
        return usedVertices - edges + faces;
    }

    /** Every edge has exactly two triangles, traversed in opposite directions; every vertex is a single fan. */
    boolean isClosedManifold() {
        return boundaryEdges == 0 && overusedEdges == 0 && misorientedEdges == 0 && nonManifoldVertices == 0;
    }
}
