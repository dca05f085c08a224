package dev.tessera.geometry;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Sharp edge sampling (SES) of Dora (Chen et al. 2024, arXiv:2412.17808): points drawn on the edges where the
 * surface folds, so that a VAE trained on them keeps creases and corners that uniform surface samples miss.
 *
 * <p><b>Sharp edges.</b> An edge shared by exactly two triangles is sharp when the angle between their unit normals
 * (the dihedral angle's supplement: 0° for a flat fold) is larger than a threshold, {@value #DEFAULT_ANGLE_DEG}° by
 * default. Vertices at the same position are treated as one, so triangle soups (STL) work too. Boundary edges (one
 * triangle), non-manifold edges (three or more) and edges of zero-area triangles are never sharp. The normals are
 * taken as the mesh orients them: an inconsistently oriented mesh shows false sharp edges (near 180°).
 *
 * <p><b>Sampling.</b> Each point picks a sharp edge with probability proportional to its length, then a uniform
 * position along it, and carries the normalised mean of the edge's two face normals (the first face's normal when
 * they cancel). A mesh without sharp edges gives an empty sample, not an error. Seeded and chunked as
 * {@link SurfaceSampler}: the result depends only on the mesh, {@code n}, the angle and the seed.
 *
 * <p>Cost {@code O(F)} expected to find the edges (hashing), {@code O(n)} to sample.
 */
public final class SharpEdgeSampler {
    /** The default threshold on the angle between face normals, degrees. */
    public static final double DEFAULT_ANGLE_DEG = 15;

    private SharpEdgeSampler() {}

    /** The sharp edges at the default threshold of {@value #DEFAULT_ANGLE_DEG}°. */
    public static SharpEdges sharpEdges(TriangleMesh mesh) {
        return sharpEdges(mesh, DEFAULT_ANGLE_DEG);
    }

    /**
     * The edges whose two faces' normals differ by more than {@code angleDeg} degrees, in the order they are first
     * met walking the triangles.
     *
     * @throws IllegalArgumentException when {@code angleDeg} is not in {@code [0, 180)}
     */
    public static SharpEdges sharpEdges(TriangleMesh mesh, double angleDeg) {
        if (!(angleDeg >= 0 && angleDeg < 180)) {
            throw new IllegalArgumentException(
                    "sharp edges: angle threshold must be in [0, 180) degrees, got " + angleDeg);
        }
        float[] pos = mesh.positions();
        int[] tri = mesh.triangles();
        int f = tri.length / 3;
        int[] weld = weld(pos);
        float[] fn = mesh.faceNormals();
        // Undirected edges in an open-addressing table keyed by their welded endpoints.
        int cap = Integer.highestOneBit(Math.max(4, 6 * f)) << 1;
        long[] keys = new long[cap];
        Arrays.fill(keys, -1L);
        int[] slotEdge = new int[cap];
        int[] edgeFace0 = new int[3 * f], edgeFace1 = new int[3 * f], edgeCount = new int[3 * f];
        int[] edgeA = new int[3 * f], edgeB = new int[3 * f];
        int edges = 0;
        for (int t = 0; t < f; t++) {
            for (int k = 0; k < 3; k++) {
                int a = tri[3 * t + k], b = tri[3 * t + (k + 1) % 3];
                int wa = weld[a], wb = weld[b];
                if (wa == wb) {
                    continue;
                }
                long key = ((long) Math.min(wa, wb) << 32) | Math.max(wa, wb);
                int h = (int) (mix(key) & (cap - 1));
                while (keys[h] != -1L && keys[h] != key) {
                    h = (h + 1) & (cap - 1);
                }
                if (keys[h] == -1L) {
                    keys[h] = key;
                    slotEdge[h] = edges;
                    edgeA[edges] = a;
                    edgeB[edges] = b;
                    edgeFace0[edges] = t;
                    edgeCount[edges++] = 1;
                } else {
                    int e = slotEdge[h];
                    if (edgeCount[e]++ == 1) {
                        edgeFace1[e] = t;
                    }
                }
            }
        }
        int[] sharp = new int[edges];
        int ns = 0;
        float[] angle = new float[edges];
        for (int e = 0; e < edges; e++) {
            if (edgeCount[e] != 2) {
                continue;
            }
            int t0 = edgeFace0[e], t1 = edgeFace1[e];
            double dot = (double) fn[3 * t0] * fn[3 * t1]
                    + (double) fn[3 * t0 + 1] * fn[3 * t1 + 1]
                    + (double) fn[3 * t0 + 2] * fn[3 * t1 + 2];
            if (isZero(fn, t0) || isZero(fn, t1)) {
                continue;
            }
            double deg = Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, dot))));
            if (deg > angleDeg) {
                angle[ns] = (float) deg;
                sharp[ns++] = e;
            }
        }
        float[] p = new float[6 * ns], normals = new float[3 * ns], angles = Arrays.copyOf(angle, ns);
        int[] v = new int[2 * ns], faces = new int[2 * ns];
        for (int i = 0; i < ns; i++) {
            int e = sharp[i], a = edgeA[e], b = edgeB[e], t0 = edgeFace0[e], t1 = edgeFace1[e];
            v[2 * i] = a;
            v[2 * i + 1] = b;
            faces[2 * i] = t0;
            faces[2 * i + 1] = t1;
            System.arraycopy(pos, 3 * a, p, 6 * i, 3);
            System.arraycopy(pos, 3 * b, p, 6 * i + 3, 3);
            double nx = fn[3 * t0] + fn[3 * t1], ny = fn[3 * t0 + 1] + fn[3 * t1 + 1];
            double nz = fn[3 * t0 + 2] + fn[3 * t1 + 2];
            double len = Math.sqrt(nx * nx + ny * ny + nz * nz);
            if (len < 1e-6) {
                nx = fn[3 * t0];
                ny = fn[3 * t0 + 1];
                nz = fn[3 * t0 + 2];
                len = 1;
            }
            normals[3 * i] = (float) (nx / len);
            normals[3 * i + 1] = (float) (ny / len);
            normals[3 * i + 2] = (float) (nz / len);
        }
        return new SharpEdges(p, v, faces, angles, normals);
    }

    /** {@code n} points on the sharp edges at the default threshold of {@value #DEFAULT_ANGLE_DEG}°. */
    public static SharpEdgeSamples sample(TriangleMesh mesh, int n, long seed) {
        return sample(mesh, n, DEFAULT_ANGLE_DEG, seed);
    }

    /**
     * {@code n} points on the edges sharper than {@code angleDeg} degrees, uniform by length; empty when there are
     * none.
     *
     * @throws IllegalArgumentException when {@code n < 1} or the angle is not in {@code [0, 180)}
     */
    public static SharpEdgeSamples sample(TriangleMesh mesh, int n, double angleDeg, long seed) {
        checkCount(n);
        return sample(sharpEdges(mesh, angleDeg), n, seed);
    }

    /** {@code n} points on given sharp edges, uniform by length; empty when there are no edges. */
    public static SharpEdgeSamples sample(SharpEdges edges, int n, long seed) {
        checkCount(n);
        double[] len = new double[edges.size()];
        Arrays.setAll(len, edges::length);
        AliasTable table = AliasTable.of(len);
        if (table == null) {
            return new SharpEdgeSamples(new float[0], new float[0], new int[0], edges);
        }
        float[] p = edges.positions(), en = edges.normals();
        float[] points = new float[3 * n], normals = new float[3 * n];
        int[] which = new int[n];
        SplittableRandom[] rngs = SurfaceSampler.chunkRandoms(seed, n);
        IntStream.range(0, rngs.length).parallel().forEach(c -> {
            SplittableRandom r = rngs[c];
            int end = Math.min(n, (c + 1) * SurfaceSampler.CHUNK);
            for (int i = c * SurfaceSampler.CHUNK; i < end; i++) {
                int e = table.draw(r);
                double s = r.nextDouble();
                which[i] = e;
                for (int k = 0; k < 3; k++) {
                    points[3 * i + k] = (float) (p[6 * e + k] + s * (p[6 * e + 3 + k] - p[6 * e + k]));
                    normals[3 * i + k] = en[3 * e + k];
                }
            }
        });
        return new SharpEdgeSamples(points, normals, which, edges);
    }

    private static void checkCount(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("sharp edge sampling: point count must be ≥ 1, got " + n);
        }
        if (n > Integer.MAX_VALUE / 3) {
            throw new IllegalArgumentException("sharp edge sampling: " + n + " points do not fit in one array");
        }
    }

    private static boolean isZero(float[] fn, int t) {
        return fn[3 * t] == 0 && fn[3 * t + 1] == 0 && fn[3 * t + 2] == 0;
    }

    /** For each vertex, the lowest index of a vertex at exactly the same position. */
    static int[] weld(float[] pos) {
        int v = pos.length / 3;
        int cap = Integer.highestOneBit(Math.max(4, 2 * v)) << 1;
        int[] slot = new int[cap];
        Arrays.fill(slot, -1);
        int[] w = new int[v];
        for (int i = 0; i < v; i++) {
            float x = pos[3 * i] + 0f, y = pos[3 * i + 1] + 0f, z = pos[3 * i + 2] + 0f; // -0 == +0
            long h = mix(((long) Float.floatToIntBits(x) << 32)
                    ^ Float.floatToIntBits(y) * 0x9E3779B97F4A7C15L
                    ^ Float.floatToIntBits(z));
            int s = (int) (h & (cap - 1));
            while (true) {
                int j = slot[s];
                if (j < 0) {
                    slot[s] = i;
                    w[i] = i;
                    break;
                }
                if (pos[3 * j] == x && pos[3 * j + 1] == y && pos[3 * j + 2] == z) {
                    w[i] = j;
                    break;
                }
                s = (s + 1) & (cap - 1);
            }
        }
        return w;
    }

    /** A 64-bit finaliser (Stafford's mix 13) for hashing. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
