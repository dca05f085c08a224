package dev.tessera.geometry.io;

import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes Object File Format: {@code OFF}, or {@code NOFF}/{@code COFF}/{@code CNOFF} when the mesh has normals
 * and/or colours (per vertex: {@code x y z [nx ny nz] [r g b a]}, colours as floats in 0-1), then one
 * {@code 3 a b c} line per triangle. Shortest exact decimals, so a round trip through {@link OffReader} is exact.
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
                o.num(p[i]).space().num(p[i + 1]).space().num(p[i + 2]);
                if (n != null) {
                    o.space().num(n[i]).space().num(n[i + 1]).space().num(n[i + 2]);
                }
                if (c != null) {
                    // a decimal point marks 0-1 floats for readers that also accept 0-255 integers
                    o.space()
                            .text(Float.toString(c[i]))
                            .space()
                            .text(Float.toString(c[i + 1]))
                            .space();
                    o.text(Float.toString(c[i + 2])).text(" 1.0");
                }
                o.newline();
            }
            for (int i = 0; i < t.length; i += 3) {
                o.text("3 ")
                        .num(t[i])
                        .space()
                        .num(t[i + 1])
                        .space()
                        .num(t[i + 2])
                        .newline();
            }
            o.flush();
        });
    }
}
