package dev.tessera.geometry;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Uniform random points on a triangle mesh's surface: each triangle is chosen with probability proportional to its
 * area (Walker's alias method, Vose's construction), then a uniform point inside it by the square-root
 * barycentric map of Osada et al. 2002 ({@code a = 1 - √r1, b = √r1 (1 - r2), c = √r1 r2}). Each point carries its
 * triangle's unit normal and index, as {@code trimesh.sample.sample_surface} returns.
 *
 * <p><b>Determinism.</b> Points are generated in fixed chunks of {@value #CHUNK}; chunk {@code c} draws from the
 * {@code c}-th {@link SplittableRandom#split()} of {@code new SplittableRandom(seed)}. The chunks run in parallel,
 * and the result depends only on the mesh, {@code n} and {@code seed}, never on the number of threads.
 *
 * <p>Cost {@code O(F + n)}; positions are computed in double precision and stored as float.
 */
public final class SurfaceSampler {
    static final int CHUNK = 16_384;

    private SurfaceSampler() {}

    /**
     * {@code n} area-uniform points on the surface, with face normals and face indices.
     *
     * @throws IllegalArgumentException when {@code n < 1}
     * @throws InvalidMeshException when the mesh has no triangles or its total area is zero or not finite
     */
    public static SurfaceSamples sample(TriangleMesh mesh, int n, long seed) {
        return sample(mesh, n, seed, true);
    }

    /** As {@link #sample(TriangleMesh, int, long)}; {@code withFaces = false} leaves the face indices out. */
    public static SurfaceSamples sample(TriangleMesh mesh, int n, long seed, boolean withFaces) {
        if (n < 1) {
            throw new IllegalArgumentException("surface sampling: point count must be ≥ 1, got " + n);
        }
        if (n > Integer.MAX_VALUE / 3) {
            throw new IllegalArgumentException(
                    "surface sampling: " + n + " points do not fit in one array; use ≤ " + Integer.MAX_VALUE / 3);
        }
        if (mesh.isEmpty()) {
            throw new InvalidMeshException("surface sampling: the mesh has no triangles");
        }
        double[] areas = mesh.faceAreas();
        AliasTable table = AliasTable.of(areas);
        if (table == null) {
            throw new InvalidMeshException(
                    "surface sampling: the mesh has zero or non-finite total area (" + areas.length + " triangles, "
                            + positive(areas) + " of positive area); nothing to sample. Check the file's units and "
                            + "faces");
        }
        float[] pos = mesh.positions();
        int[] tri = mesh.triangles();
        float[] fn = mesh.faceNormals();
        float[] points = new float[3 * n];
        float[] normals = new float[3 * n];
        int[] faces = new int[n];
        SplittableRandom[] rngs = chunkRandoms(seed, n);
        IntStream.range(0, rngs.length).parallel().forEach(c -> {
            SplittableRandom r = rngs[c];
            int end = Math.min(n, (c + 1) * CHUNK);
            for (int i = c * CHUNK; i < end; i++) {
                int f = table.draw(r);
                faces[i] = f;
                double s = Math.sqrt(r.nextDouble()), r2 = r.nextDouble();
                double wa = 1 - s, wb = s * (1 - r2), wc = s * r2;
                int a = 3 * tri[3 * f], b = 3 * tri[3 * f + 1], cc = 3 * tri[3 * f + 2];
                for (int k = 0; k < 3; k++) {
                    points[3 * i + k] = (float) (wa * pos[a + k] + wb * pos[b + k] + wc * pos[cc + k]);
                    normals[3 * i + k] = fn[3 * f + k];
                }
            }
        });
        return new SurfaceSamples(points, normals, withFaces ? faces : null);
    }

    static int positive(double[] w) {
        int m = 0;
        for (double a : w) {
            m += a > 0 ? 1 : 0;
        }
        return m;
    }

    /** One generator per chunk of {@value #CHUNK} items: the successive splits of {@code new SplittableRandom(seed)}. */
    static SplittableRandom[] chunkRandoms(long seed, int n) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom[] r = new SplittableRandom[(n + CHUNK - 1) / CHUNK];
        for (int c = 0; c < r.length; c++) {
            r[c] = root.split();
        }
        return r;
    }
}
