package dev.tessera.geometry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Reconstruction metrics between a reference mesh A (ground truth) and a candidate mesh B (reconstruction or
 * generation), computed on sampled points. The exact definitions, and how they relate to the other conventions in
 * the literature, are in {@code docs/metrics.md}; in short, with {@code N} area-uniform surface points {@code a_i}
 * on A and {@code b_j} on B (drawn with the same seed), {@code d(a, B)} the Euclidean distance from {@code a} to the
 * nearest point of B's sample:
 *
 * <ul>
 *   <li>completeness {@code = mean_i d(a_i, B)}, accuracy {@code = mean_j d(b_j, A)};
 *   <li>Chamfer-L1 {@code = (completeness + accuracy) / 2} (mean of distances, averaged over both directions);
 *   <li>Chamfer-L2 {@code = (mean_i d(a_i, B)² + mean_j d(b_j, A)²) / 2} (mean of squared distances, averaged);
 *   <li>F-score at τ: precision {@code P = #{j : d(b_j, A) < τ} / N}, recall {@code R = #{i : d(a_i, B) < τ} / N},
 *       {@code F = 2PR / (P + R)} (0 when both are 0);
 *   <li>normal consistency {@code = (mean_i |n(a_i)·n(nn_B(a_i))| + mean_j |n(b_j)·n(nn_A(b_j))|) / 2} with face
 *       normals (orientation-blind, as Occupancy Networks); also without the absolute value;
 *   <li>Hausdorff {@code = max(max_i d(a_i, B), max_j d(b_j, A))};
 *   <li>volume IoU on {@code N} points uniform in the union of both boxes grown by 5 %, near-surface IoU on
 *       {@code N/2} surface points of each mesh moved by Gaussian noise of σ, each {@code |in A ∩ in B| / |in A ∪
 *       in B|}, inside meaning a negative signed distance (or winding number above ½).
 * </ul>
 *
 * <p>By default both meshes are mapped by the transform that fits A into {@code [-1, 1]³}, so distances and τ are
 * in units of half of A's longest side. Comparing a mesh with itself gives exactly 0 distances, F-scores and
 * normal consistency 1 and IoUs 1, since both samples are the same draws.
 *
 * <p>Cost: sampling {@code O(F + N)}, two k-d trees {@code O(N log N)}, queries over all cores; the IoUs cost
 * {@code 4N} inside tests.
 */
public final class MeshMetrics {
    private MeshMetrics() {}

    /**
     * The F-score at one threshold.
     *
     * @param tau the distance threshold τ
     * @param precision fraction of B's points closer than τ to A's sample
     * @param recall fraction of A's points closer than τ to B's sample
     * @param fscore harmonic mean of precision and recall
     */
    public record FScore(double tau, double precision, double recall, double fscore) {}

    /**
     * All metrics of one comparison. Distances are in the measuring frame (normalised by A's box unless
     * {@link MetricsOptions#normalize()} is off).
     *
     * @param points surface points per mesh
     * @param normalization the transform applied to both meshes (identity when not normalised)
     * @param chamferL1 {@code (completeness + accuracy) / 2}
     * @param chamferL2 mean squared nearest distances, averaged over both directions
     * @param completeness mean distance from A's points to B's sample
     * @param accuracy mean distance from B's points to A's sample
     * @param fscores one F-score per threshold
     * @param normalConsistency mean absolute cosine between nearest points' normals, both directions averaged
     * @param orientedNormalConsistency the same without the absolute value (−1 … 1; penalises flipped faces)
     * @param hausdorff largest nearest distance in either direction
     * @param volumeIoU IoU of the insides on uniform points, or NaN when not computed or both are empty
     * @param nearSurfaceIoU IoU of the insides on near-surface points, or NaN when not computed or both are empty
     */
    public record Result(
            int points,
            Normalization normalization,
            double chamferL1,
            double chamferL2,
            double completeness,
            double accuracy,
            List<FScore> fscores,
            double normalConsistency,
            double orientedNormalConsistency,
            double hausdorff,
            double volumeIoU,
            double nearSurfaceIoU) {

        public Result {
            fscores = List.copyOf(fscores);
        }

        /** The F-score at threshold {@code tau}, or NaN when it was not computed. */
        public double fscore(double tau) {
            for (FScore f : fscores) {
                if (f.tau() == tau) {
                    return f.fscore();
                }
            }
            return Double.NaN;
        }

        /** One {@code name value} line per metric, as {@code tessera metrics} prints them. */
        public String format() {
            StringBuilder s = new StringBuilder();
            line(s, "points", Integer.toString(points));
            line(s, "chamfer_l1", num(chamferL1));
            line(s, "chamfer_l2", num(chamferL2));
            line(s, "completeness", num(completeness));
            line(s, "accuracy", num(accuracy));
            for (FScore f : fscores) {
                String t = String.format(Locale.ROOT, "%g", f.tau())
                        .replaceAll("0+$", "")
                        .replaceAll("\\.$", "");
                line(s, "fscore@" + t, num(f.fscore()));
                line(s, "precision@" + t, num(f.precision()));
                line(s, "recall@" + t, num(f.recall()));
            }
            line(s, "normal_consistency", num(normalConsistency));
            line(s, "oriented_normal_consistency", num(orientedNormalConsistency));
            line(s, "hausdorff", num(hausdorff));
            line(s, "volume_iou", num(volumeIoU));
            line(s, "near_surface_iou", num(nearSurfaceIoU));
            return s.toString();
        }

        private static void line(StringBuilder s, String name, String value) {
            s.append(String.format(Locale.ROOT, "%-28s %s%n", name, value));
        }

        private static String num(double v) {
            return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.6g", v);
        }
    }

    /**
     * Compares A (reference) and B (candidate) with the given options; the IoUs, if asked for, take "inside" from
     * each mesh's signed distance ({@code MeshDistance.of(mesh)::signed}: winding number ≥ ½).
     *
     * @throws InvalidMeshException when a mesh is empty, has zero area (the message says which)
     */
    public static Result compare(TriangleMesh a, TriangleMesh b, MetricsOptions o) {
        return compare(a, b, o, m -> MeshDistance.of(m)::signed);
    }

    /**
     * Compares A (reference) and B (candidate) with the given options; the IoUs, if asked for, use
     * {@code inside} to get an inside test of each (normalised) mesh — for instance
     * {@code m -> MeshDistance.of(m)::signed}.
     *
     * @param inside builds a signed distance function (negative inside) for a mesh in the measuring frame
     * @throws InvalidMeshException when a mesh is empty, has zero area (the message says which)
     */
    public static Result compare(
            TriangleMesh a, TriangleMesh b, MetricsOptions o, Function<TriangleMesh, SignedDistanceFunction> inside) {
        check(a, "mesh A (reference)");
        check(b, "mesh B (candidate)");
        Normalization norm = Normalization.identity();
        if (o.normalize()) {
            try {
                norm = a.normalization(1.0);
            } catch (IllegalArgumentException e) {
                throw new InvalidMeshException("metrics: mesh A (reference) cannot be normalised: " + e.getMessage()
                        + "; compare with normalisation off");
            }
        }
        TriangleMesh na = o.normalize() ? a.transformed(norm) : a;
        TriangleMesh nb = o.normalize() ? b.transformed(norm) : b;
        int n = o.points();
        SurfaceSamples sa = sample(na, n, o.seed(), "mesh A (reference)");
        SurfaceSamples sb = sample(nb, n, o.seed(), "mesh B (candidate)");
        float[] pa = sa.points(), pb = sb.points();
        KdTree.Neighbors ab = KdTree.build(pb).nearest(pa); // A's points → B's sample
        KdTree.Neighbors ba = KdTree.build(pa).nearest(pb); // B's points → A's sample
        float[] dab = ab.distances(), dba = ba.distances();

        double sumAB = 0, sumBA = 0, sqAB = 0, sqBA = 0, max = 0;
        for (int i = 0; i < n; i++) {
            sumAB += dab[i];
            sqAB += (double) dab[i] * dab[i];
            sumBA += dba[i];
            sqBA += (double) dba[i] * dba[i];
            max = Math.max(max, Math.max(dab[i], dba[i]));
        }
        double completeness = sumAB / n, accuracy = sumBA / n;
        List<FScore> fs = new ArrayList<>();
        for (double tau : o.fscoreThresholds()) {
            int rec = 0, prec = 0;
            for (int i = 0; i < n; i++) {
                rec += dab[i] < tau ? 1 : 0;
                prec += dba[i] < tau ? 1 : 0;
            }
            double p = (double) prec / n, r = (double) rec / n;
            fs.add(new FScore(tau, p, r, p + r == 0 ? 0 : 2 * p * r / (p + r)));
        }
        float[] nA = sa.normals(), nB = sb.normals();
        double[] nc = {0, 0};
        normalTerms(nA, nB, ab.indices(), nc);
        normalTerms(nB, nA, ba.indices(), nc);

        double volumeIoU = Double.NaN, nearIoU = Double.NaN;
        if (o.occupancy()) {
            SignedDistanceFunction fa = inside.apply(na), fb = inside.apply(nb);
            SplittableRandom root = new SplittableRandom(o.seed() ^ 0x5DEECE66DL);
            long uniformSeed = root.nextLong(), noiseSeed = root.nextLong();
            Aabb ba0 = na.bounds(), bb0 = nb.bounds();
            Aabb box = new Aabb(
                    Math.min(ba0.minX(), bb0.minX()),
                    Math.min(ba0.minY(), bb0.minY()),
                    Math.min(ba0.minZ(), bb0.minZ()),
                    Math.max(ba0.maxX(), bb0.maxX()),
                    Math.max(ba0.maxY(), bb0.maxY()),
                    Math.max(ba0.maxZ(), bb0.maxZ()));
            box = box.expand(0.05 * box.maxSize());
            float[] uni = QuerySampler.uniform(n, 1, uniformSeed);
            for (int i = 0; i < n; i++) {
                uni[3 * i] = (float) (box.centerX() + uni[3 * i] * box.sizeX() / 2);
                uni[3 * i + 1] = (float) (box.centerY() + uni[3 * i + 1] * box.sizeY() / 2);
                uni[3 * i + 2] = (float) (box.centerZ() + uni[3 * i + 2] * box.sizeZ() / 2);
            }
            volumeIoU = iou(fa, fb, uni);
            int half = n / 2;
            float[] near = new float[3 * n];
            System.arraycopy(pa, 0, near, 0, 3 * half);
            System.arraycopy(pb, 0, near, 3 * half, 3 * (n - half));
            QuerySampler.perturb(near, List.of(o.nearSurfaceSigma()), Double.POSITIVE_INFINITY, noiseSeed);
            nearIoU = iou(fa, fb, near);
        }
        return new Result(
                n,
                norm,
                (completeness + accuracy) / 2,
                (sqAB / n + sqBA / n) / 2,
                completeness,
                accuracy,
                fs,
                nc[0] / (2.0 * n),
                nc[1] / (2.0 * n),
                max,
                volumeIoU,
                nearIoU);
    }

    private static void normalTerms(float[] from, float[] to, int[] nearest, double[] acc) {
        for (int i = 0; i < nearest.length; i++) {
            int j = nearest[i];
            double dot = (double) from[3 * i] * to[3 * j]
                    + (double) from[3 * i + 1] * to[3 * j + 1]
                    + (double) from[3 * i + 2] * to[3 * j + 2];
            acc[0] += Math.abs(dot);
            acc[1] += dot;
        }
    }

    /** {@code |in A ∩ in B| / |in A ∪ in B|} at the points, NaN when the union is empty. */
    static double iou(SignedDistanceFunction fa, SignedDistanceFunction fb, float[] xyz) {
        float[] da = Voxelizer.evaluate(fa, xyz, "metrics (mesh A inside test)");
        float[] db = Voxelizer.evaluate(fb, xyz, "metrics (mesh B inside test)");
        long inter = 0, union = 0;
        for (int i = 0; i < da.length; i++) {
            boolean ia = da[i] < 0, ib = db[i] < 0;
            inter += ia && ib ? 1 : 0;
            union += ia || ib ? 1 : 0;
        }
        return union == 0 ? Double.NaN : (double) inter / union;
    }

    private static void check(TriangleMesh m, String which) {
        if (m.isEmpty()) {
            throw new InvalidMeshException("metrics: " + which + " has no triangles");
        }
    }

    private static SurfaceSamples sample(TriangleMesh m, int n, long seed, String which) {
        try {
            return SurfaceSampler.sample(m, n, seed, false);
        } catch (InvalidMeshException e) {
            throw new InvalidMeshException("metrics: " + which + ": " + e.getMessage());
        }
    }
}
