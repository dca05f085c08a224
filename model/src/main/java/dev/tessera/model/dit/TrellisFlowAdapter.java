package dev.tessera.model.dit;

import dev.tessera.model.Torch;
import dev.tessera.model.flow.Guidance;
import dev.tessera.model.flow.Timesteps;
import dev.tessera.model.flow.VelocityModel;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Calls a TRELLIS flow model in its own time convention and returns the velocity in Tessera's, so Tessera's samplers
 * run TRELLIS checkpoints ({@link SparseStructureFlowModel}) correctly.
 *
 * <p>TRELLIS ({@code trellis/trainers/flow_matching/flow_matching.py}, {@code trellis/pipelines/samplers/flow_euler.py})
 * runs from data at {@code τ = 0} to noise at {@code τ = 1}: {@code x_τ = (1 − τ)·x + (σ_min + (1 − σ_min)·τ)·ε},
 * target {@code v = (1 − σ_min)·ε − x}, the model called with {@code 1000·τ}, and its Euler step {@code x ← x − (τ −
 * τ_prev)·v} walks τ from 1 down to 0. With Tessera's time {@code s = 1 − τ}:
 *
 * <pre>
 * z_s = s·x + (1 − (1 − σ_min)·s)·ε,   dz/ds = x − (1 − σ_min)·ε = −v
 * </pre>
 *
 * so <b>Tessera's velocity is {@code −model(z, 1000·(1 − s), cond)}</b>, exactly (σ_min included: the path just ends
 * at {@code x + σ_min·ε} instead of x), and Tessera's Euler step {@code z + (s' − s)·(−v)} is TRELLIS's step. The
 * schedule and guidance map too: TRELLIS's {@code rescale_t} is Tessera's timestep shift ({@link #times}); its
 * {@code cfg_strength k} computes {@code (1 + k)·v_c − k·v_u}, Tessera's scale {@code 1 + k}; its {@code
 * cfg_interval [a, b]} on τ is {@code [1 − b, 1 − a]} on s ({@link #guidance}). The unconditional input is all-zero
 * condition tokens ({@code neg_cond = zeros_like(cond)}).
 */
public final class TrellisFlowAdapter implements VelocityModel {
    static {
        Torch.load();
    }

    /** A denoiser in TRELLIS's convention: {@code x}, {@code τ·1000 [B]}, condition → {@code v}. */
    @FunctionalInterface
    public interface NativeModel {
        Tensor apply(Tensor x, Tensor thousandTau, Tensor cond);
    }

    private final NativeModel model;

    /** Wraps any denoiser written in TRELLIS's convention. */
    public TrellisFlowAdapter(NativeModel model) {
        this.model = model;
    }

    /** Wraps a {@link SparseStructureFlowModel}. */
    public static TrellisFlowAdapter of(SparseStructureFlowModel flow) {
        return new TrellisFlowAdapter(flow::forward);
    }

    /** Tessera's velocity {@code dz/ds} at {@code z} and Tessera times {@code s [B]}. */
    @Override
    public Tensor velocity(Tensor z, Tensor s, Tensor cond) {
        return model.apply(z, toTrellisTime(s).mul(new Scalar(1000.0)), cond).neg(); // [B, ...] = −v
    }

    /** TRELLIS's τ of Tessera's s: {@code 1 − s}. */
    public static Tensor toTrellisTime(Tensor s) {
        return s.neg().add(new Scalar(1.0)); // [B]
    }

    /**
     * The grid TRELLIS's Euler sampler visits for {@code steps} and {@code rescale_t}, as Tessera times: τ = {@code
     * linspace(1, 0, steps + 1)} warped by {@code rescale_t·τ/(1 + (rescale_t − 1)·τ)}, and s = 1 − τ. This is
     * {@link Timesteps#uniform}{@code (steps, rescale_t)}.
     */
    public static double[] times(int steps, double rescaleT) {
        return Timesteps.uniform(steps, rescaleT);
    }

    /** TRELLIS's {@code cfg_strength} and {@code cfg_interval} (on τ) as Tessera's guidance. */
    public static Guidance guidance(double cfgStrength, double intervalStart, double intervalEnd) {
        return new Guidance(1 + cfgStrength, 1 - intervalEnd, 1 - intervalStart);
    }
}
