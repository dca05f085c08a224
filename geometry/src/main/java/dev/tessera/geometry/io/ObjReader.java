package dev.tessera.geometry.io;

import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads Wavefront OBJ meshes.
 *
 * <p>Accepted: {@code v x y z} with optional {@code w} (ignored) or vertex colour {@code r g b} (0-1, an optional
 * fourth value ignored); {@code vn}; faces {@code f} of any size with indices written {@code v}, {@code v/vt},
 * {@code v//vn} or {@code v/vt/vn}, positive (1-based) or negative (relative to the vertices read so far); any
 * number of objects and groups ({@code o}, {@code g}), all merged into one mesh since OBJ indices are global.
 * Polygons are split by {@link dev.tessera.geometry.EarClipping} in their own plane (a fan for convex ones, ear
 * clipping otherwise). Texture coordinates, materials, smoothing groups, lines and points are skipped, as are
 * unknown statements.
 *
 * <p>Colours are kept only when every vertex has one. OBJ normals belong to face corners, a mesh's to vertices: they
 * are kept when every corner of a vertex names the same normal (or equal ones) and every face corner names one;
 * otherwise (a flat-shaded cube, say) they are dropped rather than splitting vertices, so the mesh stays connected.
 *
 * <p>Rejected with a {@link MeshFormatException} naming the line: non-numeric values, non-finite coordinates, the
 * index 0, indices out of range, faces of fewer than three corners. Zero-area and repeated-vertex triangles and
 * unreferenced vertices are kept ({@link dev.tessera.geometry.MeshCleanup} removes them).
 */
public final class ObjReader {
    private ObjReader() {}

    /** Reads an OBJ file. */
    public static TriangleMesh read(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path);
                TextScanner s = new TextScanner(in, path.toString(), '#')) {
            return new ObjReader.Parser(s).parse();
        }
    }

    private static final class Parser {
        private final TextScanner s;
        private final FloatList pos = new FloatList(3 * 1024);
        private final FloatList col = new FloatList(3 * 1024);
        private final FloatList nrm = new FloatList(3 * 1024);
        private final IntList tris = new IntList(3 * 1024);
        private final IntList cornerNormal = new IntList(1024); // per vertex: normal index, -1 none, -2 conflict
        private final PolygonSplitter splitter = new PolygonSplitter();
        private int[] corners = new int[16];
        private int[] cornerNormals = new int[16];
        private boolean allCornersHaveNormals = true;
        private boolean colorsOnAll = true;
        private int forwardMax = -1; // largest forward reference
        private long forwardLine;

        Parser(TextScanner s) {
            this.s = s;
        }

        TriangleMesh parse() throws IOException {
            float[] extra = new float[4];
            do {
                if (!s.hasToken()) {
                    continue;
                }
                s.token("a statement");
                if (s.tokenIs("v")) {
                    int i = pos.size() / 3;
                    float[] c = new float[3];
                    for (int k = 0; k < 3; k++) {
                        s.token("three vertex coordinates");
                        c[k] = s.parseFloat("a vertex coordinate");
                        if (!Float.isFinite(c[k])) {
                            throw s.error("vertex " + (i + 1) + " has a non-finite coordinate (" + c[k] + ")");
                        }
                    }
                    pos.add(c[0], c[1], c[2]);
                    int n = 0;
                    while (n < 4 && s.hasToken()) {
                        s.token("a vertex value");
                        extra[n++] = s.parseFloat("a vertex colour or w");
                    }
                    if (n >= 3) {
                        col.add(clamp(extra[0]), clamp(extra[1]), clamp(extra[2]));
                    } else {
                        colorsOnAll = false;
                    }
                    cornerNormal.add(-1);
                } else if (s.tokenIs("vn")) {
                    for (int k = 0; k < 3; k++) {
                        s.token("a normal component");
                        float c = s.parseFloat("a normal component");
                        nrm.add(Float.isFinite(c) ? c : 0);
                    }
                } else if (s.tokenIs("f")) {
                    face();
                }
            } while (s.nextLine());
            int v = pos.size() / 3;
            if (forwardMax >= v) {
                throw MeshFormatException.atLine(
                        s.file(), forwardLine, "face index " + (forwardMax + 1) + " out of range (" + v + " vertices)");
            }
            float[] normals = null;
            if (allCornersHaveNormals && tris.size() > 0 && nrm.size() > 0) {
                normals = new float[3 * v];
                for (int i = 0; i < v; i++) {
                    int ni = cornerNormal.get(i);
                    if (ni == -2) {
                        normals = null;
                        break;
                    }
                    if (ni >= 0) {
                        double x = nrm.get(3 * ni), y = nrm.get(3 * ni + 1), z = nrm.get(3 * ni + 2);
                        double len = Math.sqrt(x * x + y * y + z * z);
                        if (len > 0) {
                            normals[3 * i] = (float) (x / len);
                            normals[3 * i + 1] = (float) (y / len);
                            normals[3 * i + 2] = (float) (z / len);
                        }
                    }
                }
            }
            float[] colors = colorsOnAll && v > 0 ? col.toArray() : null;
            return TriangleMesh.adopt(pos.toArray(), tris.toArray(), normals, colors);
        }

        private static float clamp(float c) {
            return Float.isNaN(c) ? 0 : Math.max(0, Math.min(1, c));
        }

        private void face() throws IOException {
            int v = pos.size() / 3;
            int vn = nrm.size() / 3;
            int n = 0;
            boolean forward = false;
            while (s.hasToken()) {
                s.token("a face corner");
                int start = s.tokenStart(), end = s.tokenEnd();
                int slash1 = -1, slash2 = -1;
                for (int i = start; i < end; i++) {
                    if (s.byteAt(i) == '/') {
                        if (slash1 < 0) {
                            slash1 = i;
                        } else if (slash2 < 0) {
                            slash2 = i;
                        } else {
                            throw s.error("face corner '" + s.tokenString() + "' has more than two '/'");
                        }
                    }
                }
                int normalIndex = -1;
                if (slash2 >= 0 && slash2 + 1 < end) {
                    s.narrowToken(slash2 + 1, end);
                    long k = s.parseLong("a normal index");
                    long r = k < 0 ? vn + k : k - 1;
                    if (k == 0 || r < 0 || r >= vn) {
                        throw s.error("face normal index " + k + " out of range (" + vn + " normals so far)");
                    }
                    normalIndex = (int) r;
                }
                s.narrowToken(start, slash1 >= 0 ? slash1 : end);
                long k = s.parseLong("a vertex index");
                long r = k < 0 ? v + k : k - 1;
                if (k == 0) {
                    throw s.error("face index 0 is invalid (OBJ indices start at 1, negative ones count back)");
                }
                if (r < 0 || r > Integer.MAX_VALUE - 16) {
                    throw s.error("face index " + k + " out of range (" + v + " vertices)");
                }
                if (r >= v) {
                    forward = true;
                    if (r > forwardMax) {
                        forwardMax = (int) r;
                        forwardLine = s.line();
                    }
                }
                if (n == corners.length) {
                    corners = Arrays.copyOf(corners, 2 * n);
                    cornerNormals = Arrays.copyOf(cornerNormals, 2 * n);
                }
                corners[n] = (int) r;
                cornerNormals[n] = normalIndex;
                n++;
            }
            if (n < 3) {
                throw s.error("a face needs at least 3 corners, this one has " + n);
            }
            for (int i = 0; i < n; i++) {
                int ni = cornerNormals[i];
                if (ni < 0) {
                    allCornersHaveNormals = false;
                    continue;
                }
                int c = corners[i];
                if (c >= v) {
                    continue; // a forward reference: checked at the end, no normal bookkeeping
                }
                int prev = cornerNormal.get(c);
                if (prev == -1) {
                    cornerNormal.set(c, ni);
                } else if (prev >= 0 && prev != ni && !sameNormal(prev, ni)) {
                    cornerNormal.set(c, -2);
                }
            }
            if (forward) {
                for (int i = 1; i + 1 < n; i++) {
                    tris.add(corners[0], corners[i], corners[i + 1]);
                }
            } else {
                splitter.split(corners, n, pos, tris);
            }
        }

        private boolean sameNormal(int a, int b) {
            return nrm.get(3 * a) == nrm.get(3 * b)
                    && nrm.get(3 * a + 1) == nrm.get(3 * b + 1)
                    && nrm.get(3 * a + 2) == nrm.get(3 * b + 2);
        }
    }
}
