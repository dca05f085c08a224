package dev.tessera.geometry.io;

import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes STL, binary (the default) or ASCII. STL has no shared vertices, normals per vertex or colours: each triangle
 * is written with its three corner positions and its unit face normal (zero for a degenerate triangle), so normals
 * and colours are lost and {@link StlReader} rebuilds the sharing by exact welding (which also merges distinct
 * vertices at identical positions). The binary header never starts with {@code solid}. The file is replaced
 * atomically. O(F).
 */
public final class StlWriter {
    private StlWriter() {}

    /** Writes {@code mesh} to {@code path} as binary STL. */
    public static void write(Path path, TriangleMesh mesh) throws IOException {
        writeBinary(path, mesh);
    }

    /** Writes {@code mesh} to {@code path} as binary STL (little endian, 50 bytes per triangle). */
    public static void writeBinary(Path path, TriangleMesh mesh) throws IOException {
        float[] p = mesh.positions();
        int[] t = mesh.triangles();
        float[] fn = mesh.faceNormals();
        AtomicFile.write(path, (AtomicFile.StreamContent) out -> {
            BinaryOutput o = new BinaryOutput(out, ByteOrder.LITTLE_ENDIAN);
            byte[] header = new byte[80];
            Arrays.fill(header, (byte) ' ');
            byte[] name = "binary STL written by Tessera".getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(name, 0, header, 0, name.length);
            o.put(header);
            o.putInt(t.length / 3);
            for (int f = 0; f < t.length / 3; f++) {
                o.putFloat(fn[3 * f]).putFloat(fn[3 * f + 1]).putFloat(fn[3 * f + 2]);
                for (int k = 0; k < 3; k++) {
                    int v = 3 * t[3 * f + k];
                    o.putFloat(p[v]).putFloat(p[v + 1]).putFloat(p[v + 2]);
                }
                o.putShort((short) 0);
            }
            o.flush();
        });
    }

    /** Writes {@code mesh} to {@code path} as ASCII STL (one solid named {@code tessera}). */
    public static void writeAscii(Path path, TriangleMesh mesh) throws IOException {
        float[] p = mesh.positions();
        int[] t = mesh.triangles();
        float[] fn = mesh.faceNormals();
        AtomicFile.write(path, (AtomicFile.StreamContent) out -> {
            TextOutput o = new TextOutput(out);
            o.text("solid tessera").newline();
            for (int f = 0; f < t.length / 3; f++) {
                o.text("  facet normal ")
                        .num(fn[3 * f])
                        .space()
                        .num(fn[3 * f + 1])
                        .space()
                        .num(fn[3 * f + 2]);
                o.newline().text("    outer loop").newline();
                for (int k = 0; k < 3; k++) {
                    int v = 3 * t[3 * f + k];
                    o.text("      vertex ")
                            .num(p[v])
                            .space()
                            .num(p[v + 1])
                            .space()
                            .num(p[v + 2])
                            .newline();
                }
                o.text("    endloop").newline().text("  endfacet").newline();
            }
            o.text("endsolid tessera").newline();
            o.flush();
        });
    }
}
