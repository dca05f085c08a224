package dev.tessera.model.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tessera.model.Checkpoint;
import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import dev.tessera.model.latent.LatentKind;
import dev.tessera.model.latent.LatentStatistics;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** The flow's maths: the path, its velocity, the training times, the loss, dropout and latent normalisation. */
class RectifiedFlowTest {
    static double maxAbs(Tensor t) {
        return t.abs().max().item_double();
    }

    @Test
    void interpolationRunsFromNoiseAtZeroToDataAtOne() {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(1);
            Tensor z0 = Rng.randn(g, 3, 5, 4), z1 = Rng.randn(g, 3, 5, 4);
            Tensor t = Tensors.fromFloats(new float[] {0f, 0.25f, 1f}, 3);
            Tensor zt = RectifiedFlow.interpolate(z0, z1, t);
            assertThat(maxAbs(zt.select(0, 0).sub(z0.select(0, 0)))).isZero();
            assertThat(maxAbs(zt.select(0, 2).sub(z1.select(0, 2)))).isZero();
            Tensor byHand =
                    z0.select(0, 1).mul(new Scalar(0.75)).add(z1.select(0, 1).mul(new Scalar(0.25)));
            assertThat(maxAbs(zt.select(0, 1).sub(byHand))).isLessThan(1e-6);
            // grid latents [B, C, D, H, W] broadcast the same way
            Tensor g0 = Rng.randn(g, 2, 2, 3, 3, 3), g1 = Rng.randn(g, 2, 2, 3, 3, 3);
            Tensor gt = RectifiedFlow.interpolate(g0, g1, Tensors.fromFloats(new float[] {1f, 0f}, 2));
            assertThat(maxAbs(gt.select(0, 0).sub(g1.select(0, 0)))).isZero();
            assertThat(maxAbs(gt.select(0, 1).sub(g0.select(0, 1)))).isZero();
        }
    }

    @Test
    void theVelocityTargetIsTheTimeDerivativeOfThePath() {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(2);
            Tensor z0 = Rng.randn(g, 2, 6, 3).to(org.bytedeco.pytorch.global.torch.ScalarType.Double);
            Tensor z1 = Rng.randn(g, 2, 6, 3).to(org.bytedeco.pytorch.global.torch.ScalarType.Double);
            double h = 1e-4;
            for (double t : new double[] {0.1, 0.5, 0.9}) {
                Tensor a = RectifiedFlow.interpolate(z0, z1, full(2, t - h));
                Tensor b = RectifiedFlow.interpolate(z0, z1, full(2, t + h));
                Tensor derivative = b.sub(a).div(new Scalar(2 * h));
                assertThat(maxAbs(derivative.sub(RectifiedFlow.velocityTarget(z0, z1))))
                        .isLessThan(1e-8);
            }
            assertThat(maxAbs(RectifiedFlow.velocityTarget(z0, z1).sub(z1).add(z0)))
                    .isZero(); // z1 − z0, not z0 − z1
        }
    }

    static Tensor full(long b, double t) {
        return org.bytedeco.pytorch.global.torch.full(
                new long[] {b},
                new Scalar(t),
                new org.bytedeco.pytorch.TensorOptions(org.bytedeco.pytorch.global.torch.ScalarType.Double));
    }

    @Test
    void logitNormalTimesHaveTheAskedMeanAndSpreadOnTheLogitScale() {
        try (StepScope s = new StepScope()) {
            RectifiedFlow f = new RectifiedFlow(-1.0, 0.5, 0);
            Tensor t = f.sampleTimes(Rng.cpu(3), 200_000);
            Tensor logit = t.div(t.neg().add(new Scalar(1.0))).log();
            assertThat(logit.mean().item_double()).isCloseTo(-1.0, within(0.01));
            assertThat(logit.std().item_double()).isCloseTo(0.5, within(0.01));
            assertThat(t.min().item_double()).isGreaterThan(0);
            assertThat(t.max().item_double()).isLessThan(1);
            Tensor same = f.sampleTimes(Rng.cpu(3), 200_000);
            assertThat(maxAbs(same.sub(t))).isZero(); // seeded
        }
    }

    @Test
    void theLossOfTheExactFieldIsZeroAndOfAZeroModelIsTheTargetsEnergy() {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(4);
            Tensor d = Rng.randn(g, 1, 8, 4).expand(4, 8, 4).contiguous(); // one data point, batch of 4
            // the exact rectified field of one data point: v = (d − z)/(1 − t)
            VelocityModel exact =
                    (z, t, c) -> d.sub(z).div(RectifiedFlow.broadcast(t.neg().add(new Scalar(1.0)), z));
            RectifiedFlow f = RectifiedFlow.defaults();
            RectifiedFlow.Loss l = f.loss(exact, d, null, null, Rng.cpu(5));
            assertThat(l.loss().item_double()).isLessThan(1e-9);
            RectifiedFlow.Loss zero = f.loss((z, t, c) -> z.mul(new Scalar(0)), d, null, null, Rng.cpu(5));
            double energy = l.target().pow(new Scalar(2)).mean().item_double();
            assertThat(zero.loss().item_double()).isCloseTo(energy, within(1e-6));
            // the same generator seed gives the same draws
            assertThat(maxAbs(zero.z0().sub(l.z0()))).isZero();
            assertThat(maxAbs(zero.t().sub(l.t()))).isZero();
        }
    }

    @Test
    void conditionDropoutReplacesAboutTheAskedShareByTheNullCondition() {
        try (StepScope s = new StepScope()) {
            RectifiedFlow f = new RectifiedFlow(0, 1, 0.3);
            int n = 20_000;
            long[] labels = new long[n];
            for (int i = 0; i < n; i++) {
                labels[i] = i % 5;
            }
            Tensor cond = Tensors.fromLongs(labels, n);
            Tensor nullClass = Tensors.fromLongs(new long[] {5}, 1);
            Tensor dropped = f.dropCondition(cond, nullClass, Rng.cpu(6));
            long[] out = Tensors.toLongs(dropped);
            int nulls = 0;
            for (int i = 0; i < n; i++) {
                if (out[i] == 5) {
                    nulls++;
                } else {
                    assertThat(out[i]).isEqualTo(labels[i]);
                }
            }
            assertThat(nulls / (double) n).isCloseTo(0.3, within(0.015));
            // tokens: dropped rows become exactly the null tokens
            Tensor tokens = Rng.randn(Rng.cpu(7), 64, 3, 2);
            Tensor t2 = f.dropCondition(tokens, tokens.mul(new Scalar(0)), Rng.cpu(8));
            int zeros = 0;
            for (int i = 0; i < 64; i++) {
                double m = maxAbs(t2.select(0, i));
                if (m == 0) {
                    zeros++;
                } else {
                    assertThat(maxAbs(t2.select(0, i).sub(tokens.select(0, i)))).isZero();
                }
            }
            assertThat(zeros).isBetween(5, 35);
            assertThat(RectifiedFlow.defaults().dropCondition(null, null, Rng.cpu(0)))
                    .isNull();
        }
    }

    @Test
    void badFlowSettingsAreRefused() {
        assertThatThrownBy(() -> new RectifiedFlow(0, -1, 0)).hasMessageContaining("std");
        assertThatThrownBy(() -> new RectifiedFlow(0, 1, 1.0)).hasMessageContaining("dropout");
    }

    @Test
    void latentNormalisationGivesUnitStatisticsAndInvertsExactly() throws Exception {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(9);
            // vecset [B, N, C] with channel c ~ N(c, (c+1)²)
            Tensor z = Rng.randn(g, 64, 32, 3)
                    .mul(Tensors.fromFloats(new float[] {1, 2, 3}, 1, 1, 3))
                    .add(Tensors.fromFloats(new float[] {0, 1, 2}, 1, 1, 3));
            LatentStatistics st = stats(z, 2);
            LatentNormalization per = LatentNormalization.fromStatistics(LatentKind.VECSET, st, true);
            Tensor x = per.normalize(z);
            for (int c = 0; c < 3; c++) {
                Tensor ch = x.select(2, c);
                assertThat(ch.mean().item_double()).isCloseTo(0, within(1e-4));
                assertThat(ch.std(false).item_double()).isCloseTo(1, within(1e-4));
            }
            assertThat(maxAbs(per.denormalize(x).sub(z))).isLessThan(1e-5);
            LatentNormalization global = LatentNormalization.fromStatistics(LatentKind.VECSET, st, false);
            assertThat(global.normalize(z).std(false).item_double()).isCloseTo(1, within(1e-4));
            // grid [B, C, D, H, W]: the channel axis is 1
            Tensor grid = Rng.randn(g, 8, 2, 4, 4, 4).mul(Tensors.fromFloats(new float[] {1, 5}, 1, 2, 1, 1, 1));
            LatentNormalization gn =
                    LatentNormalization.fromStatistics(LatentKind.SPARSE_STRUCTURE, stats(grid, 1), true);
            assertThat(gn.normalize(grid).select(1, 1).std(false).item_double()).isCloseTo(1, within(1e-4));
            // Hunyuan's scale_factor
            Tensor h = LatentNormalization.scaled(LatentKind.VECSET, 0.5).normalize(z);
            assertThat(maxAbs(h.sub(z.mul(new Scalar(0.5))))).isLessThan(1e-6);
            // stored in a config and read back equal
            String json = Checkpoint.JSON.writeValueAsString(per);
            LatentNormalization back = Checkpoint.JSON.readValue(json, LatentNormalization.class);
            assertThat(back).isEqualTo(per);
            assertThat(back.agrees(per)).isTrue();
            assertThat(global.agrees(per)).isFalse();
            assertThatThrownBy(() -> per.normalize(Rng.randn(g, 1, 2, 4))).hasMessageContaining("3 channels");
        }
    }

    /** Statistics of a batch along a channel axis, as LatentSet computes them. */
    static LatentStatistics stats(Tensor z, int axis) {
        Tensor d = z.to(org.bytedeco.pytorch.global.torch.ScalarType.Double);
        long c = z.size(axis);
        double[] mean = new double[(int) c], std = new double[(int) c];
        for (int i = 0; i < c; i++) {
            Tensor ch = d.select(axis, i);
            mean[i] = ch.mean().item_double();
            std[i] = ch.std(false).item_double();
        }
        return new LatentStatistics(
                z.size(0), d.mean().item_double(), d.std(false).item_double(), mean, std);
    }
}
