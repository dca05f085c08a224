package dev.tessera.model.dit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** The Hunyuan3D-2 ↔ Tessera time-convention map, checked on toy velocity fields whose flows are known exactly. */
class Hunyuan3DFlowAdapterTest {
    /**
     * The exact Hunyuan-convention field of a single data point {@code d}: on the path {@code x_σ = (1−σ)·n + σ·d} its
     * velocity {@code dx/dσ = d − n = (d − x)/(1 − σ)}, linear in x.
     */
    static Hunyuan3DFlowAdapter.NativeModel towards(Tensor d) {
        return (x, sigma, cond) -> d.sub(x).div(sigma.neg().add(new Scalar(1.0)).reshape(-1, 1, 1));
    }

    /** Tessera's Euler with {@code steps} uniform steps from t = 0 (noise) to t = 1 (data). */
    static Tensor teseraEuler(Hunyuan3DFlowAdapter field, Tensor z0, int steps) {
        Tensor z = z0;
        long b = z0.size(0);
        for (int i = 0; i < steps; i++) {
            Tensor t = torch.full(
                    new long[] {b},
                    new Scalar((double) i / steps),
                    new org.bytedeco.pytorch.TensorOptions(org.bytedeco.pytorch.global.torch.ScalarType.Float)); // [B]
            z = z.add(field.velocity(z, t, null).mul(new Scalar(1.0 / steps))); // [B, N, C]
        }
        return z;
    }

    @Test
    void eulerOnTheSingleDataPointFieldReachesTheDataExactly() {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(3);
            Tensor d = Rng.randn(g, 2, 5, 4); // data z_1
            Tensor n = Rng.randn(g, 2, 5, 4); // noise z_0
            Tensor end = teseraEuler(new Hunyuan3DFlowAdapter(towards(d)), n, 7);
            assertThat(maxAbs(end.sub(d))).isLessThan(1e-5);
        }
    }

    @Test
    void velocityOnTheInterpolationIsDataMinusNoise() {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(4);
            Tensor d = Rng.randn(g, 2, 3, 4);
            Tensor n = Rng.randn(g, 2, 3, 4);
            Tensor t = Tensors.fromFloats(new float[] {0.2f, 0.75f}, 2);
            Tensor tt = t.reshape(-1, 1, 1);
            Tensor zt = n.mul(tt.neg().add(new Scalar(1.0))).add(d.mul(tt)); // (1 − t)·z_0 + t·z_1
            Tensor v = new Hunyuan3DFlowAdapter(towards(d)).velocity(zt, t, null);
            assertThat(maxAbs(v.sub(d.sub(n)))).isLessThan(1e-5); // Tessera's CFM target z_1 − z_0, same sign
        }
    }

    /** Hunyuan3D-2's own loop: {@code x ← x + (σ_{i+1} − σ_i)·model(x, σ_i)} over {@link Hunyuan3DFlowAdapter#hunyuanTimes}. */
    static Tensor hunyuanLoop(Hunyuan3DFlowAdapter.NativeModel model, Tensor x, int steps, double shift) {
        double[] sig = Hunyuan3DFlowAdapter.hunyuanTimes(steps, shift);
        long b = x.size(0);
        for (int i = 0; i < steps; i++) {
            Tensor sigma = torch.full(
                    new long[] {b},
                    new Scalar(sig[i]),
                    new org.bytedeco.pytorch.TensorOptions(org.bytedeco.pytorch.global.torch.ScalarType.Float)); // [B]
            x = x.add(model.apply(x, sigma, null).mul(new Scalar(sig[i + 1] - sig[i]))); // [B, N, C]
        }
        return x;
    }

    @Test
    void hunyuansNStepLoopIsTesserasEulerWithNMinusOneSteps() {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(5);
            Tensor w = Rng.randn(g, 4, 4).mul(new Scalar(0.3)); // a linear field v = x·W + σ·b
            Tensor bias = Rng.randn(g, 4);
            Hunyuan3DFlowAdapter.NativeModel linear =
                    (x, sigma, cond) -> x.matmul(w).add(sigma.reshape(-1, 1, 1).mul(bias));
            Tensor x0 = Rng.randn(g, 2, 3, 4);
            Tensor hy = hunyuanLoop(linear, x0, 11, 1.0);
            Tensor te = teseraEuler(new Hunyuan3DFlowAdapter(linear), x0, 10);
            assertThat(maxAbs(hy.sub(te))).isLessThan(1e-5);
        }
    }

    @Test
    void hunyuanScheduleStartsAtNoiseEndsAtDataAndRepeatsTheLastTime() {
        double[] t = Hunyuan3DFlowAdapter.hunyuanTimes(5, 1.0);
        assertThat(t).containsExactly(0.0, 0.25, 0.5, 0.75, 1.0, 1.0);
        double[] shifted = Hunyuan3DFlowAdapter.hunyuanTimes(5, 3.0);
        assertThat(shifted[1]).isCloseTo(0.5, within(1e-7)); // 3·0.25 / (1 + 2·0.25)
        assertThat(shifted[1]).isGreaterThan(t[1]); // a Hunyuan shift > 1 moves early steps towards the data
    }

    @Test
    void turboConsistencyScheduleByHand() {
        // 1000 sigmas k/999; kept indices 0, 9, 19, …, 989; 5 steps take pcm indices 0, 20, 40, 60, 80
        double[] t = Hunyuan3DFlowAdapter.hunyuanConsistencyTimes(5, 100, 1000);
        assertThat(t).hasSize(6);
        assertThat(t[0]).isEqualTo(0.0);
        assertThat(t[1]).isCloseTo(199 / 999.0, within(1e-7));
        assertThat(t[4]).isCloseTo(799 / 999.0, within(1e-7));
        assertThat(t[5]).isEqualTo(1.0);
    }

    @Test
    void hunyuanShiftIsTheSd3NoiseShiftWithTheInverseFactor() {
        for (double s : new double[] {0.5, 2.0, 3.0, 7.0}) {
            for (double t = 0.05; t < 1; t += 0.1) {
                double u = 1 - t; // noise level
                double sd3 = (u / s) / (1 + (1 / s - 1) * u); // SD3: σ' = k·σ/(1 + (k−1)·σ), k = 1/s
                assertThat(1 - Hunyuan3DFlowAdapter.shift(t, s)).isCloseTo(sd3, within(1e-12));
            }
        }
    }

    @Test
    void aGuidanceDistilledModelNeedsItsScale() {
        Hunyuan3DDiT fast = new Hunyuan3DDiT(Hunyuan3DDiTConfig.tiny().withGuidanceEmbed(true), Rng.cpu(0));
        assertThatThrownBy(() -> Hunyuan3DFlowAdapter.of(fast)).hasMessageContaining("guidance");
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(1);
            Tensor v = Hunyuan3DFlowAdapter.of(fast, 5.0)
                    .velocity(Rng.randn(g, 2, 6, 8), Rng.rand(g, 2), Rng.randn(g, 2, 3, 32));
            assertThat(Tensors.shape(v)).containsExactly(2, 6, 8);
        }
    }

    @Test
    void aHunyuanDiTSamplesThroughTesserasSamplersWithZeroTokenGuidance() {
        Hunyuan3DDiT dit = new Hunyuan3DDiT(Hunyuan3DDiTConfig.tiny(), Rng.cpu(0));
        dit.eval();
        try (StepScope s = new StepScope();
                var ng = new org.bytedeco.pytorch.NoGradGuard()) {
            Generator g = Rng.cpu(8);
            Tensor noise = Rng.randn(g, 2, 6, 8), cond = Rng.randn(g, 2, 3, 32);
            Tensor uncond = torch.zeros_like(cond); // Hunyuan's unconditional_embedding
            double[] times =
                    dev.tessera.model.flow.Timesteps.uniform(4, 1.0); // = hunyuanTimes(5, 1) without its repeat
            var guidance = dev.tessera.model.flow.Guidance.of(5.0);
            Tensor a = new dev.tessera.model.flow.EulerSampler()
                    .sample(Hunyuan3DFlowAdapter.of(dit), noise, times, cond, uncond, guidance);
            // Hunyuan's own loop: x += (σ' − σ)·(v_u + w·(v_c − v_u)) over its grid
            double[] sig = Hunyuan3DFlowAdapter.hunyuanTimes(5, 1.0);
            Tensor x = noise;
            for (int i = 0; i < 5; i++) {
                Tensor sigma = torch.full(
                        new long[] {2},
                        new Scalar(sig[i]),
                        new org.bytedeco.pytorch.TensorOptions(org.bytedeco.pytorch.global.torch.ScalarType.Float));
                Tensor vc = dit.forward(x, sigma, cond), vu = dit.forward(x, sigma, uncond);
                Tensor v = vu.add(vc.sub(vu).mul(new Scalar(5.0)));
                x = x.add(v.mul(new Scalar(sig[i + 1] - sig[i])));
            }
            assertThat(maxAbs(a.sub(noise))).isGreaterThan(1e-2); // the model moved the latents
            assertThat(maxAbs(a.sub(x))).isLessThan(1e-4);
        }
    }

    static double maxAbs(Tensor t) {
        return t.abs().max().item_double();
    }
}
