package dev.tessera.geometry.io;

import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Meshes and files for the IO tests. */
final class Fixtures {
    private Fixtures() {}

    /** The unit cube [0,1]³ corners, in the order used by the hand-written files. */
    static final float[] CUBE_POSITIONS = {0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1};

    /** The cube's six faces as outward counter-clockwise quads. */
    static final int[][] CUBE_QUADS = {
        {0, 3, 2, 1}, // z = 0
        {4, 5, 6, 7}, // z = 1
        {0, 1, 5, 4}, // y = 0
        {2, 3, 7, 6}, // y = 1
        {1, 2, 6, 5}, // x = 1
        {0, 4, 7, 3} // x = 0
    };

    /** The cube as 12 outward triangles (each quad split along its first diagonal). */
    static TriangleMesh cube() {
        int[] t = new int[36];
        int k = 0;
        for (int[] q : CUBE_QUADS) {
            t[k++] = q[0];
            t[k++] = q[1];
            t[k++] = q[2];
            t[k++] = q[0];
            t[k++] = q[2];
            t[k++] = q[3];
        }
        return new TriangleMesh(CUBE_POSITIONS, t);
    }

    /**
     * A random mesh with normals and colours whose every vertex is used and whose vertices appear in the order of
     * first use by the triangles (so an STL round trip, which welds, gives the same arrays).
     */
    static TriangleMesh random(long seed, int vertices, int triangles) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = new float[3 * vertices];
        float[] n = new float[3 * vertices];
        float[] c = new float[3 * vertices];
        for (int i = 0; i < vertices; i++) {
            double nx = r.nextDouble(-1, 1), ny = r.nextDouble(-1, 1), nz = r.nextDouble(-1, 1);
            double len = Math.sqrt(nx * nx + ny * ny + nz * nz);
            for (int k = 0; k < 3; k++) {
                p[3 * i + k] = (float) (r.nextDouble(-10, 10) * Math.pow(10, r.nextInt(-6, 4)));
                c[3 * i + k] = r.nextInt(256) / 255f;
            }
            n[3 * i] = (float) (nx / len);
            n[3 * i + 1] = (float) (ny / len);
            n[3 * i + 2] = (float) (nz / len);
        }
        int[] t = new int[3 * triangles];
        int next = 0;
        for (int f = 0; f < triangles; f++) {
            for (int k = 0; k < 3; k++) {
                int v;
                do {
                    v = next < vertices && (r.nextInt(3) == 0 || next < 3) ? next++ : r.nextInt(Math.max(next, 1));
                } while (k > 0 && (v == t[3 * f] || (k == 2 && v == t[3 * f + 1])));
                t[3 * f + k] = v;
            }
        }
        // make every vertex used: append triangles over the unused ones
        int extra = vertices - next;
        if (extra > 0) {
            int[] t2 = new int[t.length + 3 * extra];
            System.arraycopy(t, 0, t2, 0, t.length);
            for (int i = 0; i < extra; i++) {
                t2[t.length + 3 * i] = 0;
                t2[t.length + 3 * i + 1] = 1;
                t2[t.length + 3 * i + 2] = next + i;
            }
            t = t2;
        }
        return new TriangleMesh(p, t, n, c);
    }

    static Path write(Path dir, String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.US_ASCII);
        return p;
    }

    static Path write(Path dir, String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** A GLB file from a JSON text and a BIN chunk (padded here). */
    static byte[] glb(String json, byte[] bin) {
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        int jp = (j.length + 3) & ~3;
        int bp = bin == null ? 0 : (bin.length + 3) & ~3;
        int total = 12 + 8 + jp + (bin == null ? 0 : 8 + bp);
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x46546C67).putInt(2).putInt(total);
        b.putInt(jp).putInt(0x4E4F534A).put(j);
        for (int i = j.length; i < jp; i++) {
            b.put((byte) ' ');
        }
        if (bin != null) {
            b.putInt(bp).putInt(0x004E4942).put(bin);
        }
        return b.array();
    }

    /** Little-endian bytes of floats. */
    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
