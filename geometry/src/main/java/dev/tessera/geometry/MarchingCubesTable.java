package dev.tessera.geometry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The triangulation table of {@link MarchingCubes}, derived at class load from the cube's geometry instead of being
 * typed in, so every entry follows from three rules that make the surface closed.
 *
 * <p><b>Cell numbering.</b> Corner {@code n} of a cell sits at offset {@code (dx, dy, dz) = (n>>2 & 1, n>>1 & 1,
 * n & 1)} (x slowest, like the grid). Edge {@code e} runs along axis {@code e / 4} (0 = x, 1 = y, 2 = z) from its base
 * corner {@link #EDGE_BASE}{@code [e]} to {@code EDGE_BASE[e] | AXIS_BIT[axis]}. Faces are numbered x=0, x=1, y=0,
 * y=1, z=0, z=1. A case is the 8-bit mask of the corners that are <i>above</i> the level.
 *
 * <p><b>Rule 1, face contours.</b> On every face of the cube the iso-contour is a set of segments between crossed
 * edges. A face with two crossed edges has one segment; a face whose above corners sit on a diagonal (four crossed
 * edges, the ambiguous face) has two segments, which either cut off the two above corners or the two below
 * corners. That choice is an input of the table (one bit per ambiguous face: 1 = the above corners are connected
 * across the face centre), decided by the caller from the four face values alone, so the two cells sharing a face
 * always draw the same segments there.
 *
 * <p><b>Rule 2, loops.</b> Each segment is oriented so that, seen from outside the cube, the above side lies to its
 * left. Each crossed edge then ends exactly one segment (on one of its two faces) and starts exactly one (on the
 * other), so the segments chain into disjoint closed loops on the cube's surface.
 *
 * <p><b>Rule 3, discs.</b> Each loop is spanned by one triangulated disc, triangles in loop order (so their normals
 * point to the above side), choosing among all triangulations of the polygon the one of least total diagonal length
 * (with edge midpoints as positions) that has no diagonal between two edges of a common face. A diagonal inside a
 * face could be drawn by the neighbouring cell as well; forbidding it means every mesh edge is either a face segment
 * (one triangle on each side of the face) or an interior diagonal (two triangles of the same disc). Hence every edge
 * of the extracted surface away from the grid's boundary has exactly two triangles.
 */
final class MarchingCubesTable {
    /**
     * The pseudo-edge number of the vertex inside a cell, used by loops that cannot be triangulated without a
     * diagonal inside a face; it sits at the mean of the loop's vertices.
     */
    static final int CENTRE = 12;
    /** Bit of a corner index along each axis. */
    static final int[] AXIS_BIT = {4, 2, 1};
    /** Base (lower) corner of each edge. */
    static final int[] EDGE_BASE = new int[12];
    /** Corners of each face, counter-clockwise seen from outside the cube. */
    static final int[][] FACE_CORNERS = new int[6][];
    /** Per case: mask of its ambiguous faces (bit f = face f). */
    static final byte[] AMBIGUOUS = new byte[256];
    /**
     * Per configuration {@code case | faceBits << 8}: offset of its triangles in {@link #TRIANGLES} ({@code
     * OFFSET[c+1] - OFFSET[c]} entries, three cell edges per triangle).
     */
    static final int[] OFFSET = new int[256 * 64 + 1];
    /** Triangle corners as cell edge numbers, grouped by configuration. */
    static final byte[] TRIANGLES;
    /** Per configuration: whether one of its loops is fanned around a {@link #CENTRE} vertex. */
    private static final boolean[] FAN = new boolean[256 * 64];
    /** Number of distinct configurations that can occur. */
    static final int CONFIGURATIONS;
    /** Length of the longest loop over all configurations. */
    static final int LONGEST_LOOP;

    private static final int[][] EDGE_FACES = new int[12][];

    static {
        for (int axis = 0, e = 0; axis < 3; axis++) {
            for (int n = 0; n < 8; n++) {
                if ((n & AXIS_BIT[axis]) == 0) {
                    EDGE_BASE[e++] = n;
                }
            }
        }
        for (int f = 0; f < 6; f++) {
            FACE_CORNERS[f] = faceCorners(f / 2, f % 2);
        }
        for (int e = 0; e < 12; e++) {
            List<Integer> faces = new ArrayList<>();
            for (int f = 0; f < 6; f++) {
                if (faceEdge(f, e) >= 0) {
                    faces.add(f);
                }
            }
            EDGE_FACES[e] = faces.stream().mapToInt(Integer::intValue).toArray();
        }
        byte[] tris = new byte[256 * 64 * 12];
        int size = 0, configurations = 0, longest = 0;
        for (int config = 0; config < 256 * 64; config++) {
            OFFSET[config] = size;
            int cas = config & 255, bits = config >> 8;
            if (config < 256) {
                AMBIGUOUS[cas] = (byte) ambiguousFaces(cas);
            }
            if ((bits & ~AMBIGUOUS[cas]) != 0) {
                continue; // a decision on a face that is not ambiguous: never looked up
            }
            configurations++;
            int fans = 0;
            for (int[] loop : loops(cas, bits)) {
                longest = Math.max(longest, loop.length);
                List<int[]> triangles = triangulate(loop);
                if (triangles.get(0)[0] == CENTRE) {
                    fans++;
                    FAN[config] = true;
                }
                for (int[] t : triangles) {
                    if (size + 3 > tris.length) {
                        tris = Arrays.copyOf(tris, tris.length * 2);
                    }
                    for (int c = 0; c < 3; c++) {
                        tris[size++] = (byte) t[c];
                    }
                }
            }
            if (fans > 1) { // the interior vertex is the mean of the one fanned loop (MarchingCubes.centreVertex)
                throw new IllegalStateException("configuration " + config + " has " + fans + " fanned loops");
            }
        }
        OFFSET[256 * 64] = size;
        TRIANGLES = Arrays.copyOf(tris, size);
        CONFIGURATIONS = configurations;
        LONGEST_LOOP = longest;
    }

    private MarchingCubesTable() {}

    /** Whether configuration {@code config} has a vertex inside the cell. */
    static boolean fan(int config) {
        return FAN[config];
    }

    /** The axis of edge {@code e}. */
    static int axis(int e) {
        return e >> 2;
    }

    /** The corners of face {@code (axis, side)}, counter-clockwise seen from outside. */
    private static int[] faceCorners(int axis, int side) {
        int u = (axis + 1) % 3, v = (axis + 2) % 3; // (u, v, axis) is a right-handed frame
        int base = side == 1 ? AXIS_BIT[axis] : 0;
        int[] quad = {base, base | AXIS_BIT[u], base | AXIS_BIT[u] | AXIS_BIT[v], base | AXIS_BIT[v]};
        if (side == 0) { // outward normal is -axis: reverse to stay counter-clockwise seen from outside
            return new int[] {quad[0], quad[3], quad[2], quad[1]};
        }
        return quad;
    }

    /** The cell edge between corners {@code a} and {@code b}, which differ in one bit. */
    static int edgeBetween(int a, int b) {
        int diff = a ^ b;
        int axis = diff == 4 ? 0 : diff == 2 ? 1 : 2;
        int base = Math.min(a, b);
        for (int e = 4 * axis; e < 4 * axis + 4; e++) {
            if (EDGE_BASE[e] == base) {
                return e;
            }
        }
        throw new IllegalArgumentException(a + " and " + b + " do not share an edge");
    }

    /** The position (0..3) of edge {@code e} on face {@code f} (edge i joins corners i and i+1), or -1. */
    private static int faceEdge(int f, int e) {
        int[] c = FACE_CORNERS[f];
        for (int i = 0; i < 4; i++) {
            if (edgeBetween(c[i], c[(i + 1) & 3]) == e) {
                return i;
            }
        }
        return -1;
    }

    private static boolean above(int cas, int corner) {
        return (cas >> corner & 1) != 0;
    }

    /** Faces whose above corners are exactly one diagonal. */
    static int ambiguousFaces(int cas) {
        int mask = 0;
        for (int f = 0; f < 6; f++) {
            int[] c = FACE_CORNERS[f];
            boolean a0 = above(cas, c[0]), a1 = above(cas, c[1]), a2 = above(cas, c[2]), a3 = above(cas, c[3]);
            if (a0 == a2 && a1 == a3 && a0 != a1) {
                mask |= 1 << f;
            }
        }
        return mask;
    }

    /** The oriented loops of a configuration, each a cycle of cell edges. */
    static List<int[]> loops(int cas, int bits) {
        int[] next = new int[12];
        Arrays.fill(next, -1);
        for (int f = 0; f < 6; f++) {
            int[] c = FACE_CORNERS[f];
            int[] e = new int[4];
            boolean[] ab = new boolean[4];
            for (int i = 0; i < 4; i++) {
                e[i] = edgeBetween(c[i], c[(i + 1) & 3]);
                ab[i] = above(cas, c[i]);
            }
            if ((ambiguousFaces(cas) >> f & 1) != 0) {
                boolean connected = (bits >> f & 1) != 0;
                for (int i = 0; i < 4; i++) {
                    int prev = e[(i + 3) & 3];
                    if (connected && !ab[i]) { // cut off below corner i: leave on prev, enter on e[i]
                        link(next, prev, e[i]);
                    } else if (!connected && ab[i]) { // cut off above corner i: leave on e[i], enter on prev
                        link(next, e[i], prev);
                    }
                }
            } else {
                int leave = -1, enter = -1;
                for (int i = 0; i < 4; i++) {
                    boolean from = ab[i], to = ab[(i + 1) & 3];
                    if (from && !to) {
                        leave = e[i];
                    } else if (!from && to) {
                        enter = e[i];
                    }
                }
                if (leave >= 0) {
                    link(next, leave, enter);
                }
            }
        }
        List<int[]> loops = new ArrayList<>();
        boolean[] seen = new boolean[12];
        for (int start = 0; start < 12; start++) {
            if (next[start] < 0 || seen[start]) {
                continue;
            }
            List<Integer> loop = new ArrayList<>();
            for (int e = start; !seen[e]; e = next[e]) {
                seen[e] = true;
                loop.add(e);
            }
            loops.add(loop.stream().mapToInt(Integer::intValue).toArray());
        }
        return loops;
    }

    private static void link(int[] next, int from, int to) {
        if (next[from] >= 0) {
            throw new IllegalStateException("edge " + from + " starts two segments");
        }
        next[from] = to;
    }

    /** Whether cell edges {@code a} and {@code b} lie on a common face. */
    static boolean shareFace(int a, int b) {
        for (int f : EDGE_FACES[a]) {
            for (int g : EDGE_FACES[b]) {
                if (f == g) {
                    return true;
                }
            }
        }
        return false;
    }

    private static double[] midpoint(int e) {
        int a = EDGE_BASE[e], b = a | AXIS_BIT[axis(e)];
        return new double[] {
            0.5 * ((a >> 2 & 1) + (b >> 2 & 1)), 0.5 * ((a >> 1 & 1) + (b >> 1 & 1)), 0.5 * ((a & 1) + (b & 1))
        };
    }

    /**
     * The least-total-diagonal-length triangulation of a loop without diagonals inside a face (dynamic programming
     * over sub-polygons, O(n³)); triangles keep the loop's orientation.
     */
    static List<int[]> triangulate(int[] loop) {
        int n = loop.length;
        double[][] cost = new double[n][n];
        int[][] split = new int[n][n];
        for (int len = 2; len < n; len++) {
            for (int i = 0; i + len < n; i++) {
                int j = i + len;
                cost[i][j] = Double.POSITIVE_INFINITY;
                for (int k = i + 1; k < j; k++) {
                    double c = cost[i][k] + cost[k][j] + chord(loop, i, k) + chord(loop, k, j);
                    if (c < cost[i][j]) {
                        cost[i][j] = c;
                        split[i][j] = k;
                    }
                }
            }
        }
        List<int[]> out = new ArrayList<>();
        if (cost[0][n - 1] == Double.POSITIVE_INFINITY) { // a fan around a vertex inside the cell
            for (int i = 0; i < n; i++) {
                out.add(new int[] {CENTRE, loop[i], loop[(i + 1) % n]});
            }
            return out;
        }
        emit(loop, split, 0, n - 1, out);
        return out;
    }

    /** Cost of the side (i, j) of a sub-polygon: zero for a loop edge, the length for an admissible diagonal. */
    private static double chord(int[] loop, int i, int j) {
        int n = loop.length;
        if (j == i + 1 || (i == 0 && j == n - 1)) {
            return 0;
        }
        if (shareFace(loop[i], loop[j])) {
            return Double.POSITIVE_INFINITY;
        }
        double[] a = midpoint(loop[i]), b = midpoint(loop[j]);
        return Math.sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
    }

    private static void emit(int[] loop, int[][] split, int i, int j, List<int[]> out) {
        if (j - i < 2) {
            return;
        }
        int k = split[i][j];
        emit(loop, split, i, k, out);
        out.add(new int[] {loop[i], loop[k], loop[j]});
        emit(loop, split, k, j, out);
    }
}
