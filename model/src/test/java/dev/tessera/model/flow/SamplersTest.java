package dev.tessera.model.flow;

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

/** Euler and Heun on fields whose flows are known in closed form; guidance; time grids; determinism. */
class SamplersTest {
    static double maxAbs(Tensor t) {
        return t.abs().max().item_double();
    }

    static Tensor oneMinus(Tensor t, Tensor like) {
        return RectifiedFlow.broadcast(t.neg().add(new Scalar(1.0)), like);
    }

    @Test
    void eulerOnTheStraightFieldOfOneDataPointReachesItExactly() {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(1);
            Tensor d = Rng.randn(g, 2, 16, 4);
            VelocityModel toward = (z, t, c) -> d.sub(z).div(oneMinus(t, z)); // (d − z)/(1 − t), linear in z
            for (int steps : new int[] {1, 3, 25}) {
                for (double shift : new double[] {1.0, 3.0}) {
                    Tensor x = new EulerSampler()
                            .sample(
                                    toward,
                                    Rng.randn(g, 2, 16, 4),
                                    Timesteps.uniform(steps, shift),
                                    null,
                                    null,
                                    Guidance.none());
                    assertThat(maxAbs(x.sub(d)))
                            .as("%d steps, shift %s", steps, shift)
                            .isLessThan(1e-5);
                }
            }
            // a constant field z1 − z0 carries z0 to z1 in any number of steps
            Tensor z0 = Rng.randn(g, 3, 5), z1 = Rng.randn(g, 3, 5);
            Tensor v = z1.sub(z0);
            Tensor x =
                    new EulerSampler().sample((z, t, c) -> v, z0, Timesteps.uniform(7, 1), null, null, Guidance.none());
            assertThat(maxAbs(x.sub(z1))).isLessThan(1e-6);
        }
    }

    /** dz/dt = −2t·z from z(0) = 1: z(1) = e^{−1}. */
    static double error(FlowSampler sampler, int steps) {
        try (StepScope s = new StepScope()) {
            VelocityModel f = (z, t, c) -> z.mul(RectifiedFlow.broadcast(t, z)).mul(new Scalar(-2.0));
            Tensor z0 = torch.ones(new long[] {1, 1}, new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Double));
            Tensor x = sampler.sample(f, z0, Timesteps.uniform(steps, 1), null, null, Guidance.none());
            return Math.abs(x.item_double() - Math.exp(-1));
        }
    }

    @Test
    void heunIsSecondOrderAndEulerFirstOrder() {
        double e1 = error(new EulerSampler(), 16), e2 = error(new EulerSampler(), 32);
        double h1 = error(new HeunSampler(), 16), h2 = error(new HeunSampler(), 32);
        assertThat(e1 / e2).isCloseTo(2.0, within(0.15));
        assertThat(h1 / h2).isCloseTo(4.0, within(0.3));
        assertThat(h2).isLessThan(e2 / 20);
    }

    /** v = W·z + cond·1 (cond a per-sample scalar), so v_c − v_u = cond − uncond exactly. */
    static VelocityModel conditioned(Tensor w) {
        return (z, t, c) -> z.matmul(w).add(RectifiedFlow.broadcast(c, z));
    }

    @Test
    void guidanceOfScaleOneIsTheConditionalPredictionAndOtherScalesFollowTheFormula() {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(2);
            Tensor w = Rng.randn(g, 4, 4).mul(new Scalar(0.2));
            VelocityModel m = conditioned(w);
            Tensor z = Rng.randn(g, 3, 6, 4);
            Tensor cond = Tensors.fromFloats(new float[] {1, 2, 3}, 3);
            Tensor uncond = Tensors.fromFloats(new float[] {0}, 1);
            Tensor tb = torch.full(
                    new long[] {3}, new Scalar(0.4), new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Float));
            Tensor vc = m.velocity(z, tb, cond);
            assertThat(maxAbs(Guidance.of(1.0).velocity(m, z, 0.4, cond, uncond).sub(vc)))
                    .isZero();
            assertThat(maxAbs(Guidance.none().velocity(m, z, 0.4, cond, null).sub(vc)))
                    .isZero();
            // w = 4: v_u + 4·(v_c − v_u) = v_c + 3·(cond − 0)
            Tensor guided = Guidance.of(4.0).velocity(m, z, 0.4, cond, uncond);
            Tensor byHand = vc.add(RectifiedFlow.broadcast(cond, z).mul(new Scalar(3.0)));
            assertThat(maxAbs(guided.sub(byHand))).isLessThan(1e-5);
            // outside the interval: the conditional prediction
            Guidance interval = new Guidance(4.0, 0.5, 1.0);
            assertThat(maxAbs(interval.velocity(m, z, 0.4, cond, uncond).sub(vc)))
                    .isZero();
            assertThat(maxAbs(interval.velocity(m, z, 0.5, cond, uncond).sub(vc)))
                    .isGreaterThan(0.5);
            // a whole sampling run with scale 1 and a null condition equals one without
            Tensor noise = Rng.randn(g, 3, 6, 4);
            double[] times = Timesteps.uniform(5, 1);
            Tensor a = new HeunSampler().sample(m, noise, times, cond, uncond, Guidance.of(1.0));
            Tensor b = new HeunSampler().sample(m, noise, times, cond, null, Guidance.none());
            assertThat(maxAbs(a.sub(b))).isZero();
            assertThatThrownBy(() -> Guidance.of(3.0).velocity(m, z, 0.4, cond, null))
                    .hasMessageContaining("null condition");
        }
    }

    @Test
    void theShiftIsSd3sOnTheNoiseLevelAndKeepsTheEnds() {
        for (double s : new double[] {0.5, 1.0, 3.0}) {
            for (double t = 0; t <= 1.0001; t += 0.05) {
                double sigma = 1 - Math.min(t, 1);
                double sd3 = s * sigma / (1 + (s - 1) * sigma);
                assertThat(Timesteps.shift(Math.min(t, 1), s)).isCloseTo(1 - sd3, within(1e-12));
            }
        }
        assertThat(Timesteps.shift(0.5, 3.0)).isCloseTo(0.25, within(1e-12)); // σ 0.5 → 0.75
        double[] grid = Timesteps.uniform(4, 3.0);
        assertThat(grid[0]).isZero();
        assertThat(grid[4]).isEqualTo(1.0);
        for (int i = 0; i < 4; i++) {
            assertThat(grid[i + 1] - grid[i]).isGreaterThan(0);
        }
        assertThat(grid[1]).isLessThan(0.25); // more steps near the noise
        assertThat(Timesteps.uniform(4, 1.0)).containsExactly(0, 0.25, 0.5, 0.75, 1);
        assertThatThrownBy(() -> Timesteps.check(new double[] {0, 0.5, 0.4})).hasMessageContaining("rise");
    }

    @Test
    void samplingIsDeterministicPerSeedAndIndependentOfTheBatch() {
        try (StepScope s = new StepScope()) {
            Tensor all = FlowSampler.noise(42, 0, 4, 8, 3);
            Tensor tail = FlowSampler.noise(42, 2, 2, 8, 3);
            assertThat(Tensors.shape(all)).containsExactly(4, 8, 3);
            assertThat(maxAbs(all.narrow(0, 2, 2).sub(tail))).isZero(); // sample i is the same in any batch
            assertThat(maxAbs(FlowSampler.noise(43, 0, 4, 8, 3).sub(all))).isGreaterThan(0.1);
            Tensor w = Rng.randn(Rng.cpu(3), 3, 3).mul(new Scalar(0.3));
            VelocityModel m = (z, t, c) -> z.matmul(w).tanh();
            Tensor a = new HeunSampler().sample(m, all, Timesteps.uniform(6, 2), null, null, Guidance.none());
            Tensor b = new HeunSampler().sample(m, all, Timesteps.uniform(6, 2), null, null, Guidance.none());
            assertThat(maxAbs(a.sub(b))).isZero();
            assertThat(maxAbs(a.sub(all))).isGreaterThan(0.01); // it moved, and the input was not touched in place
            assertThat(FlowSampler.of("heun")).isInstanceOf(HeunSampler.class);
            assertThatThrownBy(() -> FlowSampler.of("rk4")).hasMessageContaining("euler or heun");
        }
    }
}
