package dev.tessera.geometry.io;

import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes Object File Format: {@code OFF}, or {@code NOFF}/{@code COFF}/{@code CNOFF} when the mesh has normals
 * and/or colours (per vertex: {@code x y z [nx ny nz] [r g b a]}, colours as integers 0-255, the form every OFF
 * reader accepts), then one {@code 3 a b c} line per triangle. Coordinates use the shortest exact decimals, so
 * positions round-trip exactly through {@link OffReader}; colours to within 1/510.
 * The file is replaced atomically. O(V + F).
 */
public final class OffWriter {
    private OffWriter() {}

    /** Writes {@code mesh} to {@code path} as OFF. */
    public static void write(Path path, TriangleMesh mesh) throws IOException {
        float[] p = mesh.positions();
        int[] t = mesh.triangles();
        float[] n = mesh.normals();
        float[] c = mesh.colors();
        AtomicFile.write(path, (AtomicFile.StreamContent) out -> {
            TextOutput o = new TextOutput(out);
            o.text((c != null ? "C" : "") + (n != null ? "N" : "") + "OFF").newline();
            o.num(mesh.vertexCount())
                    .space()
                    .num(mesh.triangleCount())
                    .text(" 0")
                    .newline();
            for (int i = 0; i < p.length; i += 3) {
                o.xyz(p, i);
                if (n != null) {
                    o.space().xyz(n, i);
                }
                if (c != null) {
                    // 0-255 integers: Open3D reads floats as 0-255 too
                    o.space().rgb255(c, i).text(" 255");
                }
                o.newline();
            }
            o.faceLines(t);
            o.flush();
        });
    }
}
