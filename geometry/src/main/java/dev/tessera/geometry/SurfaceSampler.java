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
        AreaTable table = AreaTable.of(mesh, "surface sampling");
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

    /** One generator per chunk of {@value #CHUNK} items: the successive splits of {@code new SplittableRandom(seed)}. */
    static SplittableRandom[] chunkRandoms(long seed, int n) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom[] r = new SplittableRandom[(n + CHUNK - 1) / CHUNK];
        for (int c = 0; c < r.length; c++) {
            r[c] = root.split();
        }
        return r;
    }

    /** Walker's alias table over the triangles of positive area, weighted by area. */
    static final class AreaTable {
        private final int[] item;
        private final double[] prob;
        private final int[] alias;
        final double total;

        private AreaTable(int[] item, double[] prob, int[] alias, double total) {
            this.item = item;
            this.prob = prob;
            this.alias = alias;
            this.total = total;
        }

        static AreaTable of(TriangleMesh mesh, String what) {
            if (mesh.isEmpty()) {
                throw new InvalidMeshException(what + ": the mesh has no triangles");
            }
            return of(mesh.faceAreas(), what + ": the mesh");
        }

        /** A table over weights {@code w} (items of zero weight are never drawn). */
        static AreaTable of(double[] w, String what) {
            double total = 0;
            int m = 0;
            for (double a : w) {
                total += a;
                if (a > 0) {
                    m++;
                }
            }
            if (!(total > 0) || !Double.isFinite(total)) {
                throw new InvalidMeshException(what + " has zero or non-finite total area (" + total + ", " + w.length
                        + " triangles, " + m + " of positive area); nothing to sample. Check the file, or remove "
                        + "degenerate triangles");
            }
            int[] item = new int[m];
            double[] prob = new double[m];
            int[] alias = new int[m];
            int j = 0;
            for (int i = 0; i < w.length; i++) {
                if (w[i] > 0) {
                    item[j] = i;
                    prob[j++] = w[i] * m / total;
                }
            }
            int[] small = new int[m], large = new int[m];
            int ns = 0, nl = 0;
            for (int i = 0; i < m; i++) {
                if (prob[i] < 1) {
                    small[ns++] = i;
                } else {
                    large[nl++] = i;
                }
            }
            while (ns > 0 && nl > 0) {
                int s = small[--ns], l = large[--nl];
                alias[s] = l;
                prob[l] = prob[l] + prob[s] - 1;
                if (prob[l] < 1) {
                    small[ns++] = l;
                } else {
                    large[nl++] = l;
                }
            }
            while (nl > 0) {
                prob[large[--nl]] = 1;
            }
            while (ns > 0) {
                prob[small[--ns]] = 1; // rounding leftovers: their weight was ≈ 1 anyway
            }
            return new AreaTable(item, prob, alias, total);
        }

        /** Draws one item index with probability proportional to its weight. */
        int draw(SplittableRandom r) {
            double u = r.nextDouble() * prob.length;
            int col = Math.min((int) u, prob.length - 1);
            return item[u - col < prob[col] ? col : alias[col]];
        }
    }
}
