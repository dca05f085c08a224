package dev.tessera.geometry.io;

import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads STL files, ASCII and binary, with vertices welded exactly.
 *
 * <p><b>ASCII or binary</b> is decided by content, never by the name: a file is binary when its size is exactly
 * {@code 84 + 50 n} bytes for the triangle count {@code n} stored at byte 80 (this holds for binary files whose
 * 80-byte header starts with {@code solid}, which many exporters write); otherwise it is ASCII if it starts with
 * {@code solid}, and binary if not (then it may carry trailing bytes after its triangles, which are ignored).
 *
 * <p><b>Welding:</b> STL stores three positions per triangle; corners with bit-identical coordinates ({@code -0}
 * equal to {@code +0}) become one vertex, so a closed STL mesh reads as a closed indexed mesh. Nearly equal
 * positions are not merged (use {@link dev.tessera.geometry.MeshCleanup#mergeVertices}). Facet normals are ignored
 * (they are derived from the triangles, which are taken as counter-clockwise from outside). ASCII facets with more
 * than three vertices are split by ear clipping; several {@code solid ... endsolid} blocks are concatenated;
 * keywords are case-insensitive.
 *
 * <p>Rejected with a {@link MeshFormatException}: a binary triangle count the file is too small to hold (checked
 * before allocating, with the byte offset), truncated files, unexpected ASCII keywords or numbers (with the line),
 * and non-finite coordinates. Zero-area triangles, and triangles whose corners weld into one vertex, are kept.
 */
public final class StlReader {
    private StlReader() {}

    /** Reads an STL file, ASCII or binary. */
    public static TriangleMesh read(Path path) throws IOException {
        return isBinary(path) ? readBinary(path) : readAscii(path);
    }

    /** True if the file is binary STL by the rules in the class comment. */
    static boolean isBinary(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer head = ByteBuffer.allocate(84).order(ByteOrder.LITTLE_ENDIAN);
            while (head.hasRemaining() && ch.read(head) > 0) {
                // read the first 84 bytes, or the whole file if smaller
            }
            head.flip();
            if (head.limit() == 84 && 84 + 50 * (head.getInt(80) & 0xffffffffL) == size) {
                return true;
            }
            byte[] start = new byte[head.limit()];
            head.get(start);
            String text = new String(start, StandardCharsets.ISO_8859_1).stripLeading();
            if (!(text.length() >= 5 && text.substring(0, 5).equalsIgnoreCase("solid"))) {
                return true;
            }
            // "solid" but control bytes in the first 84: a binary file with a misleading header (and a wrong size).
            for (byte c : start) {
                if ((c >= 0 && c < 32 && c != '\n' && c != '\r' && c != '\t' && c != '\f') || c == 127) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Reads a binary STL file. */
    public static TriangleMesh readBinary(Path path) throws IOException {
        try (BinaryInput in = new BinaryInput(path)) {
            in.order(ByteOrder.LITTLE_ENDIAN);
            if (in.size() < 84) {
                throw in.error(
                        0,
                        "a binary STL file has at least 84 bytes (header and triangle count), this one " + in.size());
            }
            in.skip(80, "the header");
            in.ensure(4, "the triangle count");
            long n = in.buf().getInt() & 0xffffffffL;
            long need = 84 + 50 * n;
            if (need > in.size()) {
                throw in.error(
                        80,
                        "the header claims " + n + " triangles, which need " + need + " bytes, but the file has "
                                + in.size() + "; the count is wrong or the file is truncated");
            }
            if (3 * n > Integer.MAX_VALUE - 16) {
                throw in.error(80, n + " triangles are more than one mesh can hold (2^31 indices)");
            }
            int[] tris = new int[(int) (3 * n)];
            VertexWelder welder = new VertexWelder((int) Math.min(n / 2 + 16, 1 << 24));
            ByteBuffer b = in.buf();
            for (int t = 0; t < n; t++) {
                in.ensure(50, "triangle " + t);
                b.position(b.position() + 12); // facet normal
                for (int k = 0; k < 3; k++) {
                    float x = b.getFloat(), y = b.getFloat(), z = b.getFloat();
                    if (!Float.isFinite(x) || !Float.isFinite(y) || !Float.isFinite(z)) {
                        throw in.error(
                                in.offset() - 12,
                                "corner " + k + " of triangle " + t + " has a non-finite coordinate (" + x + ", " + y
                                        + ", " + z + ")");
                    }
                    tris[3 * t + k] = welder.add(x, y, z);
                }
                b.getShort(); // attribute byte count
            }
            return TriangleMesh.adopt(welder.positions().toArray(), tris);
        }
    }

    /** Reads an ASCII STL file. */
    public static TriangleMesh readAscii(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path);
                TextScanner s = new TextScanner(in, path.toString(), (char) 0)) {
            return readAscii(s);
        }
    }

    static TriangleMesh readAscii(TextScanner s) throws IOException {
        if (!s.nextToken()) {
            throw MeshFormatException.inFile(s.file(), "the file is empty");
        }
        VertexWelder welder = new VertexWelder(1024);
        IntList tris = new IntList(1024);
        PolygonSplitter splitter = new PolygonSplitter();
        int[] corners = new int[8];
        int facets = 0;
        while (true) {
            expect(s, "solid");
            s.nextLine(); // the solid's name
            while (true) {
                s.nextToken("'facet' or 'endsolid'");
                if (s.tokenIs("endsolid", true)) {
                    s.nextLine();
                    break;
                }
                expect(s, "facet");
                s.nextToken("'normal'");
                expect(s, "normal");
                for (int k = 0; k < 3; k++) {
                    s.nextToken("a normal component");
                    s.parseFloat("a normal component");
                }
                s.nextToken("'outer'");
                expect(s, "outer");
                s.nextToken("'loop'");
                expect(s, "loop");
                int n = 0;
                while (true) {
                    s.nextToken("'vertex' or 'endloop'");
                    if (s.tokenIs("endloop", true)) {
                        break;
                    }
                    expect(s, "vertex");
                    float[] c = new float[3];
                    for (int k = 0; k < 3; k++) {
                        s.nextToken("a vertex coordinate");
                        c[k] = s.parseFloat("a vertex coordinate");
                        if (!Float.isFinite(c[k])) {
                            throw s.error("corner " + n + " of facet " + facets + " has a non-finite coordinate ("
                                    + c[k] + ")");
                        }
                    }
                    if (n == corners.length) {
                        corners = java.util.Arrays.copyOf(corners, 2 * n);
                    }
                    corners[n++] = welder.add(c[0], c[1], c[2]);
                }
                if (n < 3) {
                    throw s.error("facet " + facets + " has " + n + " vertices; a facet needs at least 3");
                }
                splitter.split(corners, n, welder.positions(), tris);
                s.nextToken("'endfacet'");
                expect(s, "endfacet");
                facets++;
            }
            if (!s.nextToken()) {
                break;
            }
        }
        return TriangleMesh.adopt(welder.positions().toArray(), tris.toArray());
    }

    private static void expect(TextScanner s, String keyword) throws MeshFormatException {
        if (!s.tokenIs(keyword, true)) {
            throw s.error("expected '" + keyword + "', found '" + TextScanner.shorten(s.tokenString()) + "'");
        }
    }
}
