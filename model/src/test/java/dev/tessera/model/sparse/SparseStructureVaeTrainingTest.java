package dev.tessera.model.sparse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** The tiny sparse-structure VAE learns a few synthetic surface occupancies (spheres and boxes). */
class SparseStructureVaeTrainingTest {

    /** Surface voxels of a sphere: cells whose centre lies within half a cell diagonal of the sphere. */
    static float[] sphere(int n, double cx, double cy, double cz, double r) {
        float[] v = new float[n * n * n];
        for (int x = 0; x < n; x++) {
            for (int y = 0; y < n; y++) {
                for (int z = 0; z < n; z++) {
                    double d = Math.sqrt(sq(x + 0.5 - cx) + sq(y + 0.5 - cy) + sq(z + 0.5 - cz));
                    v[(x * n + y) * n + z] = Math.abs(d - r) <= 0.87 ? 1f : 0f;
                }
            }
        }
        return v;
    }

    /** Surface voxels of an axis-aligned box [lo, hi] (cells inclusive): its one-cell-thick shell. */
    static float[] box(int n, int[] lo, int[] hi) {
        float[] v = new float[n * n * n];
        for (int x = lo[0]; x <= hi[0]; x++) {
            for (int y = lo[1]; y <= hi[1]; y++) {
                for (int z = lo[2]; z <= hi[2]; z++) {
                    boolean shell = x == lo[0] || x == hi[0] || y == lo[1] || y == hi[1] || z == lo[2] || z == hi[2];
                    v[(x * n + y) * n + z] = shell ? 1f : 0f;
                }
            }
        }
        return v;
    }

    private static double sq(double a) {
        return a * a;
    }

    @Test
    void trainingLowersTheLossAndRaisesIou() {
        SparseStructureVaeConfig c = SparseStructureVaeConfig.tiny();
        int n = c.resolution();
        float[][] shapes = {
            sphere(n, 8, 8, 8, 5.5),
            sphere(n, 6.5, 9, 7.5, 3.5),
            box(n, new int[] {3, 3, 3}, new int[] {12, 12, 12}),
            box(n, new int[] {2, 5, 4}, new int[] {13, 10, 9}),
        };
        float[] all = new float[shapes.length * n * n * n];
        for (int i = 0; i < shapes.length; i++) {
            System.arraycopy(shapes[i], 0, all, i * n * n * n, n * n * n);
        }
        Tensor occ = Tensors.fromFloats(all, shapes.length, 1, n, n, n);
        Generator g = Rng.cpu(11);
        SparseStructureVae vae = new SparseStructureVae(c, g);
        AdamWOptions o = new AdamWOptions(2e-3);
        o.weight_decay().put(0.0);
        AdamW opt = new AdamW(vae.parameters(), o);

        double iouBefore = iou(vae, occ);
        int steps = 120;
        double first = 0, last = 0;
        long t0 = System.nanoTime();
        for (int step = 0; step < steps; step++) {
            try (StepScope s = new StepScope()) {
                opt.zero_grad();
                SparseStructureVae.Losses l = vae.losses(occ, g);
                l.loss().backward();
                opt.step();
                double v = l.loss().item_double();
                if (step < 10) {
                    first += v / 10;
                } else if (step >= steps - 10) {
                    last += v / 10;
                }
            }
        }
        double ms = (System.nanoTime() - t0) / 1e6 / steps;
        double iouAfter = iou(vae, occ);
        System.out.printf(
                "tiny sparse-structure VAE: loss %.4f → %.4f, IoU %.3f → %.3f (%d steps, %.1f ms/step)%n",
                first, last, iouBefore, iouAfter, steps, ms);
        assertThat(last).isLessThan(0.5 * first);
        assertThat(iouAfter).isGreaterThan(0.6).isGreaterThan(iouBefore + 0.3);
    }

    private static double iou(SparseStructureVae vae, Tensor occ) {
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            return SparseStructureVae.iou(vae.reconstruct(occ), occ);
        }
    }
}
