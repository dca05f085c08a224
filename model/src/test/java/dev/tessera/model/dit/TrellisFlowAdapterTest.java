package dev.tessera.model.dit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.flow.EulerSampler;
import dev.tessera.model.flow.Guidance;
import dev.tessera.model.flow.RectifiedFlow;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * TRELLIS's flow convention mapped onto Tessera's: its own Euler loop (written here as {@code flow_euler.py} runs it)
 * and Tessera's sampler through the adapter give the same samples, guidance and schedule included.
 */
class TrellisFlowAdapterTest {
    static final double SIGMA_MIN = 1e-5;

    static double maxAbs(Tensor t) {
        return t.abs().max().item_double();
    }

    static Tensor full(long b, double v) {
        return torch.full(new long[] {b}, new Scalar(v), new TensorOptions(torch.ScalarType.Float));
    }

    /**
     * TRELLIS's {@code FlowEulerGuidanceIntervalSampler.sample}: τ = linspace(1, 0, steps + 1) rescaled, the model
     * called with 1000·τ, guidance {@code (1 + k)·v_c − k·v_u} when {@code a ≤ τ ≤ b}, then {@code x ← x − (τ −
     * τ_prev)·v}.
     */
    static Tensor trellisLoop(
            TrellisFlowAdapter.NativeModel m,
            Tensor x,
            Tensor cond,
            Tensor neg,
            int steps,
            double rescale,
            double k,
            double a,
            double b) {
        long n = x.size(0);
        for (int i = 0; i < steps; i++) {
            double t = 1 - (double) i / steps, tp = 1 - (double) (i + 1) / steps;
            t = rescale * t / (1 + (rescale - 1) * t);
            tp = rescale * tp / (1 + (rescale - 1) * tp);
            Tensor tt = full(n, 1000 * t);
            Tensor v = m.apply(x, tt, cond);
            if (a <= t && t <= b) {
                Tensor vn = m.apply(x, tt, neg);
                v = v.mul(new Scalar(1 + k)).sub(vn.mul(new Scalar(k)));
            }
            x = x.sub(v.mul(new Scalar(t - tp)));
        }
        return x;
    }

    @Test
    void tesserasEulerThroughTheAdapterIsTrellissSampler() {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(1);
            Tensor w = Rng.randn(g, 4, 4).mul(new Scalar(0.3));
            // a field in TRELLIS's convention that depends on x, τ and the condition
            TrellisFlowAdapter.NativeModel m = (x, t1000, c) -> x.matmul(w)
                    .add(RectifiedFlow.broadcast(t1000.div(new Scalar(1000)), x))
                    .add(c.mean(new long[] {1}, true, new org.bytedeco.pytorch.ScalarTypeOptional()));
            Tensor noise = Rng.randn(g, 2, 5, 4);
            Tensor cond = Rng.randn(g, 2, 3, 4);
            Tensor neg = torch.zeros_like(cond);
            Tensor theirs = trellisLoop(m, noise, cond, neg, 12, 3.0, 7.5, 0.5, 0.95);
            Tensor ours = new EulerSampler()
                    .sample(
                            new TrellisFlowAdapter(m),
                            noise,
                            TrellisFlowAdapter.times(12, 3.0),
                            cond,
                            neg,
                            TrellisFlowAdapter.guidance(7.5, 0.5, 0.95));
            assertThat(maxAbs(ours.sub(theirs))).isLessThan(1e-4);
        }
    }

    @Test
    void onTrellissTrainingPathTheAdaptedVelocityIsTesserasTarget() {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(2);
            Tensor data = Rng.randn(g, 2, 8, 2, 2, 2), eps = Rng.randn(g, 2, 8, 2, 2, 2);
            // TRELLIS's exact target v = (1 − σ_min)·ε − x, whatever the input
            TrellisFlowAdapter.NativeModel exact =
                    (x, t, c) -> eps.mul(new Scalar(1 - SIGMA_MIN)).sub(data);
            Tensor st = torch.tensor(new float[] {0.3f, 0.8f}); // Tessera times s
            Tensor v = new TrellisFlowAdapter(exact).velocity(data, st, null);
            // Tessera's target z1 − z0 = data − noise (up to σ_min)
            assertThat(maxAbs(v.sub(data.sub(eps)))).isLessThan(1e-4);
            assertThat(maxAbs(TrellisFlowAdapter.toTrellisTime(st).sub(torch.tensor(new float[] {0.7f, 0.2f}))))
                    .isLessThan(1e-7);
        }
    }

    @Test
    void theSparseStructureFlowModelIsCalledWithThousandTimesItsOwnTime() {
        SparseStructureFlowModel model = new SparseStructureFlowModel(SparseStructureFlowConfig.tiny(), Rng.cpu(3));
        // give the output layer weights so the model's output depends on t
        dev.tessera.model.nn.Init.normal(
                dev.tessera.model.StateDict.of(model).get("out_layer.weight"), 0, 0.02, Rng.cpu(4));
        dev.tessera.model.nn.Init.normal(
                dev.tessera.model.StateDict.of(model).get("blocks.0.adaLN_modulation.1.weight"), 0, 0.02, Rng.cpu(5));
        try (StepScope s = new StepScope();
                var ng = new org.bytedeco.pytorch.NoGradGuard()) {
            Generator g = Rng.cpu(6);
            Tensor z = Rng.randn(g, 2, 8, 8, 8, 8), cond = Rng.randn(g, 2, 4, 32);
            Tensor st = torch.tensor(new float[] {0.25f, 0.9f});
            Tensor direct = model.forward(z, torch.tensor(new float[] {750f, 100f}), cond);
            Tensor adapted = TrellisFlowAdapter.of(model).velocity(z, st, cond);
            assertThat(maxAbs(direct)).isGreaterThan(1e-3);
            assertThat(maxAbs(adapted.add(direct))).isLessThan(1e-5);
        }
    }

    @Test
    void trellissGuidanceIsScaleOnePlusStrengthOnTheMirroredInterval() {
        Guidance g = TrellisFlowAdapter.guidance(7.5, 0.5, 0.95);
        assertThat(g.scale()).isEqualTo(8.5);
        assertThat(g.tMin()).isEqualTo(1 - 0.95, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(g.tMax()).isEqualTo(0.5);
    }
}
