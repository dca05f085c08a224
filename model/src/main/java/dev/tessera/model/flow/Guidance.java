package dev.tessera.model.flow;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Classifier-free guidance (Ho &amp; Salimans 2022): {@code v = v_u + w·(v_c − v_u)}, with {@code v_c} the velocity
 * given the condition and {@code v_u} given the null condition, applied only while {@code tMin ≤ t ≤ tMax} (guidance
 * interval, Kynkäänniemi et al. 2024); outside it the conditional velocity is used alone. {@code w = 1} is the
 * conditional prediction exactly (the unconditional branch is not evaluated).
 *
 * <p>Conventions elsewhere: Hunyuan3D-2's {@code guidance_scale} is {@code w}; TRELLIS's {@code cfg_strength} {@code
 * k} computes {@code (1 + k)·v_c − k·v_u}, so {@code w = 1 + k}, and its {@code cfg_interval} is on its own time
 * ({@code TrellisFlowAdapter.guidance}).
 *
 * @param scale w
 * @param tMin start of the interval in Tessera's time (0 = noise)
 * @param tMax end of the interval
 */
public record Guidance(
        double scale,
        @JsonProperty("t_min") double tMin,
        @JsonProperty("t_max") double tMax) {
    public Guidance {
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException("guidance scale must be finite, got " + scale);
        }
        if (!(tMin >= 0 && tMax <= 1 && tMin <= tMax)) {
            throw new IllegalArgumentException(
                    "guidance interval must satisfy 0 ≤ t_min ≤ t_max ≤ 1, got [" + tMin + ", " + tMax + "]");
        }
    }

    /** No guidance: the conditional velocity. */
    public static Guidance none() {
        return new Guidance(1.0, 0, 1);
    }

    /** Guidance of scale {@code w} at every step. */
    public static Guidance of(double w) {
        return new Guidance(w, 0, 1);
    }

    /** True when the unconditional branch is evaluated at time {@code t}. */
    public boolean activeAt(double t) {
        return scale != 1.0 && t >= tMin && t <= tMax;
    }

    /**
     * The guided velocity at {@code z [B, ...]}, time {@code t}: one batched model call on {@code [z; z]} with {@code
     * [cond; uncond]} when guidance is active, a plain call otherwise.
     *
     * @param uncond the null condition, the shape of {@code cond} or with a batch of 1; needed when active
     */
    public Tensor velocity(VelocityModel model, Tensor z, double t, Tensor cond, Tensor uncond) {
        return velocity(model, z, t, prepare(z.size(0), cond, uncond));
    }

    /**
     * The conditions of a batch of {@code b}, made once for a whole sampling run: the condition (expanded to the
     * batch) and, when guidance is ever active, {@code [cond; uncond]} for the batched call.
     */
    public record Conditions(Tensor cond, Tensor both) {}

    /** Builds the {@link Conditions} of a batch of {@code b} (call it outside the per-step scopes). */
    public Conditions prepare(long b, Tensor cond, Tensor uncond) {
        Tensor c = cond == null || cond.size(0) == b ? cond : expandBatch(cond, b, "condition");
        if (scale == 1.0) {
            return new Conditions(c, null);
        }
        if (cond == null || uncond == null) {
            throw new IllegalArgumentException("classifier-free guidance (scale " + scale
                    + ") needs a condition and a null condition; use scale 1 for an unconditional model");
        }
        Tensor u = uncond.size(0) == b ? uncond : expandBatch(uncond, b, "null condition");
        return new Conditions(
                c, torch.cat(new TensorVector(c, u.to(c.scalar_type().intern())), 0)); // [2B, ...]
    }

    /** The guided velocity with conditions made by {@link #prepare}. */
    public Tensor velocity(VelocityModel model, Tensor z, double t, Conditions c) {
        long b = z.size(0);
        Tensor tb = torch.full(new long[] {b}, new Scalar(t), new org.bytedeco.pytorch.TensorOptions(z.scalar_type()));
        if (!activeAt(t)) {
            return model.velocity(z, tb, c.cond()); // [B, ...]
        }
        Tensor z2 = torch.cat(new TensorVector(z, z), 0); // [2B, ...]
        Tensor t2 = torch.cat(new TensorVector(tb, tb), 0); // [2B]
        Tensor v = model.velocity(z2, t2, c.both()); // [2B, ...]
        Tensor vc = v.narrow(0, 0, b); // [B, ...]
        Tensor vu = v.narrow(0, b, b); // [B, ...]
        return vu.add(vc.sub(vu).mul(new Scalar(scale))); // [B, ...]
    }

    private static Tensor expandBatch(Tensor t, long b, String what) {
        if (t.size(0) != 1) {
            throw new IllegalArgumentException(
                    "the " + what + "'s batch is " + t.size(0) + ", the latents' " + b + " (give 1 or " + b + ")");
        }
        long[] shape = dev.tessera.model.Tensors.shape(t);
        shape[0] = b;
        return t.expand(shape); // [B, ...]
    }
}
