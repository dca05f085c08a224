package dev.tessera.model.gen;

import dev.tessera.data.dataset.Dataset;
import dev.tessera.data.dataset.ManifestRecord;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.sample.SampleSchema;
import dev.tessera.geometry.KdTree;
import dev.tessera.geometry.SurfaceSampler;
import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A quantitative check of generated shapes: the nearest training shape of each by symmetric Chamfer distance, and
 * so its class (a 1-nearest-neighbour classifier). Training shapes are the dataset's surface samples ({@code
 * surface.points}, in the normalised frame the VAE and the generated meshes share); a generated mesh is sampled with
 * as many points.
 *
 * <p>Chamfer-L2 as {@code MeshMetrics} defines it: {@code (mean_a d(a, B)² + mean_b d(b, A)²) / 2}.
 */
public final class NearestTrainingShape {
    /** One training shape. */
    private record Reference(String id, String label, float[] points, KdTree tree) {}

    /** The nearest training shape of one generated mesh, and the best distance reached in each class. */
    public record Match(String id, String label, double chamferL2, Map<String, Double> bestPerClass) {}

    private final List<Reference> references;
    private final int points;
    private final long seed;

    private NearestTrainingShape(List<Reference> references, int points, long seed) {
        this.references = references;
        this.points = points;
        this.seed = seed;
    }

    /**
     * Reads {@code points} surface points (a seeded subset) of every sample of {@code dataset}.
     *
     * @throws IOException when a sample cannot be read or has no surface points
     */
    public static NearestTrainingShape of(Dataset dataset, int points, long seed) throws IOException {
        List<Reference> refs = new ArrayList<>();
        for (ManifestRecord r : dataset.entries()) {
            float[] all;
            try (SafetensorsReader s = dataset.open(r.id())) {
                all = s.floats(SampleSchema.SURFACE_POINTS);
            }
            int n = all.length / 3;
            if (n == 0) {
                throw new IOException(dataset.file(r.id()) + ": no surface points");
            }
            float[] sub = subset(all, Math.min(points, n), new SplittableRandom(seed ^ r.id().hashCode()));
            refs.add(new Reference(r.id(), r.label(), sub, KdTree.build(sub)));
        }
        if (refs.isEmpty()) {
            throw new IOException(dataset.root() + " holds no samples to compare with");
        }
        return new NearestTrainingShape(refs, points, seed);
    }

    private static float[] subset(float[] xyz, int k, SplittableRandom r) {
        int n = xyz.length / 3;
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + r.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        float[] out = new float[3 * k];
        for (int i = 0; i < k; i++) {
            System.arraycopy(xyz, 3 * idx[i], out, 3 * i, 3);
        }
        return out;
    }

    /** The nearest training shape of {@code mesh}. */
    public Match nearest(TriangleMesh mesh) {
        float[] a = SurfaceSampler.sample(mesh, points, seed).points();
        KdTree ta = KdTree.build(a);
        Reference best = null;
        double bestD = Double.POSITIVE_INFINITY;
        Map<String, Double> perClass = new TreeMap<>();
        for (Reference ref : references) {
            double d = (meanSquared(a, ref.tree()) + meanSquared(ref.points(), ta)) / 2;
            if (d < bestD) {
                bestD = d;
                best = ref;
            }
            String label = ref.label() == null ? "(none)" : ref.label();
            perClass.merge(label, d, Math::min);
        }
        return new Match(best.id(), best.label(), bestD, perClass);
    }

    private static double meanSquared(float[] from, KdTree to) {
        KdTree.Neighbors nn = to.nearest(from);
        double s = 0;
        for (float d : nn.distances()) {
            s += (double) d * d;
        }
        return s / nn.distances().length;
    }
}
