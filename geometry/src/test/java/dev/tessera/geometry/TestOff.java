package dev.tessera.geometry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A minimal OFF reader for tests and benchmarks of this branch (triangles and convex polygons fanned). */
final class TestOff {
    private TestOff() {}

    static TriangleMesh read(Path path) {
        try {
            String[] tok =
                    Files.readString(path).replaceAll("#[^\n]*", " ").trim().split("\\s+");
            int i = 0;
            if (tok[i].equals("OFF")) {
                i++;
            }
            int nv = Integer.parseInt(tok[i++]), nf = Integer.parseInt(tok[i++]);
            i++;
            float[] p = new float[3 * nv];
            for (int v = 0; v < 3 * nv; v++) {
                p[v] = Float.parseFloat(tok[i++]);
            }
            int[] t = new int[0];
            java.util.ArrayList<Integer> tri = new java.util.ArrayList<>();
            for (int f = 0; f < nf; f++) {
                int k = Integer.parseInt(tok[i++]);
                int[] c = new int[k];
                for (int j = 0; j < k; j++) {
                    c[j] = Integer.parseInt(tok[i++]);
                }
                for (int j = 1; j + 1 < k; j++) {
                    tri.add(c[0]);
                    tri.add(c[j]);
                    tri.add(c[j + 1]);
                }
                // skip optional colour values up to the next face line is not supported: test files have none
            }
            t = tri.stream().mapToInt(Integer::intValue).toArray();
            return new TriangleMesh(p, t);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TriangleMesh mesh(String name) {
        return read(TestMeshes.mesh(name));
    }
}
