package dev.tessera.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.Torch;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class ParallelBackwardTest {
    static {
        Torch.load();
    }

    /** A two-layer MLP's parameters and a batch of 8: enough arithmetic for rounding to show if order mattered. */
    private final Tensor w1 = StepScope.keep(Rng.randn(Rng.cpu(1), 16, 32).requires_grad_(true));

    private final Tensor w2 = StepScope.keep(Rng.randn(Rng.cpu(2), 32, 1).requires_grad_(true));
    private final Tensor x = StepScope.keep(Rng.randn(Rng.cpu(3), 8, 16));
    private final Tensor y = StepScope.keep(Rng.randn(Rng.cpu(4), 8, 1));

    private Tensor loss(long from, long n) {
        Tensor h = torch.tanh(x.narrow(0, from, n).mm(w1));
        return torch.mse_loss(h.mm(w2), y.narrow(0, from, n));
    }

    private float[][] grads() {
        return new float[][] {
            dev.tessera.model.Tensors.toFloats(w1.grad()), dev.tessera.model.Tensors.toFloats(w2.grad())
        };
    }

    private void clear() {
        for (Tensor p : List.of(w1, w2)) {
            if (p.grad().defined()) {
                p.mutable_grad().put(new Tensor());
            }
        }
    }

    private float[][] parallel(int micros) {
        clear();
        long per = 8 / micros;
        ParallelBackward.Result r =
                ParallelBackward.run(List.of(w1, w2), micros, m -> Map.of("loss", loss(m * per, per)));
        assertTrue(r.finite());
        return grads();
    }

    @Test
    void microBatchGradientsSumToTheFullBatchGradient() {
        clear();
        try (StepScope s = new StepScope()) {
            loss(0, 8).backward();
        }
        float[][] full = grads();
        for (int micros : new int[] {2, 4}) {
            float[][] g = parallel(micros);
            for (int k = 0; k < 2; k++) {
                for (int i = 0; i < full[k].length; i++) {
                    assertEquals(full[k][i], g[k][i], 1e-5 * (1 + Math.abs(full[k][i])), micros + " micros");
                }
            }
        }
    }

    @Test
    void theSumDoesNotDependOnWhichPieceFinishesFirst() {
        float[][] first = parallel(4);
        for (int run = 0; run < 5; run++) {
            float[][] again = parallel(4);
            for (int k = 0; k < 2; k++) {
                assertTrue(java.util.Arrays.equals(first[k], again[k]), "run " + run + " differs bitwise");
            }
        }
    }

    @Test
    void aNonFiniteLossAddsNothing() {
        clear();
        ParallelBackward.Result r = ParallelBackward.run(List.of(w1, w2), 2, m -> {
            Tensor l = loss(m * 4, 4);
            return Map.of("loss", m == 1 ? l.div(new org.bytedeco.pytorch.Scalar(0.0)) : l);
        });
        assertFalse(r.finite());
        assertFalse(w1.grad().defined());
        assertFalse(w2.grad().defined());
    }

    @Test
    void parametersThatShareTheirGradientTensorEachGetTheSum() {
        // y = x·(a + b): autograd hands a and b the same gradient tensor; summing into it would count one twice
        Tensor a = StepScope.keep(Rng.randn(Rng.cpu(5), 16, 1).requires_grad_(true));
        Tensor b = StepScope.keep(Rng.randn(Rng.cpu(6), 16, 1).requires_grad_(true));
        try {
            java.util.function.LongFunction<Tensor> lossOf =
                    from -> torch.mse_loss(x.narrow(0, from, 4).mm(a.add(b)), y.narrow(0, from, 4));
            ParallelBackward.Result r =
                    ParallelBackward.run(List.of(a, b), 2, m -> Map.of("loss", lossOf.apply(4L * m)));
            assertTrue(r.finite());
            float[] ga = dev.tessera.model.Tensors.toFloats(a.grad());
            float[] gb = dev.tessera.model.Tensors.toFloats(b.grad());
            a.mutable_grad().put(new Tensor());
            b.mutable_grad().put(new Tensor());
            try (StepScope s = new StepScope()) {
                lossOf.apply(0)
                        .div(new org.bytedeco.pytorch.Scalar(2))
                        .add(lossOf.apply(4).div(new org.bytedeco.pytorch.Scalar(2)))
                        .backward();
            }
            float[] full = dev.tessera.model.Tensors.toFloats(a.grad());
            for (int i = 0; i < full.length; i++) {
                assertEquals(full[i], ga[i], 1e-5 * (1 + Math.abs(full[i])));
                assertEquals(full[i], gb[i], 1e-5 * (1 + Math.abs(full[i])));
            }
        } finally {
            StepScope.release(a);
            StepScope.release(b);
        }
    }
}
