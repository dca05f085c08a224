package dev.tessera.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tessera.model.Optimizers;
import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import dev.tessera.model.Torch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FusedAdamWTest {
    static {
        Torch.load();
    }

    private static final double LR = 3e-3, B1 = 0.9, B2 = 0.99, EPS = 1e-8, WD = 0.05;

    /** A weight matrix (decayed) and a bias (not), with fresh values drawn from {@code seed}. */
    private static Map<String, Tensor> params(long seed) {
        Generator g = Rng.cpu(seed);
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put("w", StepScope.keep(Rng.randn(g, 64, 48).requires_grad_(true)));
        p.put("b", StepScope.keep(Rng.randn(g, 48).requires_grad_(true)));
        return p;
    }

    /** Gives each parameter the gradient of step {@code step} (the same for any copy of the parameters). */
    private static void grads(Map<String, Tensor> params, long step) {
        int i = 0;
        for (Tensor p : params.values()) {
            Tensor g = Rng.randn(Rng.cpu(1000 * step + i++), Tensors.shape(p));
            p.mutable_grad().put(StepScope.keep(g));
        }
    }

    private static FusedAdamW fused(Map<String, Tensor> p) {
        return new FusedAdamW(LR, B1, B2, EPS)
                .addGroup(Map.of("w", p.get("w")), WD)
                .addGroup(Map.of("b", p.get("b")), 0.0);
    }

    @Test
    void matchesLibtorchAdamWWithTwoWeightDecayGroups() {
        Map<String, Tensor> ours = params(7), theirs = params(7);
        FusedAdamW opt = fused(ours);
        AdamW ref = new AdamW(new TensorVector(theirs.get("w")), Optimizers.adamWOptions(LR, B1, B2, EPS, WD));
        ref.add_param_group(new OptimizerParamGroup(
                new TensorVector(theirs.get("b")), Optimizers.adamWOptions(LR, B1, B2, EPS, 0.0)));
        float[] start = Tensors.toFloats(ours.get("w"));
        for (int step = 0; step < 20; step++) {
            double lr = LR * (step < 10 ? 1 : 0.5); // a schedule: the rate is read at every step
            opt.setLearningRate(lr);
            Optimizers.setLearningRate(ref, lr);
            grads(ours, step);
            grads(theirs, step);
            opt.step();
            ref.step();
        }
        for (String k : ours.keySet()) {
            float[] a = Tensors.toFloats(ours.get(k)), b = Tensors.toFloats(theirs.get(k));
            for (int i = 0; i < a.length; i++) {
                assertThat((double) a[i])
                        .as(k + "[" + i + "]")
                        .isCloseTo(b[i], org.assertj.core.data.Offset.offset(2e-6));
            }
        }
        // and the parameters did move: 20 steps of about lr each
        float[] end = Tensors.toFloats(ours.get("w"));
        assertThat(Math.abs(end[0] - start[0])).isGreaterThan(1e-2f);
    }

    @Test
    void theUpdateIsTheSameWhicheverWayTheParametersAreCutOverTheCores() {
        long[][] shapes = {{300, 40}, {40}, {7}, {64, 64, 3}, {1}, {5000}};
        Map<String, Tensor> one = new LinkedHashMap<>(), three = new LinkedHashMap<>();
        for (int i = 0; i < shapes.length; i++) {
            one.put("p" + i, StepScope.keep(Rng.randn(Rng.cpu(i), shapes[i]).requires_grad_(true)));
            three.put("p" + i, StepScope.keep(Rng.randn(Rng.cpu(i), shapes[i]).requires_grad_(true)));
        }
        FusedAdamW a = new FusedAdamW(LR, B1, B2, EPS).addGroup(one, WD);
        FusedAdamW b = new FusedAdamW(LR, B1, B2, EPS).addGroup(three, WD);
        for (int step = 0; step < 5; step++) {
            grads(one, step);
            grads(three, step);
            a.step(1);
            b.step(3);
        }
        for (String k : one.keySet()) {
            assertArrayEquals(Tensors.toFloats(one.get(k)), Tensors.toFloats(three.get(k)), k);
            assertArrayEquals(
                    Tensors.toFloats(a.state().get(k + ".exp_avg_sq")),
                    Tensors.toFloats(b.state().get(k + ".exp_avg_sq")),
                    k);
        }
    }

    @Test
    void runsSplitTheElementsEvenlyAndCoverEveryTensorOnce() {
        java.util.List<Tensor> ts = new java.util.ArrayList<>();
        for (long n : new long[] {100, 1, 1, 100, 50, 50}) {
            ts.add(StepScope.keep(org.bytedeco.pytorch.global.torch.zeros(n)));
        }
        assertArrayEquals(new int[] {0, 6}, dev.tessera.model.CoreParallel.cuts(ts, 1));
        assertArrayEquals(
                new int[] {0, 3, 6}, dev.tessera.model.CoreParallel.cuts(ts, 2)); // 102 | 200 is the cut nearest half
        assertArrayEquals(new int[] {0, 2, 4, 6}, dev.tessera.model.CoreParallel.cuts(ts, 3)); // 101 | 101 | 100
        assertArrayEquals(
                new int[] {0, 1, 2, 3, 4, 5, 6}, dev.tessera.model.CoreParallel.cuts(ts, 9)); // never an empty run
    }

    @Test
    void aParameterWithoutGradientIsLeftAlone() {
        Map<String, Tensor> p = params(3);
        FusedAdamW opt = fused(p);
        float[] bias = Tensors.toFloats(p.get("b"));
        grads(p, 0);
        p.get("b").mutable_grad().put(new Tensor());
        opt.step();
        assertArrayEquals(bias, Tensors.toFloats(p.get("b")));
        assertThat(opt.state().get("b.step").item_double()).isEqualTo(0.0);
        assertThat(opt.state().get("w.step").item_double()).isEqualTo(1.0);
        assertThat(opt.state().get("w.step").dim()).isZero(); // a scalar on the parameter's device, as PyTorch's
        opt.zeroGrad();
        assertThat(p.get("w").grad().defined()).isFalse();
    }

    @Test
    void savedStateResumesBitExactly(@TempDir Path dir) throws IOException {
        Map<String, Tensor> a = params(5), b = params(5);
        FusedAdamW oa = fused(a), ob = fused(b);
        for (int step = 0; step < 6; step++) {
            grads(a, step);
            oa.step();
            if (step < 3) {
                grads(b, step);
                ob.step();
            }
        }
        Path file = dir.resolve("optimizer.safetensors");
        ob.save(file);
        Map<String, Tensor> c = params(99);
        try (NoGradGuard ng = new NoGradGuard()) {
            for (String k : c.keySet()) {
                c.get(k).copy_(b.get(k));
            }
        }
        FusedAdamW oc = fused(c);
        oc.load(file);
        for (int step = 3; step < 6; step++) {
            grads(c, step);
            oc.step();
        }
        for (String k : a.keySet()) {
            assertArrayEquals(Tensors.toFloats(a.get(k)), Tensors.toFloats(c.get(k)), k);
        }
    }

    @Test
    void stateOfAnotherModelIsRefusedWithTheDifferences(@TempDir Path dir) throws IOException {
        Map<String, Tensor> p = params(1);
        FusedAdamW opt = fused(p);
        Path file = dir.resolve("optimizer.safetensors");
        opt.save(file);
        Map<String, Tensor> other = new LinkedHashMap<>();
        other.put("w", StepScope.keep(Rng.randn(Rng.cpu(2), 64, 32).requires_grad_(true)));
        other.put("c", StepScope.keep(Rng.randn(Rng.cpu(2), 32).requires_grad_(true)));
        FusedAdamW wrong = new FusedAdamW(LR, B1, B2, EPS).addGroup(other, 0.0);
        float[] before = Tensors.toFloats(wrong.state().get("w.exp_avg"));
        assertThatThrownBy(() -> wrong.load(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("missing [c.exp_avg, c.exp_avg_sq, c.step]")
                .hasMessageContaining("unexpected [b.exp_avg, b.exp_avg_sq, b.step]")
                .hasMessageContaining("w.exp_avg [64, 48] != [64, 32]");
        assertArrayEquals(before, Tensors.toFloats(wrong.state().get("w.exp_avg")));
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> new FusedAdamW(1e-3, 1.0, 0.999, 1e-8)).hasMessageContaining("betas");
        Map<String, Tensor> p = params(1);
        FusedAdamW opt = fused(p);
        assertThatThrownBy(() -> opt.addGroup(Map.of("w", p.get("w")), 0.0)).hasMessageContaining("already");
    }
}
