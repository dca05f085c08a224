package dev.tessera.model.sparse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.data.synth.ShapeClass;
import dev.tessera.model.Optimizers;
import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.sparse.conv.SparseTensor;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.NoGradGuard;
import org.junit.jupiter.api.Test;

/** The tiny sparse SDF VAE learns a few procedural shapes: the loss falls and the reconstruction's IoU rises. */
class SparseSdfVaeTrainingTest {

    @Test
    void trainingLowersTheLossAndRaisesIou() {
        SparseSdfVaeConfig c = SparseSdfVaeConfig.tiny();
        List<int[]> coords = new ArrayList<>();
        List<float[]> sdf = new ArrayList<>();
        ShapeClass[] classes = {ShapeClass.SPHERE, ShapeClass.BOX, ShapeClass.TORUS, ShapeClass.CAPSULE};
        for (int i = 0; i < classes.length; i++) {
            SparseSdfShapes.Band b = SparseSdfShapes.synthetic(classes[i], 100 + i, c.resolution(), 2.5);
            coords.add(b.coords());
            sdf.add(b.sdf());
        }
        Generator g = Rng.cpu(5);
        SparseSdfVae vae = new SparseSdfVae(c, g);
        AdamW opt = Optimizers.adamW(vae.parameters(), 3e-3, 0.9, 0.99, 1e-8, 0.0);
        SparseTensor x = vae.batch(coords, sdf); // outlives the steps; its kernel maps are rebuilt per step

        double iouBefore = iou(vae, x);
        int steps = 60;
        double first = 0, last = 0;
        long t0 = System.nanoTime();
        for (int step = 0; step < steps; step++) {
            try (StepScope s = new StepScope()) {
                opt.zero_grad();
                SparseSdfVae.Losses l = vae.losses(x, g);
                l.loss().backward();
                opt.step();
                double v = l.loss().item_double();
                if (step < 5) {
                    first += v / 5;
                } else if (step >= steps - 5) {
                    last += v / 5;
                }
            }
        }
        double ms = (System.nanoTime() - t0) / 1e6 / steps;
        double iouAfter = iou(vae, x);
        System.out.printf(
                "tiny sparse SDF VAE: loss %.4f → %.4f, IoU %.3f → %.3f (%d steps, %.1f ms/step, %d voxels)%n",
                first, last, iouBefore, iouAfter, steps, ms, x.size());
        assertThat(last).isLessThan(0.5 * first);
        assertThat(iouAfter).isGreaterThan(iouBefore + 0.3).isGreaterThan(0.6);
    }

    private static double iou(SparseSdfVae vae, SparseTensor x) {
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            return SparseSdfVae.iou(vae.reconstruct(x), x);
        }
    }
}
