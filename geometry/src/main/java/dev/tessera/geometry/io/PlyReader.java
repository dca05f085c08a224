package dev.tessera.geometry.io;

import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.io.PlyWriter.Encoding;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads PLY (Stanford polygon) files: ASCII, binary little endian and binary big endian.
 *
 * <p>Accepted: elements and properties in any order and of any of the eight PLY types (with their {@code int8}
 * ... {@code float64} aliases); list properties with any integer count and index types; {@code comment} and
 * {@code obj_info} lines; CRLF line ends. From the {@code vertex} element: {@code x y z} (required), {@code nx ny
 * nz} (normals, normalised), {@code red green blue} (also {@code r g b} and {@code diffuse_red ...}; 8-bit values
 * are divided by 255, 16-bit by 65535, floats taken as 0-1). From the {@code face} element: the list
 * {@code vertex_indices} (or {@code vertex_index}, or its only list property), polygons split into triangles by ear
 * clipping, faces of fewer than three corners skipped. A {@code tristrips} element (strips separated by -1) is
 * converted to triangles. Every other element and property (edges, materials, texture coordinates, alpha, face
 * colours) is read past and ignored. A file without faces reads as a mesh with vertices only (a point cloud).
 *
 * <p>Rejected with a {@link MeshFormatException} (with the line for the header and ASCII bodies, the byte offset for
 * binary ones): a missing {@code ply} magic or {@code format} line, unknown types or keywords, element counts the
 * file is too small to hold (checked before allocating anything), list lengths longer than the rest of the file,
 * truncated bodies, non-finite coordinates, and vertex indices out of range. Zero-area and repeated-vertex
 * triangles and unreferenced vertices are kept ({@link dev.tessera.geometry.MeshCleanup} removes them).
 */
public final class PlyReader {
    private PlyReader() {}

    private static final String[] TYPE_NAMES = {"char", "uchar", "short", "ushort", "int", "uint", "float", "double"};
    private static final String[] TYPE_ALIASES = {
        "int8", "uint8", "int16", "uint16", "int32", "uint32", "float32", "float64"
    };
    private static final int[] TYPE_SIZES = {1, 1, 2, 2, 4, 4, 4, 8};
    private static final int INT8 = 0, UINT8 = 1, INT16 = 2, UINT16 = 3, INT32 = 4, UINT32 = 5, FLOAT32 = 6;
    private static final int FLOAT64 = 7;

    /** Roles of vertex properties. */
    private static final int SKIP = -1, X = 0, Y = 1, Z = 2, NX = 3, NY = 4, NZ = 5, R = 6, G = 7, B = 8;

    private record Property(String name, int type, int countType) {
        boolean isList() {
            return countType >= 0;
        }
    }

    private record Element(String name, long count, List<Property> properties, long line) {}

    /** Reads a PLY file. */
    public static TriangleMesh read(Path path) throws IOException {
        try (BinaryInput in = new BinaryInput(path)) {
            String file = path.toString();
            List<Element> elements = new ArrayList<>();
            Encoding encoding = null;
            long line = 0;
            while (true) {
                line++;
                String text = readHeaderLine(in, line);
                String[] w = text.trim().split("[ \t]+");
                if (line == 1) {
                    if (!text.equals("ply")) {
                        throw MeshFormatException.atLine(file, 1, "not a PLY file: the first line must be 'ply'");
                    }
                    continue;
                }
                if (w[0].isEmpty() || w[0].equals("comment") || w[0].equals("obj_info")) {
                    continue;
                }
                switch (w[0]) {
                    case "format" -> {
                        if (w.length < 2) {
                            throw MeshFormatException.atLine(file, line, "the format line names no encoding");
                        }
                        encoding = switch (w[1]) {
                            case "ascii" -> Encoding.ASCII;
                            case "binary_little_endian" -> Encoding.BINARY_LITTLE_ENDIAN;
                            case "binary_big_endian" -> Encoding.BINARY_BIG_ENDIAN;
                            default ->
                                throw MeshFormatException.atLine(
                                        file,
                                        line,
                                        "unknown PLY encoding '" + w[1]
                                                + "' (expected ascii, binary_little_endian or binary_big_endian)");
                        };
                    }
                    case "element" -> {
                        if (w.length != 3) {
                            throw MeshFormatException.atLine(file, line, "expected 'element NAME COUNT'");
                        }
                        long count;
                        try {
                            count = Long.parseLong(w[2]);
                        } catch (NumberFormatException e) {
                            throw MeshFormatException.atLine(
                                    file, line, "element count '" + w[2] + "' is not an integer");
                        }
                        if (count < 0) {
                            throw MeshFormatException.atLine(file, line, "negative element count " + count);
                        }
                        elements.add(new Element(w[1], count, new ArrayList<>(), line));
                    }
                    case "property" -> {
                        if (elements.isEmpty()) {
                            throw MeshFormatException.atLine(file, line, "a property before any element");
                        }
                        Property p;
                        if (w.length == 5 && w[1].equals("list")) {
                            int ct = type(file, line, w[2]);
                            if (ct >= FLOAT32) {
                                throw MeshFormatException.atLine(
                                        file, line, "a list count must have an integer type, not " + w[2]);
                            }
                            p = new Property(w[4], type(file, line, w[3]), ct);
                        } else if (w.length == 3) {
                            p = new Property(w[2], type(file, line, w[1]), -1);
                        } else {
                            throw MeshFormatException.atLine(
                                    file,
                                    line,
                                    "expected 'property TYPE NAME' or 'property list COUNT_TYPE TYPE NAME'");
                        }
                        elements.getLast().properties().add(p);
                    }
                    case "end_header" -> {
                        if (encoding == null) {
                            throw MeshFormatException.atLine(file, line, "the header has no 'format' line");
                        }
                        return readBody(path, in, elements, encoding, line + 1);
                    }
                    default ->
                        throw MeshFormatException.atLine(
                                file, line, "unknown header keyword '" + TextScanner.shorten(w[0]) + "'");
                }
            }
        }
    }

    private static String readHeaderLine(BinaryInput in, long line) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (in.remaining() == 0) {
                throw MeshFormatException.atLine(
                        in.file(), line, "the file ends inside the header (no 'end_header' line)");
            }
            in.ensure(1, "the header");
            int c = in.buf().get() & 0xff;
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                sb.append((char) c);
            }
            if (sb.length() > 4096) {
                throw MeshFormatException.atLine(
                        in.file(), line, "a header line longer than 4096 bytes; not a PLY header");
            }
        }
        return sb.toString();
    }

    private static int type(String file, long line, String name) throws MeshFormatException {
        for (int i = 0; i < TYPE_NAMES.length; i++) {
            if (TYPE_NAMES[i].equals(name) || TYPE_ALIASES[i].equals(name)) {
                return i;
            }
        }
        throw MeshFormatException.atLine(file, line, "unknown property type '" + TextScanner.shorten(name) + "'");
    }

    private static int vertexRole(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "x" -> X;
            case "y" -> Y;
            case "z" -> Z;
            case "nx", "normal_x" -> NX;
            case "ny", "normal_y" -> NY;
            case "nz", "normal_z" -> NZ;
            case "red", "r", "diffuse_red" -> R;
            case "green", "g", "diffuse_green" -> G;
            case "blue", "b", "diffuse_blue" -> B;
            default -> SKIP;
        };
    }

    private static TriangleMesh readBody(
            Path path, BinaryInput in, List<Element> elements, Encoding encoding, long firstBodyLine)
            throws IOException {
        String file = path.toString();
        // Size check before allocating anything.
        long body = in.remaining();
        long need = 0;
        for (Element e : elements) {
            long rec = 0;
            for (Property p : e.properties()) {
                rec += encoding == Encoding.ASCII ? 2 : TYPE_SIZES[p.isList() ? p.countType() : p.type()];
            }
            if (rec > 0 && e.count() > (body + 1) / rec + 1) {
                throw MeshFormatException.atLine(
                        file,
                        e.line(),
                        "the header claims " + e.count() + " " + e.name() + " elements, which need at least "
                                + multiplySaturated(e.count(), rec) + " bytes, but the body has " + body
                                + "; the count is wrong or the file is truncated");
            }
            need += rec * e.count();
        }
        if (encoding == Encoding.ASCII ? need - 1 > body : need > body) {
            throw MeshFormatException.atLine(
                    file,
                    elements.getLast().line(),
                    "the header's elements need at least " + need + " bytes, but the body has " + body
                            + "; the counts are wrong or the file is truncated");
        }
        Element vertexElement = null;
        for (Element e : elements) {
            if (e.name().equals("vertex")) {
                vertexElement = e;
            }
        }
        if (vertexElement == null) {
            throw MeshFormatException.inFile(file, "the PLY header has no 'vertex' element");
        }
        if (vertexElement.count() > Integer.MAX_VALUE / 3) {
            throw MeshFormatException.atLine(
                    file, vertexElement.line(), vertexElement.count() + " vertices are more than one mesh can hold");
        }
        Source src;
        InputStream textIn = null;
        if (encoding == Encoding.ASCII) {
            long offset = in.offset();
            textIn = Files.newInputStream(path);
            textIn.skipNBytes(offset);
            src = new AsciiSource(new TextScanner(textIn, file, (char) 0, firstBodyLine, offset), in.size());
        } else {
            in.order(encoding == Encoding.BINARY_LITTLE_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
            src = new BinarySource(in);
        }
        try {
            return new BodyReader(file, src, vertexElement).read(elements);
        } finally {
            if (textIn != null) {
                textIn.close();
            }
        }
    }

    private static long multiplySaturated(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        return hi != 0 || a * b < 0 ? Long.MAX_VALUE : a * b;
    }

    /** Reads values of the body, ASCII or binary. */
    private interface Source {
        /** Reads a scalar of the type as a float. */
        float floatValue(int type, String what) throws IOException;

        /** Reads a scalar of the type as a long (integer types; floats are truncated). */
        long intValue(int type, String what) throws IOException;

        /** Skips a scalar of the type. */
        void skip(int type, String what) throws IOException;

        /** Skips {@code n} scalars of the type (a list's items). */
        void skip(int type, long n, String what) throws IOException;

        /** Bytes left in the file. */
        long remaining();

        /** The fewest bytes a value of the type takes. */
        int minBytes(int type);

        MeshFormatException error(String what);

        /** Marks the start of a record, for binary error offsets. */
        void mark();
    }

    private static final class AsciiSource implements Source {
        private final TextScanner s;
        private final long size;

        AsciiSource(TextScanner s, long size) {
            this.s = s;
            this.size = size;
        }

        @Override
        public float floatValue(int type, String what) throws IOException {
            s.nextToken(what);
            return type == FLOAT64 ? (float) s.parseDouble(what) : s.parseFloat(what);
        }

        @Override
        public long intValue(int type, String what) throws IOException {
            s.nextToken(what);
            if (type >= FLOAT32) {
                return (long) s.parseDouble(what);
            }
            return s.parseLong(what);
        }

        @Override
        public void skip(int type, String what) throws IOException {
            s.nextToken(what);
        }

        @Override
        public void skip(int type, long n, String what) throws IOException {
            for (long i = 0; i < n; i++) {
                s.nextToken(what);
            }
        }

        @Override
        public long remaining() {
            return size - s.offset();
        }

        @Override
        public MeshFormatException error(String what) {
            return s.error(what);
        }

        @Override
        public void mark() {}

        @Override
        public int minBytes(int type) {
            return 2;
        }
    }

    private static final class BinarySource implements Source {
        private final BinaryInput in;
        private final ByteBuffer b;
        private long mark;

        BinarySource(BinaryInput in) {
            this.in = in;
            this.b = in.buf();
        }

        ByteBuffer buffer() {
            return b;
        }

        void ensure(int n, String what) throws IOException {
            in.ensure(n, what);
        }

        /** The value of the type at an absolute buffer position, as a float. */
        static float get(ByteBuffer b, int at, int type) {
            return switch (type) {
                case INT8 -> b.get(at);
                case UINT8 -> b.get(at) & 0xff;
                case INT16 -> b.getShort(at);
                case UINT16 -> b.getShort(at) & 0xffff;
                case INT32 -> b.getInt(at);
                case UINT32 -> b.getInt(at) & 0xffffffffL;
                case FLOAT32 -> b.getFloat(at);
                default -> (float) b.getDouble(at);
            };
        }

        @Override
        public float floatValue(int type, String what) throws IOException {
            in.ensure(TYPE_SIZES[type], what);
            return switch (type) {
                case INT8 -> b.get();
                case UINT8 -> b.get() & 0xff;
                case INT16 -> b.getShort();
                case UINT16 -> b.getShort() & 0xffff;
                case INT32 -> b.getInt();
                case UINT32 -> b.getInt() & 0xffffffffL;
                case FLOAT32 -> b.getFloat();
                default -> (float) b.getDouble();
            };
        }

        @Override
        public long intValue(int type, String what) throws IOException {
            in.ensure(TYPE_SIZES[type], what);
            return switch (type) {
                case INT8 -> b.get();
                case UINT8 -> b.get() & 0xff;
                case INT16 -> b.getShort();
                case UINT16 -> b.getShort() & 0xffff;
                case INT32 -> b.getInt();
                case UINT32 -> b.getInt() & 0xffffffffL;
                case FLOAT32 -> (long) b.getFloat();
                default -> (long) b.getDouble();
            };
        }

        @Override
        public void skip(int type, String what) throws IOException {
            in.ensure(TYPE_SIZES[type], what);
            b.position(b.position() + TYPE_SIZES[type]);
        }

        @Override
        public void skip(int type, long n, String what) throws IOException {
            in.skip(n * TYPE_SIZES[type], what);
        }

        @Override
        public long remaining() {
            return in.remaining();
        }

        @Override
        public MeshFormatException error(String what) {
            return in.error(mark, what);
        }

        @Override
        public void mark() {
            mark = in.offset();
        }

        @Override
        public int minBytes(int type) {
            return TYPE_SIZES[type];
        }
    }

    private static final class BodyReader {
        private final String file;
        private final Source src;
        private final Element vertexElement;
        private final int v;
        private float[] pos;
        private float[] nrm;
        private float[] col;
        private boolean verticesRead;
        private final IntList tris = new IntList(1024);
        private final PolygonSplitter splitter = new PolygonSplitter();
        private int[] corners = new int[16];

        BodyReader(String file, Source src, Element vertexElement) {
            this.file = file;
            this.src = src;
            this.vertexElement = vertexElement;
            this.v = (int) vertexElement.count();
        }

        TriangleMesh read(List<Element> elements) throws IOException {
            for (Element e : elements) {
                if (e == vertexElement) {
                    readVertices(e);
                } else if (e.name().equals("face")) {
                    readFaces(e, false);
                } else if (e.name().equals("tristrips")) {
                    readFaces(e, true);
                } else {
                    skipElement(e);
                }
            }
            int[] t = tris.toArray();
            if (!verticesRead) {
                throw MeshFormatException.inFile(file, "no vertices read");
            }
            return TriangleMesh.adopt(pos, t, nrm, col);
        }

        private void readVertices(Element e) throws IOException {
            List<Property> props = e.properties();
            int[] role = new int[props.size()];
            boolean[] seen = new boolean[9];
            for (int i = 0; i < role.length; i++) {
                Property p = props.get(i);
                role[i] = p.isList() ? SKIP : vertexRole(p.name());
                if (role[i] != SKIP) {
                    if (seen[role[i]]) {
                        role[i] = SKIP; // a repeated name: the first one wins
                    } else {
                        seen[role[i]] = true;
                    }
                }
            }
            if (!seen[X] || !seen[Y] || !seen[Z]) {
                throw MeshFormatException.atLine(file, e.line(), "the vertex element lacks an x, y or z property");
            }
            boolean normals = seen[NX] && seen[NY] && seen[NZ];
            boolean colors = seen[R] && seen[G] && seen[B];
            pos = new float[3 * v];
            nrm = normals ? new float[3 * v] : null;
            col = colors ? new float[3 * v] : null;
            int recordSize = 0;
            int[] offsets = new int[role.length];
            for (int k = 0; k < role.length; k++) {
                Property p = props.get(k);
                offsets[k] = recordSize;
                recordSize = p.isList() || recordSize < 0 ? -1 : recordSize + TYPE_SIZES[p.type()];
            }
            if (src instanceof BinarySource bin && recordSize > 0 && recordSize <= 1 << 12) {
                // Fixed-size records: one bounds check per vertex, then absolute reads.
                ByteBuffer b = bin.buffer();
                for (int i = 0; i < v; i++) {
                    bin.mark();
                    bin.ensure(recordSize, "a vertex");
                    int base = b.position();
                    for (int k = 0; k < role.length; k++) {
                        int r = role[k];
                        if (r == SKIP || (!normals && r >= NX && r <= NZ) || (!colors && r >= R)) {
                            continue;
                        }
                        int type = props.get(k).type();
                        store(i, r, props.get(k), BinarySource.get(b, base + offsets[k], type));
                    }
                    b.position(base + recordSize);
                    if (normals) {
                        normalise(nrm, i);
                    }
                }
                finishVertices();
                return;
            }
            for (int i = 0; i < v; i++) {
                src.mark();
                for (int k = 0; k < role.length; k++) {
                    Property p = props.get(k);
                    int r = role[k];
                    if (p.isList()) {
                        skipList(p, "vertex", i);
                        continue;
                    }
                    if (r == SKIP || (!normals && r >= NX && r <= NZ) || (!colors && r >= R)) {
                        src.skip(p.type(), "a vertex property");
                        continue;
                    }
                    store(i, r, p, src.floatValue(p.type(), "a vertex property"));
                }
                if (normals) {
                    normalise(nrm, i);
                }
            }
            finishVertices();
        }

        /** Marks the vertices read and checks the faces read before them, if any. */
        private void finishVertices() throws MeshFormatException {
            verticesRead = true;
            if (tris.size() > 0) {
                for (int i = 0; i < tris.size(); i++) {
                    if (tris.get(i) >= v) {
                        throw MeshFormatException.inFile(
                                file,
                                "triangle " + (i / 3) + " (faces come before vertices in this file) refers to vertex "
                                        + tris.get(i) + " out of range (" + v + " vertices)");
                    }
                }
            }
        }

        private void store(int i, int r, Property p, float value) throws MeshFormatException {
            if (r <= Z) {
                if (!Float.isFinite(value)) {
                    throw src.error("vertex " + i + " has a non-finite coordinate (" + p.name() + " = " + value + ")");
                }
                pos[3 * i + r] = value;
            } else if (r <= NZ) {
                nrm[3 * i + r - NX] = Float.isFinite(value) ? value : 0;
            } else {
                col[3 * i + r - R] = colour(value, p.type());
            }
        }

        private static void normalise(float[] n, int i) {
            double x = n[3 * i], y = n[3 * i + 1], z = n[3 * i + 2];
            double len = Math.sqrt(x * x + y * y + z * z);
            if (len > 0) {
                n[3 * i] = (float) (x / len);
                n[3 * i + 1] = (float) (y / len);
                n[3 * i + 2] = (float) (z / len);
            }
        }

        private static float colour(float value, int type) {
            float c = switch (type) {
                case INT8, UINT8, INT32, UINT32 -> value / 255f;
                case INT16, UINT16 -> value / 65535f;
                default -> value;
            };
            return Float.isNaN(c) ? 0 : Math.max(0, Math.min(1, c));
        }

        private long listLength(Property p, String kind, long record) throws IOException {
            long n = src.intValue(p.countType(), "a list length");
            if (n < 0 || n > (src.remaining() + 1) / src.minBytes(p.type())) {
                throw src.error(
                        "list " + p.name() + " of " + kind + " " + record + " has a length of " + n + ", which is "
                                + (n < 0 ? "negative" : "longer than the rest of the file (truncated or corrupt)"));
            }
            return n;
        }

        private void skipList(Property p, String kind, long record) throws IOException {
            long n = listLength(p, kind, record);
            src.skip(p.type(), n, "a list");
        }

        private void readFaces(Element e, boolean strips) throws IOException {
            List<Property> props = e.properties();
            int indexProp = -1;
            for (int k = 0; k < props.size(); k++) {
                Property p = props.get(k);
                if (p.isList() && (p.name().equals("vertex_indices") || p.name().equals("vertex_index"))) {
                    indexProp = k;
                    break;
                }
            }
            if (indexProp < 0) {
                int lists = 0;
                for (int k = 0; k < props.size(); k++) {
                    if (props.get(k).isList()) {
                        lists++;
                        indexProp = k;
                    }
                }
                if (lists != 1) {
                    throw MeshFormatException.atLine(
                            file, e.line(), "the " + e.name() + " element has no 'vertex_indices' list property");
                }
            }
            int indexType = props.get(indexProp).type();
            String kind = strips ? "strip " : "face ";
            for (long f = 0; f < e.count(); f++) {
                src.mark();
                for (int k = 0; k < props.size(); k++) {
                    Property p = props.get(k);
                    if (k != indexProp) {
                        if (p.isList()) {
                            skipList(p, e.name(), f);
                        } else {
                            src.skip(p.type(), "a property");
                        }
                        continue;
                    }
                    long n = listLength(p, e.name(), f);
                    if (n > corners.length) {
                        corners = new int[(int) Math.min(Integer.MAX_VALUE - 16, Math.max(n, 2L * corners.length))];
                    }
                    for (int c = 0; c < n; c++) {
                        long idx = src.intValue(indexType, "a vertex index");
                        if (strips && idx == -1) {
                            corners[c] = -1;
                            continue;
                        }
                        if (idx < 0 || (verticesRead && idx >= v) || idx > Integer.MAX_VALUE) {
                            throw src.error(kind + f + ": vertex index " + idx + " out of range (" + v + " vertices)");
                        }
                        corners[c] = (int) idx;
                    }
                    if (strips) {
                        addStrips((int) n);
                    } else if (n >= 3) {
                        if (verticesRead) {
                            splitter.split(corners, (int) n, wrap(), tris);
                        } else {
                            for (int c = 1; c + 1 < n; c++) { // no positions yet: a fan
                                tris.add(corners[0], corners[c], corners[c + 1]);
                            }
                        }
                    }
                }
            }
        }

        private FloatList wrapped;

        private FloatList wrap() {
            if (wrapped == null) {
                wrapped = new FloatList(0);
                wrapped.adoptArray(pos);
            }
            return wrapped;
        }

        /** Triangles of strips in {@code corners[0..n)} separated by -1, alternating orientation. */
        private void addStrips(int n) {
            int start = 0;
            for (int c = 0; c <= n; c++) {
                if (c == n || corners[c] == -1) {
                    for (int i = start; i + 2 < c; i++) {
                        int a = corners[i], b = corners[i + 1], d = corners[i + 2];
                        if (((i - start) & 1) == 0) {
                            tris.add(a, b, d);
                        } else {
                            tris.add(b, a, d);
                        }
                    }
                    start = c + 1;
                }
            }
        }

        private void skipElement(Element e) throws IOException {
            if (e.properties().isEmpty()) {
                return;
            }
            for (long i = 0; i < e.count(); i++) {
                src.mark();
                for (Property p : e.properties()) {
                    if (p.isList()) {
                        skipList(p, e.name(), i);
                    } else {
                        src.skip(p.type(), "a property");
                    }
                }
            }
        }
    }
}
