package dev.tessera.geometry;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Query points for training an SDF or occupancy decoder (the supervision of vecset VAEs: 3DShape2VecSet, CLAY,
 * Dora, Hunyuan3D): points near the surface, points near the sharp edges, points uniform in a box, each with its
 * signed distance (negative inside) and occupancy.
 *
 * <p><b>Near points.</b> {@code n} surface points ({@link SurfaceSampler}) or sharp-edge points
 * ({@link SharpEdgeSampler}) are split into equal consecutive parts, one per standard deviation of the list, and
 * each coordinate is moved by Gaussian noise of that σ, optionally truncated to {@code ±noiseClip} (redrawn, a
 * truncated normal as {@code scipy.stats.truncnorm}). <b>Uniform points</b> are uniform in {@code [-h, h]³}. The
 * mesh is expected in the normalised frame ({@code [-1, 1]³}); σ, {@code h} and the truncation are in its units.
 *
 * <p><b>Signed distances</b> come from a {@link SignedDistanceFunction}, typically {@code MeshDistance.of(mesh)
 * ::signed} (sign by fast winding number, so open meshes work). Occupancy is 1 where the signed distance is
 * negative. With a truncation {@code t > 0}, distances are clamped to {@code [-t, t]} (the TSDF of Dora).
 *
 * <p>All draws derive from one seed; the result does not depend on the number of threads.
 */
public final class QuerySampler {
    private QuerySampler() {}

    /**
     * What to sample.
     *
     * @param nearSurface number of near-surface points
     * @param sigmas noise standard deviations of the near-surface points, one equal part of the points each
     * @param nearSharp number of near-sharp-edge points
     * @param sharpSigmas noise standard deviations of the near-sharp-edge points
     * @param uniform number of uniform points
     * @param uniformHalfExtent half side {@code h} of the uniform box {@code [-h, h]³}
     * @param noiseClip largest noise per coordinate (truncated normal), {@code Double.POSITIVE_INFINITY} for plain
     *     Gaussian noise
     * @param truncation clamp signed distances to {@code ±truncation}; {@code 0} for none
     * @param sharpAngleDeg dihedral angle threshold of the sharp edges, degrees
     * @param sharpFallback when the mesh has no sharp edge, draw the near-sharp points near the surface instead (so
     *     every sample has the same size); otherwise that group is empty
     */
    public record Options(
            int nearSurface,
            List<Double> sigmas,
            int nearSharp,
            List<Double> sharpSigmas,
            int uniform,
            double uniformHalfExtent,
            double noiseClip,
            double truncation,
            double sharpAngleDeg,
            boolean sharpFallback) {

        public Options {
            sigmas = List.copyOf(sigmas);
            sharpSigmas = List.copyOf(sharpSigmas);
            if (nearSurface < 0 || nearSharp < 0 || uniform < 0) {
                throw new IllegalArgumentException("query sampling: point counts must be ≥ 0, got near surface "
                        + nearSurface + ", near sharp " + nearSharp + ", uniform " + uniform);
            }
            if ((long) nearSurface + nearSharp + uniform == 0) {
                throw new IllegalArgumentException("query sampling: ask for at least one point");
            }
            if ((long) Math.max(nearSurface, Math.max(nearSharp, uniform)) * 3 > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("query sampling: too many points for one array");
            }
            checkSigmas(sigmas, nearSurface, "sigmas");
            checkSigmas(sharpSigmas, nearSharp, "sharpSigmas");
            if (!(uniformHalfExtent > 0) || !Double.isFinite(uniformHalfExtent)) {
                throw new IllegalArgumentException(
                        "query sampling: uniform half extent must be positive, got " + uniformHalfExtent);
            }
            if (!(noiseClip > 0)) {
                throw new IllegalArgumentException("query sampling: noise clip must be positive, got " + noiseClip);
            }
            if (!(truncation >= 0) || Double.isInfinite(truncation)) {
                throw new IllegalArgumentException(
                        "query sampling: truncation must be ≥ 0 (0 for none), got " + truncation);
            }
            if (!(sharpAngleDeg >= 0 && sharpAngleDeg < 180)) {
                throw new IllegalArgumentException(
                        "query sampling: sharp angle must be in [0, 180) degrees, got " + sharpAngleDeg);
            }
        }

        private static void checkSigmas(List<Double> s, int n, String name) {
            if (n > 0 && s.isEmpty()) {
                throw new IllegalArgumentException("query sampling: " + name + " is empty but " + n + " points asked");
            }
            for (double v : s) {
                if (!(v >= 0) || !Double.isFinite(v)) {
                    throw new IllegalArgumentException("query sampling: " + name + " must be finite and ≥ 0, got " + v);
                }
            }
        }

        /**
         * Tessera's defaults: 100 000 near-surface points at σ = 0.001, 0.005, 0.01; 50 000 near-sharp points at the
         * same σ; 50 000 uniform points in {@code [-1.05, 1.05]³}; plain Gaussian noise; no truncation; sharp edges
         * above 15°, falling back to the surface.
         */
        public static Options defaults() {
            List<Double> s = List.of(0.001, 0.005, 0.01);
            return new Options(
                    100_000,
                    s,
                    50_000,
                    s,
                    50_000,
                    1.05,
                    Double.POSITIVE_INFINITY,
                    0,
                    SharpEdgeSampler.DEFAULT_ANGLE_DEG,
                    true);
        }

        /**
         * The recipe of Hunyuan3D-2.1's {@code watertight_and_sample.py}: 124 928 surface points each moved at
         * σ = 0.005 and at σ = 0.05 (249 856 near points, noise truncated to ±0.25); 124 928 sharp-edge points in six
         * parts at σ = 0.001, 0.003, 0.06, 0.01, 0.02, 0.04 (the list as published; its third value may be meant as
         * 0.006); 249 856 uniform points in {@code [-1.05, 1.05]³}; no truncation. That script detects sharp
         * vertices by vertex normals rather than dihedral angles; here the dihedral rule at 15° is used.
         */
        public static Options hunyuan3d21() {
            return new Options(
                    249_856,
                    List.of(0.005, 0.05),
                    124_928,
                    List.of(0.001, 0.003, 0.06, 0.01, 0.02, 0.04),
                    249_856,
                    1.05,
                    0.25,
                    0,
                    SharpEdgeSampler.DEFAULT_ANGLE_DEG,
                    true);
        }

        /** These options with a truncation distance ({@code 0} for none). */
        public Options withTruncation(double t) {
            return new Options(
                    nearSurface,
                    sigmas,
                    nearSharp,
                    sharpSigmas,
                    uniform,
                    uniformHalfExtent,
                    noiseClip,
                    t,
                    sharpAngleDeg,
                    sharpFallback);
        }

        /** These options with other point counts. */
        public Options withCounts(int nearSurface, int nearSharp, int uniform) {
            return new Options(
                    nearSurface,
                    sigmas,
                    nearSharp,
                    sharpSigmas,
                    uniform,
                    uniformHalfExtent,
                    noiseClip,
                    truncation,
                    sharpAngleDeg,
                    sharpFallback);
        }
    }

    /**
     * Samples query points around {@code mesh} with signed distances from {@code sdf}.
     *
     * @throws InvalidMeshException when the mesh has no area to sample
     * @throws IllegalStateException when {@code sdf} answers with the wrong number of values or a NaN
     */
    public static QuerySamples sample(TriangleMesh mesh, Options o, SignedDistanceFunction sdf, long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        long surfaceSeed = root.nextLong(), sharpSeed = root.nextLong(), noiseSeed = root.nextLong();
        long sharpNoiseSeed = root.nextLong(), uniformSeed = root.nextLong();
        float[] near = new float[0], nearSigma = new float[0];
        if (o.nearSurface() > 0) {
            near = SurfaceSampler.sample(mesh, o.nearSurface(), surfaceSeed, false)
                    .points();
            nearSigma = perturb(near, o.sigmas(), o.noiseClip(), noiseSeed);
        }
        float[] sharp = new float[0], sharpSigma = new float[0];
        if (o.nearSharp() > 0) {
            SharpEdgeSamples s = SharpEdgeSampler.sample(mesh, o.nearSharp(), o.sharpAngleDeg(), sharpSeed);
            if (!s.isEmpty()) {
                sharp = s.points();
            } else if (o.sharpFallback()) {
                sharp = SurfaceSampler.sample(mesh, o.nearSharp(), sharpSeed, false)
                        .points();
            }
            if (sharp.length > 0) {
                sharpSigma = perturb(sharp, o.sharpSigmas(), o.noiseClip(), sharpNoiseSeed);
            }
        }
        float[] uni = uniform(o.uniform(), o.uniformHalfExtent(), uniformSeed);
        return new QuerySamples(
                label(near, nearSigma, sdf, o.truncation()),
                label(sharp, sharpSigma, sdf, o.truncation()),
                label(uni, new float[uni.length / 3], sdf, o.truncation()),
                o.truncation());
    }

    /**
     * Moves the points in place by Gaussian noise, the {@code q}-th of {@code sigmas.size()} consecutive equal
     * parts by {@code sigmas[q]}, each coordinate clipped to {@code ±clip} by redrawing; returns each point's σ.
     */
    static float[] perturb(float[] xyz, List<Double> sigmas, double clip, long seed) {
        int n = xyz.length / 3, parts = sigmas.size();
        float[] sigmaOf = new float[n];
        SplittableRandom[] rngs = SurfaceSampler.chunkRandoms(seed, n);
        IntStream.range(0, rngs.length).parallel().forEach(c -> {
            SplittableRandom r = rngs[c];
            int end = Math.min(n, (c + 1) * SurfaceSampler.CHUNK);
            for (int i = c * SurfaceSampler.CHUNK; i < end; i++) {
                // part q holds points [q·n/parts, (q+1)·n/parts)
                int q = (int) ((long) i * parts / n);
                double s = sigmas.get(q);
                sigmaOf[i] = (float) s;
                for (int k = 0; k < 3; k++) {
                    double d;
                    do {
                        d = s * r.nextGaussian();
                    } while (Math.abs(d) > clip);
                    xyz[3 * i + k] = (float) (xyz[3 * i + k] + d);
                }
            }
        });
        return sigmaOf;
    }

    static float[] uniform(int n, double h, long seed) {
        float[] p = new float[3 * n];
        SplittableRandom[] rngs = SurfaceSampler.chunkRandoms(seed, n);
        IntStream.range(0, rngs.length).parallel().forEach(c -> {
            SplittableRandom r = rngs[c];
            int end = Math.min(n, (c + 1) * SurfaceSampler.CHUNK);
            for (int i = 3 * c * SurfaceSampler.CHUNK; i < 3 * end; i++) {
                p[i] = (float) (r.nextDouble(-h, h));
            }
        });
        return p;
    }

    private static QuerySamples.Set label(float[] xyz, float[] sigma, SignedDistanceFunction sdf, double t) {
        int n = xyz.length / 3;
        float[] d = n == 0 ? new float[0] : Voxelizer.evaluate(sdf, xyz, "query sampling");
        byte[] occ = new byte[n];
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(d[i])) {
                throw new IllegalStateException("query sampling: the signed distance function returned NaN at point "
                        + i + " (" + xyz[3 * i] + ", " + xyz[3 * i + 1] + ", " + xyz[3 * i + 2] + ")");
            }
            occ[i] = (byte) (d[i] < 0 ? 1 : 0);
            if (t > 0) {
                d[i] = (float) Math.max(-t, Math.min(t, d[i]));
            }
        }
        return new QuerySamples.Set(xyz, d, occ, sigma);
    }
}
