package dev.tessera.geometry.io;

import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes glTF 2.0 binary ({@code .glb}): one scene, one node, one mesh with one indexed triangle primitive.
 *
 * <p>The BIN chunk holds {@code POSITION} ({@code VEC3} float, with the {@code min}/{@code max} the specification
 * requires), {@code NORMAL} when the mesh has normals, {@code COLOR_0} ({@code VEC3} float, linear RGB) when it has
 * colours, and {@code u32} indices, each in its own 4-byte aligned buffer view. The JSON chunk is padded with spaces
 * and the BIN chunk with zeros to 4 bytes, as the specification requires. A mesh without triangles is written as a
 * {@code POINTS} primitive (mode 0), which {@link GlbReader} skips; an empty mesh as a scene without nodes. The file
 * is replaced atomically. O(V + F).
 */
public final class GlbWriter {
    private GlbWriter() {}

    /** Writes {@code mesh} to {@code path} as GLB. */
    public static void write(Path path, TriangleMesh mesh) throws IOException {
        float[] p = mesh.positions();
        int[] t = mesh.triangles();
        float[] n = mesh.normals();
        float[] c = mesh.colors();
        int v = mesh.vertexCount();
        long binLength = 4L * (p.length + (n != null ? n.length : 0) + (c != null ? c.length : 0) + t.length);
        if (binLength > Integer.MAX_VALUE - 1024) {
            throw new IOException(path + ": the mesh needs " + binLength + " bytes, beyond GLB's 4 GiB limit");
        }
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> asset = new LinkedHashMap<>(); // ordered: the same mesh gives the same bytes in every run
        asset.put("version", "2.0");
        asset.put("generator", "Tessera");
        root.put("asset", asset);
        List<Map<String, Object>> views = new ArrayList<>();
        List<Map<String, Object>> accessors = new ArrayList<>();
        Map<String, Object> attributes = new LinkedHashMap<>();
        long offset = 0;
        if (v > 0) {
            float[] min = {Float.MAX_VALUE, Float.MAX_VALUE, Float.MAX_VALUE};
            float[] max = {-Float.MAX_VALUE, -Float.MAX_VALUE, -Float.MAX_VALUE};
            for (int i = 0; i < p.length; i++) {
                min[i % 3] = Math.min(min[i % 3], p[i]);
                max[i % 3] = Math.max(max[i % 3], p[i]);
            }
            offset = addView(views, accessors, offset, 4L * p.length, 34962, v, 5126, "VEC3");
            accessors.getLast().put("min", List.of(min[0], min[1], min[2]));
            accessors.getLast().put("max", List.of(max[0], max[1], max[2]));
            attributes.put("POSITION", accessors.size() - 1);
            if (n != null) {
                offset = addView(views, accessors, offset, 4L * n.length, 34962, v, 5126, "VEC3");
                attributes.put("NORMAL", accessors.size() - 1);
            }
            if (c != null) {
                offset = addView(views, accessors, offset, 4L * c.length, 34962, v, 5126, "VEC3");
                attributes.put("COLOR_0", accessors.size() - 1);
            }
            Map<String, Object> primitive = new LinkedHashMap<>();
            primitive.put("attributes", attributes);
            if (t.length > 0) {
                offset = addView(views, accessors, offset, 4L * t.length, 34963, t.length, 5125, "SCALAR");
                primitive.put("indices", accessors.size() - 1);
                primitive.put("mode", 4);
            } else {
                primitive.put("mode", 0);
            }
            root.put("scene", 0);
            root.put("scenes", List.of(Map.of("nodes", List.of(0))));
            root.put("nodes", List.of(Map.of("mesh", 0)));
            root.put("meshes", List.of(Map.of("primitives", List.of(primitive))));
            root.put("buffers", List.of(Map.of("byteLength", offset)));
            root.put("bufferViews", views);
            root.put("accessors", accessors);
        } else {
            root.put("scene", 0);
            root.put("scenes", List.of(Map.of()));
        }
        byte[] json = Json.write(root).getBytes(StandardCharsets.UTF_8);
        int jsonPadded = (json.length + 3) & ~3;
        long binBytes = offset; // every view is a multiple of 4 bytes already
        long total = 12 + 8 + jsonPadded + (binBytes > 0 ? 8 + binBytes : 0);
        AtomicFile.write(path, (AtomicFile.StreamContent) out -> {
            BinaryOutput o = new BinaryOutput(out, ByteOrder.LITTLE_ENDIAN);
            o.putInt(GlbReader.MAGIC).putInt(2).putInt((int) total);
            o.putInt(jsonPadded).putInt(GlbReader.CHUNK_JSON);
            o.put(json);
            for (int i = json.length; i < jsonPadded; i++) {
                o.put((byte) ' ');
            }
            if (binBytes > 0) {
                o.putInt((int) binBytes).putInt(GlbReader.CHUNK_BIN);
                for (float x : p) {
                    o.putFloat(x);
                }
                if (n != null) {
                    for (float x : n) {
                        o.putFloat(x);
                    }
                }
                if (c != null) {
                    for (float x : c) {
                        o.putFloat(x);
                    }
                }
                for (int x : t) {
                    o.putInt(x);
                }
            }
            o.flush();
        });
    }

    private static long addView(
            List<Map<String, Object>> views,
            List<Map<String, Object>> accessors,
            long offset,
            long length,
            int target,
            int count,
            int componentType,
            String type) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("buffer", 0);
        view.put("byteOffset", offset);
        view.put("byteLength", length);
        view.put("target", target);
        views.add(view);
        Map<String, Object> acc = new LinkedHashMap<>();
        acc.put("bufferView", views.size() - 1);
        acc.put("componentType", componentType);
        acc.put("count", count);
        acc.put("type", type);
        accessors.add(acc);
        return offset + length;
    }
}
