package dev.tessera.model.flow;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tessera.model.CoreParallel;
import dev.tessera.model.StepScope;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
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
     * The guided velocity at {@code z [B, ...]}, time {@code t}: the conditional and the unconditional model calls
     * side by side on the cores ({@link CoreParallel}) when guidance is active, a plain call otherwise.
     *
     * @param uncond the null condition, the shape of {@code cond} or with a batch of 1; needed when active
     */
    public Tensor velocity(VelocityModel model, Tensor z, double t, Tensor cond, Tensor uncond) {
        return velocity(model, z, t, prepare(z.size(0), cond, uncond));
    }

    /**
     * The conditions of a batch of {@code b}, made once for a whole sampling run: the condition and, when guidance
     * is ever active, the null condition, both expanded to the batch.
     */
    public record Conditions(Tensor cond, Tensor uncond) {}

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
        return new Conditions(c, u.to(c.scalar_type().intern())); // [B, ...] each
    }

    /**
     * The guided velocity with conditions made by {@link #prepare}. The two branches are always separate calls (in
     * parallel on several cores, in turn on one), so a seed gives the same samples whatever the machine's cores.
     */
    public Tensor velocity(VelocityModel model, Tensor z, double t, Conditions c) {
        long b = z.size(0);
        Tensor tb = torch.full(new long[] {b}, new Scalar(t), new org.bytedeco.pytorch.TensorOptions(z.scalar_type()));
        if (!activeAt(t)) {
            return model.velocity(z, tb, c.cond()); // [B, ...]
        }
        List<Tensor> v = CoreParallel.shared().map(2, branch -> {
            try (StepScope scope = new StepScope()) { // the worker's temporaries
                Tensor out = model.velocity(z, tb, branch == 0 ? c.cond() : c.uncond()); // [B, ...]
                return StepScope.keep(out); // outlives the worker's scope; released below
            }
        });
        Tensor vc = v.get(0), vu = v.get(1);
        try {
            return vu.add(vc.sub(vu).mul(new Scalar(scale))); // [B, ...]
        } finally {
            StepScope.release(vc);
            StepScope.release(vu);
        }
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
