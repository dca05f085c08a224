package dev.tessera.geometry.io;

import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes Wavefront OBJ: {@code v x y z} (with {@code r g b} in 0-1 when the mesh has colours, the MeshLab
 * convention), {@code vn} when it has normals, and triangles {@code f a b c} ({@code f a//a b//b c//c} with
 * normals), 1-based. Coordinates are written in the shortest decimal form that reads back to the same float, so a
 * round trip through {@link ObjReader} is exact. The file is replaced atomically. O(V + F).
 */
public final class ObjWriter {
    private ObjWriter() {}

    /** Writes {@code mesh} to {@code path} as OBJ. */
    public static void write(Path path, TriangleMesh mesh) throws IOException {
        float[] p = mesh.positions();
        int[] t = mesh.triangles();
        float[] n = mesh.normals();
        float[] c = mesh.colors();
        AtomicFile.write(path, (AtomicFile.StreamContent) out -> {
            TextOutput o = new TextOutput(out);
            o.text("# written by Tessera: " + mesh.vertexCount() + " vertices, " + mesh.triangleCount() + " triangles")
                    .newline();
            for (int i = 0; i < p.length; i += 3) {
                o.text("v ").xyz(p, i);
                if (c != null) {
                    o.space().xyz(c, i);
                }
                o.newline();
            }
            if (n != null) {
                for (int i = 0; i < n.length; i += 3) {
                    o.text("vn ").xyz(n, i).newline();
                }
            }
            for (int i = 0; i < t.length; i += 3) {
                o.text("f");
                for (int k = 0; k < 3; k++) {
                    long v = t[i + k] + 1L;
                    o.space().num(v);
                    if (n != null) {
                        o.text("//").num(v);
                    }
                }
                o.newline();
            }
            o.flush();
        });
    }
}
