package dev.tessera.geometry.io;

import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads Object File Format meshes (Geomview {@code .off}), the format of the CGAL and Princeton shape benchmarks.
 *
 * <p>Accepted: the header keywords {@code OFF}, {@code COFF} (vertex colours), {@code NOFF} (vertex normals),
 * {@code CNOFF}, {@code NCOFF} and {@code STOFF}-style prefixes (texture coordinates, skipped); the counts on the
 * header line or on the next one; {@code #} comments anywhere; blank lines; polygon faces of any size, split into
 * triangles by {@link dev.tessera.geometry.EarClipping} (fan for convex ones); face colours (ignored); colours as
 * integers 0-255 or as floats 0-1 (decided per value: a value with a decimal point or exponent is a float); faces of
 * fewer than three corners (points, segments) are skipped.
 *
 * <p>Rejected with a {@link MeshFormatException} naming the line: a missing or unknown header, binary OFF,
 * four-dimensional ({@code 4OFF}, {@code nOFF}) files, negative counts or counts the file is too small to hold
 * (checked before allocating), non-numeric values, non-finite coordinates, vertex indices out of range, and a file
 * that ends before the counted vertices and faces. Zero-area and repeated-vertex triangles are kept, as are
 * unreferenced vertices: {@link dev.tessera.geometry.MeshCleanup} removes them.
 */
public final class OffReader {
    private OffReader() {}

    /** Reads an OFF file. */
    public static TriangleMesh read(Path path) throws IOException {
        long size = Files.size(path);
        try (InputStream in = Files.newInputStream(path);
                TextScanner s = new TextScanner(in, path.toString(), '#')) {
            return read(s, size);
        }
    }

    static TriangleMesh read(TextScanner s, long fileSize) throws IOException {
        if (!s.nextToken()) {
            throw MeshFormatException.inFile(s.file(), "the file is empty");
        }
        String key = s.tokenString();
        if (!key.endsWith("OFF")) {
            throw s.error("expected the OFF header keyword (OFF, COFF, NOFF, CNOFF...), found '"
                    + TextScanner.shorten(key) + "'");
        }
        String prefix = key.substring(0, key.length() - 3);
        boolean texture = false, color = false, normal = false;
        if (prefix.startsWith("ST")) {
            texture = true;
            prefix = prefix.substring(2);
        }
        if (prefix.startsWith("C")) {
            color = true;
            prefix = prefix.substring(1);
        }
        if (prefix.startsWith("N")) {
            normal = true;
            prefix = prefix.substring(1);
        }
        if (!color && prefix.startsWith("C")) { // NCOFF
            color = true;
            prefix = prefix.substring(1);
        }
        if (prefix.equals("4") || prefix.equals("n") || prefix.endsWith("4") || prefix.endsWith("n")) {
            throw s.error("'" + key + "' is a " + (prefix.endsWith("4") ? "four" : "n")
                    + "-dimensional OFF file; only 3D OFF is supported");
        }
        if (!prefix.isEmpty()) {
            throw s.error("unknown OFF header keyword '" + TextScanner.shorten(key) + "'");
        }
        if (s.hasToken()) {
            s.token("counts");
            if (s.tokenIs("BINARY", true)) {
                throw s.error("binary OFF is not supported; convert it to ASCII OFF, PLY or OBJ");
            }
        } else {
            s.nextToken("the vertex count");
        }
        long nv = s.parseLong("the vertex count");
        s.nextToken("the face count");
        long nf = s.parseLong("the face count");
        if (nv < 0 || nf < 0) {
            throw s.error("negative counts (" + nv + " vertices, " + nf + " faces)");
        }
        // Each vertex needs at least "x y z\n" (6 bytes) and each face "3 a b c\n" (8 bytes).
        long need = 6 * nv + 8 * nf - 1;
        long left = fileSize - s.offset();
        if (nv > Integer.MAX_VALUE / 3 || nf > Integer.MAX_VALUE / 3 || (nv + nf > 0 && need > left)) {
            throw s.error("the header claims " + nv + " vertices and " + nf + " faces, which need at least " + need
                    + " bytes, but only " + left + " bytes follow; the counts are wrong or the file is truncated");
        }
        s.nextLine(); // the edge count, unused
        int v = (int) nv;
        float[] pos = new float[3 * v];
        float[] nrm = normal ? new float[3 * v] : null;
        float[] col = color ? new float[3 * v] : null;
        for (int i = 0; i < v; i++) {
            if (!s.nextToken()) {
                throw s.error("the file ends after " + i + " of " + v + " vertices; it is truncated");
            }
            long line = s.line();
            for (int k = 0; k < 3; k++) {
                if (k > 0) {
                    s.token("three vertex coordinates");
                }
                float c = s.parseFloat("a vertex coordinate");
                if (!Float.isFinite(c)) {
                    throw MeshFormatException.atLine(
                            s.file(), line, "vertex " + i + " has a non-finite coordinate (" + c + ")");
                }
                pos[3 * i + k] = c;
            }
            if (normal) {
                double len = 0;
                for (int k = 0; k < 3; k++) {
                    s.token("three normal components");
                    float c = s.parseFloat("a normal component");
                    nrm[3 * i + k] = Float.isFinite(c) ? c : 0;
                    len += nrm[3 * i + k] * nrm[3 * i + k];
                }
                if (len > 0) {
                    double inv = 1 / Math.sqrt(len);
                    for (int k = 0; k < 3; k++) {
                        nrm[3 * i + k] = (float) (nrm[3 * i + k] * inv);
                    }
                }
            }
            if (color) {
                for (int k = 0; k < 3; k++) {
                    s.token("a colour (COFF)");
                    col[3 * i + k] = colour(s, "a colour component");
                }
            }
            s.nextLine(); // alpha, texture coordinates
        }
        IntList tris = new IntList((int) Math.min(3L * nf, 1 << 24));
        FloatList positions = wrap(pos);
        PolygonSplitter splitter = new PolygonSplitter();
        int[] corners = new int[16];
        for (long f = 0; f < nf; f++) {
            if (!s.nextToken()) {
                throw s.error("the file ends after " + f + " of " + nf + " faces; it is truncated");
            }
            int n = s.parseInt("a face corner count");
            if (n < 0) {
                throw s.error("face " + f + " has a negative corner count " + n);
            }
            if (corners.length < n) {
                if (n > v) {
                    // A face can repeat vertices, but not more often than there are bytes left.
                    if (n > fileSize - s.offset()) {
                        throw s.error("face " + f + " claims " + n + " corners, more than the bytes left");
                    }
                }
                corners = new int[Math.max(n, 2 * corners.length)];
            }
            for (int k = 0; k < n; k++) {
                s.token("as many vertex indices as the face count says");
                long idx = s.parseLong("a vertex index");
                if (idx < 0 || idx >= v) {
                    throw s.error("face " + f + ": vertex index " + idx + " out of range (" + v + " vertices)");
                }
                corners[k] = (int) idx;
            }
            s.nextLine(); // face colour
            if (n >= 3) {
                splitter.split(corners, n, positions, tris);
            }
        }
        return TriangleMesh.adopt(pos, tris.toArray(), nrm, col);
    }

    /** A colour component: integers are 0-255, values with a decimal point or exponent are 0-1; clamped to [0, 1]. */
    static float colour(TextScanner s, String what) throws MeshFormatException {
        boolean isFloat = s.tokenContainsAny(".eE");
        float c = s.parseFloat(what);
        if (!isFloat) {
            c /= 255f;
        }
        return Float.isNaN(c) ? 0 : Math.max(0, Math.min(1, c));
    }

    private static FloatList wrap(float[] a) {
        FloatList l = new FloatList(0);
        l.adoptArray(a);
        return l;
    }
}
