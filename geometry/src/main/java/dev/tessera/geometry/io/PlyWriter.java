package dev.tessera.geometry.io;

import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes PLY: binary little endian by default, or ASCII or binary big endian. Elements: {@code vertex} with
 * {@code float x y z}, {@code float nx ny nz} when the mesh has normals and {@code uchar red green blue} when it has
 * colours (rounded to 8 bits, the convention every viewer reads); {@code face} with {@code list uchar int
 * vertex_indices}. Positions and normals round-trip bit for bit through {@link PlyReader} (ASCII uses the shortest
 * exact decimals); colours to within 1/510. The file is replaced atomically. O(V + F).
 */
public final class PlyWriter {
    private PlyWriter() {}

    /** The body encoding of a PLY file. */
    public enum Encoding {
        /** Text. */
        ASCII("ascii"),
        /** Binary, little endian (what x86 and ARM use; the default). */
        BINARY_LITTLE_ENDIAN("binary_little_endian"),
        /** Binary, big endian. */
        BINARY_BIG_ENDIAN("binary_big_endian");

        private final String header;

        Encoding(String header) {
            this.header = header;
        }

        /** The name in the PLY {@code format} line. */
        public String header() {
            return header;
        }
    }

    /** Writes {@code mesh} to {@code path} as binary little-endian PLY. */
    public static void write(Path path, TriangleMesh mesh) throws IOException {
        write(path, mesh, Encoding.BINARY_LITTLE_ENDIAN);
    }

    /** Writes {@code mesh} to {@code path} as PLY in the given encoding. */
    public static void write(Path path, TriangleMesh mesh, Encoding encoding) throws IOException {
        float[] p = mesh.positions();
        int[] t = mesh.triangles();
        float[] n = mesh.normals();
        float[] c = mesh.colors();
        StringBuilder h = new StringBuilder();
        h.append("ply\nformat ").append(encoding.header()).append(" 1.0\n");
        h.append("comment written by Tessera\n");
        h.append("element vertex ").append(mesh.vertexCount()).append('\n');
        h.append("property float x\nproperty float y\nproperty float z\n");
        if (n != null) {
            h.append("property float nx\nproperty float ny\nproperty float nz\n");
        }
        if (c != null) {
            h.append("property uchar red\nproperty uchar green\nproperty uchar blue\n");
        }
        h.append("element face ").append(mesh.triangleCount()).append('\n');
        h.append("property list uchar int vertex_indices\nend_header\n");
        byte[] header = h.toString().getBytes(StandardCharsets.US_ASCII);
        AtomicFile.write(path, (AtomicFile.StreamContent) out -> {
            if (encoding == Encoding.ASCII) {
                out.write(header);
                TextOutput o = new TextOutput(out);
                for (int i = 0; i < p.length; i += 3) {
                    o.xyz(p, i);
                    if (n != null) {
                        o.space().xyz(n, i);
                    }
                    if (c != null) {
                        o.space().rgb255(c, i);
                    }
                    o.newline();
                }
                o.faceLines(t);
                o.flush();
                return;
            }
            BinaryOutput o = new BinaryOutput(
                    out, encoding == Encoding.BINARY_LITTLE_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
            o.put(header);
            for (int i = 0; i < p.length; i += 3) {
                o.putFloat(p[i]).putFloat(p[i + 1]).putFloat(p[i + 2]);
                if (n != null) {
                    o.putFloat(n[i]).putFloat(n[i + 1]).putFloat(n[i + 2]);
                }
                if (c != null) {
                    o.put((byte) TextOutput.colorByte(c[i]))
                            .put((byte) TextOutput.colorByte(c[i + 1]))
                            .put((byte) TextOutput.colorByte(c[i + 2]));
                }
            }
            for (int i = 0; i < t.length; i += 3) {
                o.put((byte) 3).putInt(t[i]).putInt(t[i + 1]).putInt(t[i + 2]);
            }
            o.flush();
        });
    }
}
