package dev.tessera.geometry.io;

import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads glTF 2.0 binary files ({@code .glb}): every triangle primitive of every node of the default scene, placed
 * by its node's world transform, merged into one mesh.
 *
 * <p><b>Scene:</b> the {@code scene} property, else the first scene, else every root node. Node transforms are
 * {@code matrix} or {@code translation}/{@code rotation}/{@code scale} (T·R·S), composed down the hierarchy; a mesh
 * used by several nodes appears once per node. A transform with a negative determinant mirrors the geometry, so its
 * triangles are reversed to stay counter-clockwise from outside; normals are mapped by the inverse transpose and
 * renormalised.
 *
 * <p><b>Primitives:</b> modes 4 (triangles, the default), 5 (strips) and 6 (fans, both converted to triangles);
 * point and line primitives are skipped. Indexed or not; indices {@code u8}, {@code u16} or {@code u32}. Accessors
 * of any component type (normalised or not, so {@code KHR_mesh_quantization} positions work), interleaved buffer
 * views ({@code byteStride}), accessors without a buffer view (zeros) and sparse accessors. {@code NORMAL} is kept
 * when every primitive has it; {@code COLOR_0} ({@code VEC3}/{@code VEC4}, float or normalised {@code u8}/{@code
 * u16}, alpha dropped) is kept when any primitive has it, the others then being white. Buffers are the GLB's
 * {@code BIN} chunk, {@code data:} URIs, or files next to the GLB.
 *
 * <p>Rejected with a {@link MeshFormatException}: a wrong magic or version, chunk lengths beyond the end of the file
 * (byte offset given), malformed JSON, accessors or buffer views reaching beyond their buffers (checked before
 * allocating), indices out of range, non-finite positions, node cycles, and the geometry-compression extensions
 * ({@code KHR_draco_mesh_compression}, {@code EXT_meshopt_compression}) which this reader does not decode. Materials,
 * textures, skins, morph targets, cameras and animations are ignored. Zero-area triangles are kept.
 */
public final class GlbReader {
    private GlbReader() {}

    /** The first four bytes of a GLB file, {@code glTF}, as a little-endian int. */
    static final int MAGIC = 0x46546C67;

    static final int CHUNK_JSON = 0x4E4F534A;
    static final int CHUNK_BIN = 0x004E4942;

    private static final Set<String> UNSUPPORTED =
            Set.of("KHR_draco_mesh_compression", "EXT_meshopt_compression", "KHR_meshopt_compression");

    /** Reads a GLB file. */
    public static TriangleMesh read(Path path) throws IOException {
        String file = path.toString();
        Object json;
        ByteBuffer bin = null;
        try (BinaryInput in = new BinaryInput(path)) {
            in.order(ByteOrder.LITTLE_ENDIAN);
            if (in.size() < 20) {
                throw in.error(
                        0, "a GLB file has at least 20 bytes (header and a chunk header), this one " + in.size());
            }
            in.ensure(12, "the GLB header");
            ByteBuffer b = in.buf();
            if (b.getInt() != MAGIC) {
                throw in.error(0, "not a GLB file: the magic is not 'glTF'");
            }
            int version = b.getInt();
            if (version != 2) {
                throw in.error(4, "GLB version " + version + "; only glTF 2.0 is supported");
            }
            long length = b.getInt() & 0xffffffffL;
            if (length > in.size()) {
                throw in.error(
                        8, "the header says " + length + " bytes, but the file has " + in.size() + "; it is truncated");
            }
            long chunkStart = in.offset();
            in.ensure(8, "the JSON chunk header");
            long jsonLength = b.getInt() & 0xffffffffL;
            int type = b.getInt();
            if (type != CHUNK_JSON) {
                throw in.error(
                        chunkStart + 4, "the first chunk is not JSON (type 0x" + Integer.toHexString(type) + ")");
            }
            if (jsonLength > length - in.offset()) {
                throw in.error(
                        chunkStart,
                        "the JSON chunk claims " + jsonLength + " bytes, beyond the end of the file (" + length
                                + " bytes)");
            }
            byte[] text = in.readBytes((int) jsonLength, "the JSON chunk");
            try {
                json = Json.parse(new String(text, StandardCharsets.UTF_8));
            } catch (Json.SyntaxException e) {
                throw MeshFormatException.inFile(file, "malformed JSON chunk: " + e.getMessage());
            }
            // Chunks are 4-byte aligned; the next one, if any, is BIN.
            long next = (in.offset() + 3) & ~3L;
            if (next + 8 <= length) {
                in.seek(next);
                in.ensure(8, "the BIN chunk header");
                long binLength = b.getInt() & 0xffffffffL;
                int binType = b.getInt();
                if (binType == CHUNK_BIN) {
                    if (binLength > length - in.offset()) {
                        throw in.error(
                                next,
                                "the BIN chunk claims " + binLength + " bytes, beyond the end of the file (" + length
                                        + " bytes)");
                    }
                    if (binLength > Integer.MAX_VALUE) {
                        throw in.error(next, "a BIN chunk larger than 2 GiB is not supported");
                    }
                    bin = in.channel()
                            .map(FileChannel.MapMode.READ_ONLY, in.offset(), binLength)
                            .order(ByteOrder.LITTLE_ENDIAN);
                }
            }
        }
        return new Scene(path, json, bin).read();
    }

    /** Walks the glTF JSON and gathers the triangles. */
    private static final class Scene {
        private final Path path;
        private final String file;
        private final Map<String, Object> root;
        private final ByteBuffer bin;
        private final List<ByteBuffer> buffers = new ArrayList<>();
        private final FloatList pos = new FloatList(3 * 1024);
        private final FloatList nrm = new FloatList(3 * 1024);
        private final FloatList col = new FloatList(3 * 1024);
        private final IntList tris = new IntList(3 * 1024);
        private boolean allNormals = true;
        private boolean anyColors;
        private long maxElements; // bound on accessor counts without a buffer view

        @SuppressWarnings("unchecked")
        Scene(Path path, Object json, ByteBuffer bin) throws MeshFormatException {
            this.path = path;
            this.file = path.toString();
            if (!(json instanceof Map)) {
                throw MeshFormatException.inFile(file, "the JSON chunk is not an object");
            }
            this.root = (Map<String, Object>) json;
            this.bin = bin;
        }

        private MeshFormatException error(String what) {
            return MeshFormatException.inFile(file, what);
        }

        TriangleMesh read() throws IOException {
            for (Object ext : list(root, "extensionsRequired", "extensionsRequired")) {
                if (UNSUPPORTED.contains(ext)) {
                    throw error("the file requires " + ext + ", which this reader does not decode; write the file"
                            + " without compression (e.g. gltf-transform copy) and read it again");
                }
            }
            Map<String, Object> asset = object(root.get("asset"), "asset");
            Object version = asset.get("version");
            if (version instanceof String v && !v.startsWith("2.")) {
                throw error("asset.version is " + v + "; only glTF 2.0 is supported");
            }
            loadBuffers();
            List<Object> nodes = list(root, "nodes", "nodes");
            List<Integer> roots = new ArrayList<>();
            List<Object> scenes = list(root, "scenes", "scenes");
            if (root.get("scene") != null || !scenes.isEmpty()) {
                int s = root.get("scene") != null ? index(root.get("scene"), scenes.size(), "scene") : 0;
                Map<String, Object> scene = object(scenes.get(s), "scenes[" + s + "]");
                for (Object n : list(scene, "nodes", "scenes[" + s + "].nodes")) {
                    roots.add(index(n, nodes.size(), "scenes[" + s + "].nodes"));
                }
            } else {
                boolean[] child = new boolean[nodes.size()];
                for (int n = 0; n < nodes.size(); n++) {
                    for (Object c : list(object(nodes.get(n), "nodes[" + n + "]"), "children", "children")) {
                        child[index(c, nodes.size(), "nodes[" + n + "].children")] = true;
                    }
                }
                for (int n = 0; n < nodes.size(); n++) {
                    if (!child[n]) {
                        roots.add(n);
                    }
                }
            }
            boolean[] onPath = new boolean[nodes.size()];
            for (int r : roots) {
                visit(nodes, r, Matrix4.IDENTITY, onPath, 0);
            }
            float[] colors = null;
            if (anyColors) {
                colors = col.toArray();
            }
            float[] normals = allNormals && pos.size() > 0 ? nrm.toArray() : null;
            return TriangleMesh.adopt(pos.toArray(), tris.toArray(), normals, colors);
        }

        private void loadBuffers() throws IOException {
            List<Object> list = list(root, "buffers", "buffers");
            long total = 0;
            for (int i = 0; i < list.size(); i++) {
                Map<String, Object> b = object(list.get(i), "buffers[" + i + "]");
                long byteLength = integer(b, "byteLength", -1, "buffers[" + i + "]");
                Object uri = b.get("uri");
                ByteBuffer data;
                if (uri == null) {
                    if (i != 0 || bin == null) {
                        throw error("buffers[" + i + "] has no uri and the file has no BIN chunk for it");
                    }
                    data = bin;
                } else if (uri instanceof String u && u.startsWith("data:")) {
                    int comma = u.indexOf(',');
                    if (comma < 0 || !u.substring(0, comma).endsWith(";base64")) {
                        throw error("buffers[" + i + "].uri is a data URI that is not base64");
                    }
                    try {
                        data = ByteBuffer.wrap(Base64.getDecoder().decode(u.substring(comma + 1)));
                    } catch (IllegalArgumentException e) {
                        throw error("buffers[" + i + "].uri holds malformed base64: " + e.getMessage());
                    }
                } else if (uri instanceof String u) {
                    Path p =
                            path.toAbsolutePath().resolveSibling(java.net.URLDecoder.decode(u, StandardCharsets.UTF_8));
                    if (!Files.isRegularFile(p)) {
                        throw error("buffers[" + i + "] refers to '" + u + "', which does not exist next to the file");
                    }
                    if (Files.size(p) > Integer.MAX_VALUE) {
                        throw error("buffers[" + i + "] ('" + u + "') is larger than 2 GiB");
                    }
                    data = ByteBuffer.wrap(Files.readAllBytes(p));
                } else {
                    throw error("buffers[" + i + "].uri is not a string");
                }
                if (data.capacity() < byteLength) {
                    throw error("buffers[" + i + "] claims " + byteLength + " bytes but holds " + data.capacity());
                }
                total += data.capacity();
                buffers.add(data.duplicate().order(ByteOrder.LITTLE_ENDIAN));
            }
            maxElements = total + (1 << 20);
        }

        private void visit(List<Object> nodes, int n, Matrix4 parent, boolean[] onPath, int depth) throws IOException {
            String where = "nodes[" + n + "]";
            if (onPath[n]) {
                throw error(where + " is its own ancestor (a cycle in the node hierarchy)");
            }
            Map<String, Object> node = object(nodes.get(n), where);
            Matrix4 world = parent.times(localTransform(node, where));
            if (node.get("mesh") != null) {
                List<Object> meshes = list(root, "meshes", "meshes");
                int m = index(node.get("mesh"), meshes.size(), where + ".mesh");
                addMesh(object(meshes.get(m), "meshes[" + m + "]"), "meshes[" + m + "]", world);
            }
            onPath[n] = true;
            for (Object c : list(node, "children", where + ".children")) {
                visit(nodes, index(c, nodes.size(), where + ".children"), world, onPath, depth + 1);
            }
            onPath[n] = false;
        }

        private Matrix4 localTransform(Map<String, Object> node, String where) throws MeshFormatException {
            if (node.get("matrix") != null) {
                double[] m = numbers(node.get("matrix"), 16, where + ".matrix");
                return Matrix4.columnMajor(m);
            }
            double[] t = node.get("translation") != null
                    ? numbers(node.get("translation"), 3, where + ".translation")
                    : new double[3];
            double[] r = node.get("rotation") != null
                    ? numbers(node.get("rotation"), 4, where + ".rotation")
                    : new double[] {0, 0, 0, 1};
            double[] s = node.get("scale") != null
                    ? numbers(node.get("scale"), 3, where + ".scale")
                    : new double[] {1, 1, 1};
            return Matrix4.trs(t, r, s);
        }

        private void addMesh(Map<String, Object> mesh, String where, Matrix4 world) throws IOException {
            List<Object> prims = list(mesh, "primitives", where + ".primitives");
            for (int p = 0; p < prims.size(); p++) {
                String pw = where + ".primitives[" + p + "]";
                Map<String, Object> prim = object(prims.get(p), pw);
                int mode = (int) integer(prim, "mode", 4, pw);
                if (mode < 4 || mode > 6) {
                    if (mode < 0 || mode > 6) {
                        throw error(pw + ".mode " + mode + " is not a glTF primitive mode");
                    }
                    continue; // points and lines
                }
                if (prim.get("extensions") instanceof Map<?, ?> ext) {
                    for (Object k : ext.keySet()) {
                        if (UNSUPPORTED.contains(k)) {
                            throw error(pw + " is compressed with " + k + ", which this reader does not decode");
                        }
                    }
                }
                Map<String, Object> attrs = object(prim.get("attributes"), pw + ".attributes");
                if (attrs.get("POSITION") == null) {
                    throw error(pw + " has no POSITION attribute");
                }
                String aw = pw + ".attributes.POSITION";
                float[] p3 = accessor(index(attrs.get("POSITION"), accessorCount(), aw), 3, aw);
                int count = p3.length / 3;
                int base = pos.size() / 3;
                for (int i = 0; i < count; i++) {
                    double[] q = world.apply(p3[3 * i], p3[3 * i + 1], p3[3 * i + 2]);
                    float x = (float) q[0], y = (float) q[1], z = (float) q[2];
                    if (!Float.isFinite(x) || !Float.isFinite(y) || !Float.isFinite(z)) {
                        throw error(aw + ": vertex " + i + " has a non-finite position (" + p3[3 * i] + ", "
                                + p3[3 * i + 1] + ", " + p3[3 * i + 2] + ") after its node transform");
                    }
                    pos.add(x, y, z);
                }
                if (attrs.get("NORMAL") != null && allNormals) {
                    String nw = pw + ".attributes.NORMAL";
                    float[] n3 = accessor(index(attrs.get("NORMAL"), accessorCount(), nw), 3, nw);
                    if (n3.length != p3.length) {
                        throw error(nw + " has " + n3.length / 3 + " elements, POSITION " + count);
                    }
                    Matrix4 normalMatrix = world.normalMatrix();
                    for (int i = 0; i < count; i++) {
                        double[] q = normalMatrix.applyLinear(n3[3 * i], n3[3 * i + 1], n3[3 * i + 2]);
                        double len = Math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2]);
                        if (len > 0 && Double.isFinite(len)) {
                            nrm.add((float) (q[0] / len), (float) (q[1] / len), (float) (q[2] / len));
                        } else {
                            nrm.add(0, 0, 0);
                        }
                    }
                } else {
                    allNormals = false;
                }
                // Colours: white until the first coloured primitive, then per primitive.
                if (attrs.get("COLOR_0") != null) {
                    String cw = pw + ".attributes.COLOR_0";
                    int ci = index(attrs.get("COLOR_0"), accessorCount(), cw);
                    int comps = components(ci, cw);
                    if (comps != 3 && comps != 4) {
                        throw error(cw + " must be VEC3 or VEC4");
                    }
                    float[] c = accessor(ci, comps, cw);
                    if (c.length / comps != count) {
                        throw error(cw + " has " + c.length / comps + " elements, POSITION " + count);
                    }
                    if (!anyColors) {
                        fillWhite(base);
                        anyColors = true;
                    }
                    for (int i = 0; i < count; i++) {
                        col.add(clamp(c[comps * i]), clamp(c[comps * i + 1]), clamp(c[comps * i + 2]));
                    }
                } else {
                    if (anyColors) {
                        for (int i = 0; i < count; i++) {
                            col.add(1, 1, 1);
                        }
                    }
                }
                int[] idx;
                if (prim.get("indices") != null) {
                    String iw = pw + ".indices";
                    idx = indices(index(prim.get("indices"), accessorCount(), iw), count, iw);
                } else {
                    idx = new int[count];
                    for (int i = 0; i < count; i++) {
                        idx[i] = i;
                    }
                }
                boolean flip = world.determinant() < 0;
                addTriangles(idx, mode, base, flip);
            }
        }

        private void fillWhite(int vertices) {
            for (int i = 0; i < vertices; i++) {
                col.add(1, 1, 1);
            }
        }

        private static float clamp(float c) {
            return Float.isNaN(c) ? 0 : Math.max(0, Math.min(1, c));
        }

        private void addTriangles(int[] idx, int mode, int base, boolean flip) {
            switch (mode) {
                case 4 -> {
                    for (int i = 0; i + 2 < idx.length; i += 3) {
                        add(idx[i], idx[i + 1], idx[i + 2], base, flip);
                    }
                }
                case 5 -> {
                    for (int i = 0; i + 2 < idx.length; i++) {
                        if ((i & 1) == 0) {
                            add(idx[i], idx[i + 1], idx[i + 2], base, flip);
                        } else {
                            add(idx[i + 1], idx[i], idx[i + 2], base, flip);
                        }
                    }
                }
                default -> {
                    for (int i = 1; i + 1 < idx.length; i++) {
                        add(idx[0], idx[i], idx[i + 1], base, flip);
                    }
                }
            }
        }

        private void add(int a, int b, int c, int base, boolean flip) {
            if (flip) {
                tris.add(base + a, base + c, base + b);
            } else {
                tris.add(base + a, base + b, base + c);
            }
        }

        private int accessorCount() {
            return list(root, "accessors", "accessors").size();
        }

        private static final int BYTE = 5120, UBYTE = 5121, SHORT = 5122, USHORT = 5123, UINT = 5125;
        private static final int FLOAT = 5126;

        private static int componentSize(int type) {
            return switch (type) {
                case BYTE, UBYTE -> 1;
                case SHORT, USHORT -> 2;
                case UINT, FLOAT -> 4;
                default -> -1;
            };
        }

        private int components(int a, String where) throws MeshFormatException {
            Map<String, Object> acc =
                    object(list(root, "accessors", "accessors").get(a), "accessors[" + a + "]");
            Object type = acc.get("type");
            int n = type == null
                    ? -1
                    : switch (type.toString()) {
                        case "SCALAR" -> 1;
                        case "VEC2" -> 2;
                        case "VEC3" -> 3;
                        case "VEC4" -> 4;
                        case "MAT2" -> 4;
                        case "MAT3" -> 9;
                        case "MAT4" -> 16;
                        default -> -1;
                    };
            if (n < 0) {
                throw error("accessors[" + a + "] (" + where + ") has an unknown type " + type);
            }
            return n;
        }

        /** The accessor's elements as floats (normalised integers mapped to [0, 1] or [-1, 1]). */
        private float[] accessor(int a, int expectComponents, String where) throws MeshFormatException {
            String aw = "accessors[" + a + "] (" + where + ")";
            Map<String, Object> acc =
                    object(list(root, "accessors", "accessors").get(a), "accessors[" + a + "]");
            int comps = components(a, where);
            if (comps != expectComponents) {
                throw error(aw + " has " + comps + " components, expected " + expectComponents);
            }
            int ctype = (int) integer(acc, "componentType", -1, aw);
            int csize = componentSize(ctype);
            if (csize < 0) {
                throw error(aw + " has an unknown componentType " + ctype);
            }
            boolean normalized = Boolean.TRUE.equals(acc.get("normalized"));
            long count = integer(acc, "count", -1, aw);
            if (count < 0) {
                throw error(aw + ".count is negative");
            }
            float[] out;
            if (acc.get("bufferView") != null) {
                ByteBuffer view = view(acc, comps, csize, count, aw);
                int stride = viewStride;
                out = new float[(int) (count * comps)];
                for (int i = 0; i < count; i++) {
                    int at = (int) (i * (long) stride);
                    for (int k = 0; k < comps; k++) {
                        out[i * comps + k] = component(view, at + k * csize, ctype, normalized);
                    }
                }
            } else {
                if (count * comps > maxElements) {
                    throw error(aw + ".count " + count + " is implausible for a file of this size");
                }
                out = new float[(int) (count * comps)];
            }
            if (acc.get("sparse") != null) {
                applySparse(acc, out, comps, ctype, csize, normalized, count, aw);
            }
            return out;
        }

        private void applySparse(
                Map<String, Object> acc,
                float[] out,
                int comps,
                int ctype,
                int csize,
                boolean normalized,
                long count,
                String aw)
                throws MeshFormatException {
            Map<String, Object> sparse = object(acc.get("sparse"), aw + ".sparse");
            long n = integer(sparse, "count", -1, aw + ".sparse");
            if (n < 0 || n > count) {
                throw error(aw + ".sparse.count " + n + " is out of range");
            }
            Map<String, Object> ind = object(sparse.get("indices"), aw + ".sparse.indices");
            Map<String, Object> val = object(sparse.get("values"), aw + ".sparse.values");
            int itype = (int) integer(ind, "componentType", -1, aw + ".sparse.indices");
            int isize = componentSize(itype);
            if (isize < 0 || itype == FLOAT) {
                throw error(aw + ".sparse.indices has an invalid componentType " + itype);
            }
            ByteBuffer iv = sparseView(ind, n * isize, aw + ".sparse.indices");
            ByteBuffer vv = sparseView(val, n * comps * csize, aw + ".sparse.values");
            for (int i = 0; i < n; i++) {
                long target = (long) component(iv, i * isize, itype, false);
                if (target < 0 || target >= count) {
                    throw error(aw + ".sparse index " + target + " out of range (" + count + " elements)");
                }
                for (int k = 0; k < comps; k++) {
                    out[(int) (target * comps + k)] = component(vv, (i * comps + k) * csize, ctype, normalized);
                }
            }
        }

        private ByteBuffer sparseView(Map<String, Object> part, long bytes, String where) throws MeshFormatException {
            int v = index(
                    part.get("bufferView"),
                    list(root, "bufferViews", "bufferViews").size(),
                    where + ".bufferView");
            ByteBuffer view = bufferView(v);
            long off = integer(part, "byteOffset", 0, where);
            if (off < 0 || off + bytes > view.capacity()) {
                throw error(where + " reaches beyond bufferViews[" + v + "]");
            }
            return view.slice((int) off, (int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        private int viewStride;

        /** The bytes of an accessor's elements, checked to lie inside the buffer view; sets {@link #viewStride}. */
        private ByteBuffer view(Map<String, Object> acc, int comps, int csize, long count, String aw)
                throws MeshFormatException {
            List<Object> views = list(root, "bufferViews", "bufferViews");
            int v = index(acc.get("bufferView"), views.size(), aw + ".bufferView");
            Map<String, Object> bv = object(views.get(v), "bufferViews[" + v + "]");
            ByteBuffer view = bufferView(v);
            long elem = (long) comps * csize;
            long stride = integer(bv, "byteStride", elem, "bufferViews[" + v + "]");
            if (stride < elem) {
                throw error("bufferViews[" + v + "].byteStride " + stride + " is smaller than an element of " + aw
                        + " (" + elem + " bytes)");
            }
            long off = integer(acc, "byteOffset", 0, aw);
            long need = count == 0 ? 0 : off + stride * (count - 1) + elem;
            if (off < 0 || need > view.capacity()) {
                throw error(aw + " needs " + need + " bytes of bufferViews[" + v + "], which has " + view.capacity()
                        + "; the count, offset or stride is wrong");
            }
            viewStride = (int) stride;
            return view.slice((int) off, (int) (view.capacity() - off)).order(ByteOrder.LITTLE_ENDIAN);
        }

        private ByteBuffer bufferView(int v) throws MeshFormatException {
            String vw = "bufferViews[" + v + "]";
            Map<String, Object> bv =
                    object(list(root, "bufferViews", "bufferViews").get(v), vw);
            int b = index(bv.get("buffer"), buffers.size(), vw + ".buffer");
            ByteBuffer buf = buffers.get(b);
            long off = integer(bv, "byteOffset", 0, vw);
            long len = integer(bv, "byteLength", -1, vw);
            if (off < 0 || len < 0 || off + len > buf.capacity()) {
                throw error(vw + " (bytes " + off + " to " + (off + len) + ") reaches beyond buffers[" + b + "] ("
                        + buf.capacity() + " bytes)");
            }
            return buf.slice((int) off, (int) len).order(ByteOrder.LITTLE_ENDIAN);
        }

        private static float component(ByteBuffer b, int at, int type, boolean normalized) {
            return switch (type) {
                case BYTE -> normalized ? Math.max(b.get(at) / 127f, -1f) : b.get(at);
                case UBYTE -> normalized ? (b.get(at) & 0xff) / 255f : b.get(at) & 0xff;
                case SHORT -> normalized ? Math.max(b.getShort(at) / 32767f, -1f) : b.getShort(at);
                case USHORT -> normalized ? (b.getShort(at) & 0xffff) / 65535f : b.getShort(at) & 0xffff;
                case UINT -> b.getInt(at) & 0xffffffffL;
                default -> b.getFloat(at);
            };
        }

        private int[] indices(int a, int vertices, String where) throws MeshFormatException {
            String aw = "accessors[" + a + "] (" + where + ")";
            Map<String, Object> acc =
                    object(list(root, "accessors", "accessors").get(a), "accessors[" + a + "]");
            if (components(a, where) != 1) {
                throw error(aw + " must be SCALAR");
            }
            int ctype = (int) integer(acc, "componentType", -1, aw);
            if (ctype != UBYTE && ctype != USHORT && ctype != UINT) {
                throw error(aw + " has componentType " + ctype + "; indices must be u8, u16 or u32");
            }
            long count = integer(acc, "count", -1, aw);
            if (count < 0) {
                throw error(aw + ".count is negative");
            }
            int csize = componentSize(ctype);
            int[] out;
            if (acc.get("bufferView") != null) {
                ByteBuffer view = view(acc, 1, csize, count, aw);
                int stride = viewStride;
                out = new int[(int) count];
                for (int i = 0; i < count; i++) {
                    int at = (int) (i * (long) stride);
                    long v = switch (ctype) {
                        case UBYTE -> view.get(at) & 0xff;
                        case USHORT -> view.getShort(at) & 0xffff;
                        default -> view.getInt(at) & 0xffffffffL;
                    };
                    if (v >= vertices) {
                        throw error(
                                aw + ": index " + v + " (element " + i + ") out of range (" + vertices + " vertices)");
                    }
                    out[i] = (int) v;
                }
            } else {
                if (count > maxElements) {
                    throw error(aw + ".count " + count + " is implausible for a file of this size");
                }
                out = new int[(int) count];
            }
            if (acc.get("sparse") != null) {
                float[] f = new float[out.length];
                for (int i = 0; i < out.length; i++) {
                    f[i] = out[i];
                }
                applySparse(acc, f, 1, ctype, csize, false, count, aw);
                for (int i = 0; i < out.length; i++) {
                    if (f[i] >= vertices) {
                        throw error(aw + ": index " + (long) f[i] + " out of range (" + vertices + " vertices)");
                    }
                    out[i] = (int) f[i];
                }
            }
            return out;
        }

        // --- JSON access with messages naming the JSON path ---

        @SuppressWarnings("unchecked")
        private Map<String, Object> object(Object o, String where) throws MeshFormatException {
            if (!(o instanceof Map)) {
                throw error(where + " is " + (o == null ? "missing" : "not an object"));
            }
            return (Map<String, Object>) o;
        }

        @SuppressWarnings("unchecked")
        private List<Object> list(Map<String, Object> m, String key, String where) {
            Object o = m.get(key);
            return o instanceof List ? (List<Object>) o : List.of();
        }

        private long integer(Map<String, Object> m, String key, long dflt, String where) throws MeshFormatException {
            Object o = m.get(key);
            if (o == null) {
                if (dflt == -1) {
                    throw error(where + "." + key + " is missing");
                }
                return dflt;
            }
            if (!(o instanceof Double d) || d != Math.rint(d) || Math.abs(d) > 1e15) {
                throw error(where + "." + key + " is not an integer (" + o + ")");
            }
            return (long) (double) d;
        }

        private int index(Object o, int size, String where) throws MeshFormatException {
            if (!(o instanceof Double d) || d != Math.rint(d) || d < 0 || d >= size) {
                throw error(where + " refers to " + o + ", out of range (" + size + " entries)");
            }
            return (int) (double) d;
        }

        private double[] numbers(Object o, int n, String where) throws MeshFormatException {
            if (!(o instanceof List<?> l) || l.size() != n) {
                throw error(where + " must be an array of " + n + " numbers");
            }
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                if (!(l.get(i) instanceof Double d) || !Double.isFinite(d)) {
                    throw error(where + "[" + i + "] is not a finite number");
                }
                out[i] = d;
            }
            return out;
        }
    }

    /** A 4×4 affine transform, row-major storage, double precision. */
    record Matrix4(double[] m) {
        static final Matrix4 IDENTITY = new Matrix4(new double[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1});

        /** From glTF's column-major 16 numbers. */
        static Matrix4 columnMajor(double[] c) {
            double[] m = new double[16];
            for (int r = 0; r < 4; r++) {
                for (int k = 0; k < 4; k++) {
                    m[4 * r + k] = c[4 * k + r];
                }
            }
            return new Matrix4(m);
        }

        /** Translation · rotation (unit quaternion x, y, z, w) · scale. */
        static Matrix4 trs(double[] t, double[] q, double[] s) {
            double len = Math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
            double x = 0, y = 0, z = 0, w = 1;
            if (len > 0) {
                x = q[0] / len;
                y = q[1] / len;
                z = q[2] / len;
                w = q[3] / len;
            }
            double[] r = {
                1 - 2 * (y * y + z * z),
                2 * (x * y - z * w),
                2 * (x * z + y * w),
                2 * (x * y + z * w),
                1 - 2 * (x * x + z * z),
                2 * (y * z - x * w),
                2 * (x * z - y * w),
                2 * (y * z + x * w),
                1 - 2 * (x * x + y * y)
            };
            double[] m = new double[16];
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    m[4 * i + j] = r[3 * i + j] * s[j];
                }
                m[4 * i + 3] = t[i];
            }
            m[15] = 1;
            return new Matrix4(m);
        }

        Matrix4 times(Matrix4 o) {
            double[] r = new double[16];
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    double s = 0;
                    for (int k = 0; k < 4; k++) {
                        s += m[4 * i + k] * o.m[4 * k + j];
                    }
                    r[4 * i + j] = s;
                }
            }
            return new Matrix4(r);
        }

        double[] apply(double x, double y, double z) {
            return new double[] {
                m[0] * x + m[1] * y + m[2] * z + m[3],
                m[4] * x + m[5] * y + m[6] * z + m[7],
                m[8] * x + m[9] * y + m[10] * z + m[11]
            };
        }

        double[] applyLinear(double x, double y, double z) {
            return new double[] {
                m[0] * x + m[1] * y + m[2] * z, m[4] * x + m[5] * y + m[6] * z, m[8] * x + m[9] * y + m[10] * z
            };
        }

        double determinant() {
            return m[0] * (m[5] * m[10] - m[6] * m[9])
                    - m[1] * (m[4] * m[10] - m[6] * m[8])
                    + m[2] * (m[4] * m[9] - m[5] * m[8]);
        }

        /** The inverse transpose of the linear part (as cofactors; the scale does not matter, normals are renormalised). */
        Matrix4 normalMatrix() {
            double[] c = new double[16];
            c[0] = m[5] * m[10] - m[6] * m[9];
            c[1] = m[6] * m[8] - m[4] * m[10];
            c[2] = m[4] * m[9] - m[5] * m[8];
            c[4] = m[2] * m[9] - m[1] * m[10];
            c[5] = m[0] * m[10] - m[2] * m[8];
            c[6] = m[1] * m[8] - m[0] * m[9];
            c[8] = m[1] * m[6] - m[2] * m[5];
            c[9] = m[2] * m[4] - m[0] * m[6];
            c[10] = m[0] * m[5] - m[1] * m[4];
            c[15] = 1;
            if (determinant() < 0) {
                for (int i = 0; i < 11; i++) {
                    c[i] = -c[i];
                }
            }
            return new Matrix4(c);
        }
    }
}
