package dev.tessera.model.flow;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tessera.model.Rng;
import dev.tessera.model.Torch;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Rectified flow (Liu et al. 2022; conditional flow matching, Lipman et al. 2022) as Tessera trains it:
 *
 * <pre>
 * z_t = (1 − t)·z_0 + t·z_1          z_0 ~ N(0, I) noise at t = 0, z_1 data at t = 1
 * v   = dz_t/dt = z_1 − z_0          the target velocity, constant along each straight path
 * L   = E ‖v_θ(z_t, t, c) − (z_1 − z_0)‖²     (mean over every element)
 * t   = sigmoid(m + s·n), n ~ N(0, 1)          logit-normal times (SD3, Esser et al. 2024)
 * c   ← null condition with probability p      condition dropout, so one model also predicts unconditionally (CFG)
 * </pre>
 *
 * <p>With {@code m = 0} the times concentrate around the middle of the path; {@code m < 0} moves them towards the
 * noise end. TRELLIS's logit-normal {@code (1, 1)} on its own time (1 = noise) is {@code (−1, 1)} here.
 *
 * @param logitNormalMean m
 * @param logitNormalStd s (0 puts every t at {@code sigmoid(m)})
 * @param condDropout p, the probability that a sample's condition is replaced by the null condition during training
 */
public record RectifiedFlow(
        @JsonProperty("logit_normal_mean") double logitNormalMean,
        @JsonProperty("logit_normal_std") double logitNormalStd,
        @JsonProperty("cond_dropout") double condDropout) {
    static {
        Torch.load();
    }

    public RectifiedFlow {
        if (!Double.isFinite(logitNormalMean) || !(logitNormalStd >= 0) || !Double.isFinite(logitNormalStd)) {
            throw new IllegalArgumentException(
                    "logit-normal mean must be finite and std ≥ 0, got " + logitNormalMean + ", " + logitNormalStd);
        }
        if (!(condDropout >= 0 && condDropout < 1)) {
            throw new IllegalArgumentException("condition dropout must be in [0, 1), got " + condDropout);
        }
    }

    /** SD3's default: logit-normal(0, 1) times, 10 % condition dropout. */
    public static RectifiedFlow defaults() {
        return new RectifiedFlow(0.0, 1.0, 0.1);
    }

    /** The point on the straight path: {@code (1 − t)·z0 + t·z1} with {@code t [B]} broadcast over the other axes. */
    public static Tensor interpolate(Tensor z0, Tensor z1, Tensor t) {
        return torch.lerp(z0, z1, broadcast(t, z0)); // [B, ...]
    }

    /** The velocity of the straight path from {@code z0} to {@code z1}: {@code z1 − z0}. */
    public static Tensor velocityTarget(Tensor z0, Tensor z1) {
        return z1.sub(z0); // [B, ...]
    }

    /** {@code t [B]} reshaped to {@code [B, 1, …, 1]} to broadcast against {@code like [B, ...]}. */
    public static Tensor broadcast(Tensor t, Tensor like) {
        long[] shape = new long[(int) like.dim()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = t.size(0);
        return t.to(like.scalar_type().intern()).reshape(shape); // [B, 1, ..., 1]
    }

    /** {@code b} training times {@code sigmoid(m + s·n)} drawn from {@code g}, float32 {@code [B]} in (0, 1). */
    public Tensor sampleTimes(Generator g, long b) {
        return Rng.randn(g, b)
                .mul(new Scalar(logitNormalStd))
                .add(new Scalar(logitNormalMean))
                .sigmoid(); // [B]
    }

    /**
     * Replaces each sample's condition by the null condition with probability {@link #condDropout()}, drawing from
     * {@code g}. {@code uncond} has the shape of {@code cond} (or a batch of 1, broadcast). Returns {@code cond} itself
     * when dropout is 0 or there is no condition.
     */
    public Tensor dropCondition(Tensor cond, Tensor uncond, Generator g) {
        if (cond == null || condDropout == 0) {
            return cond;
        }
        if (uncond == null) {
            throw new IllegalArgumentException("condition dropout needs a null condition");
        }
        Tensor drop = Rng.rand(g, cond.size(0)).lt(new Scalar(condDropout)); // [B] bool
        long[] shape = new long[(int) cond.dim()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = cond.size(0);
        return torch.where(drop.reshape(shape), uncond.to(cond.scalar_type().intern()), cond); // [B, ...]
    }

    /** The terms of one training step: the loss and what went into it. */
    public record Loss(Tensor loss, Tensor t, Tensor z0, Tensor zt, Tensor prediction, Tensor target) {}

    /**
     * The conditional flow-matching loss of a batch of data latents {@code z1 [B, ...]}: draws t (logit-normal), the
     * noise z0 and the condition dropout from {@code g} in that order, then {@code mean((v_θ(z_t, t, c) − (z1 −
     * z0))²)}.
     *
     * @param cond the batch's condition ({@code null} for an unconditional model)
     * @param uncond the null condition used for dropout ({@code null} when dropout is 0 or there is no condition)
     */
    public Loss loss(VelocityModel model, Tensor z1, Tensor cond, Tensor uncond, Generator g) {
        long b = z1.size(0);
        Tensor t = sampleTimes(g, b); // [B]
        Tensor z0 = Rng.randn(g, dev.tessera.model.Tensors.shape(z1))
                .to(z1.scalar_type().intern()); // [B, ...]
        Tensor zt = interpolate(z0, z1, t); // [B, ...]
        Tensor c = dropCondition(cond, uncond, g); // [B, ...] or null
        Tensor target = velocityTarget(z0, z1); // [B, ...]
        Tensor v = model.velocity(zt, t, c); // [B, ...]
        Tensor loss = torch.mse_loss(v.to(torch.ScalarType.Float), target.to(torch.ScalarType.Float)); // []
        return new Loss(loss, t, z0, zt, v, target);
    }
}
