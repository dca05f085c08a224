package dev.tessera.model.dit;

import dev.tessera.model.Torch;
import org.bytedeco.pytorch.Tensor;

/**
 * Calls a Hunyuan3D-2 denoiser in its own time convention and returns the velocity in Tessera's rectified-flow
 * convention, so that Tessera's samplers (Euler, Heun, CFG) run a Hunyuan3D-2 checkpoint correctly.
 *
 * <p>Tessera: {@code z_t = (1 − t)·z_0 + t·z_1}, {@code z_0} noise, {@code z_1} data, {@code t} from 0 to 1, velocity
 * {@code dz/dt = z_1 − z_0}. Hunyuan3D-2 (read from {@code hy3dgen/shapegen/pipelines.py},
 * {@code Hunyuan3DDiTFlowMatchingPipeline}, and {@code schedulers.py}, {@code FlowMatchEulerDiscreteScheduler}, whose
 * own comment says its timesteps are reversed with respect to diffusers'; training in Hunyuan3D-2.1's
 * {@code transport/path.py}, {@code ICPlan}):
 *
 * <ul>
 *   <li>sampling starts from Gaussian noise at {@code σ = 0} and ends at {@code σ = 1}: the sigmas are
 *       {@code linspace(0, 1, N)} followed by a final 1;
 *   <li>the scheduler's timesteps are {@code 1000·σ}, and the pipeline divides them by {@code num_train_timesteps}
 *       (1000) before calling the model, so the model receives {@code σ} itself in [0, 1] (it multiplies by 1000
 *       inside its timestep embedding);
 *   <li>the Euler step is {@code x ← x + (σ_next − σ)·v}: the model's output is {@code dx/dσ}, pointing from noise
 *       to data; training used {@code x_σ = σ·x_1 + (1 − σ)·x_0} with {@code x_0} noise and target {@code x_1 − x_0}.
 * </ul>
 *
 * So the map is the identity: {@code σ = t}, {@code x = z} and Tessera's velocity is the model's output, with no sign
 * change and no rescaling. What differs is around the model: the pipeline's schedule ({@link #hunyuanTimes}), its
 * shift (Hunyuan's {@code shift = s} is the SD3-style noise shift {@code 1/s} — see {@link #shift}), the latent scale
 * ({@code z = scale_factor · VAE latent}) and the guidance (an all-zero condition of the same shape as the
 * unconditional branch; the guidance-distilled models take the scale as an input instead).
 */
public final class Hunyuan3DFlowAdapter implements dev.tessera.model.flow.VelocityModel {
    static {
        Torch.load();
    }

    /** A denoiser in Hunyuan3D-2's convention: {@code x [B, N, C]}, {@code σ [B]} in [0, 1] → {@code dx/dσ}. */
    @FunctionalInterface
    public interface NativeModel {
        Tensor apply(Tensor x, Tensor sigma, Tensor cond);
    }

    private final NativeModel model;

    /** Wraps any denoiser written in Hunyuan3D-2's convention. */
    public Hunyuan3DFlowAdapter(NativeModel model) {
        this.model = model;
    }

    /** Wraps a {@link Hunyuan3DDiT} (not guidance-distilled). */
    public static Hunyuan3DFlowAdapter of(Hunyuan3DDiT dit) {
        if (dit.config().guidanceEmbed()) {
            throw new IllegalArgumentException(
                    "this Hunyuan3DDiT is guidance-distilled (guidance_embed: true): use of(dit, guidanceScale)");
        }
        return new Hunyuan3DFlowAdapter(dit::forward);
    }

    /**
     * Wraps a guidance-distilled {@link Hunyuan3DDiT} ({@code -fast}, {@code -turbo}): the scale is an input of the
     * model, so Tessera's sampler must run it without classifier-free guidance (scale 1).
     */
    public static Hunyuan3DFlowAdapter of(Hunyuan3DDiT dit, double guidanceScale) {
        return new Hunyuan3DFlowAdapter((x, sigma, cond) -> {
            Tensor g = sigma.new_full(new long[] {sigma.size(0)}, new org.bytedeco.pytorch.Scalar(guidanceScale));
            return dit.forward(x, sigma, cond, g);
        });
    }

    /**
     * Tessera's velocity {@code dz/dt} at {@code z [B, N, C]} and Tessera times {@code t [B]}, for condition tokens
     * {@code cond}.
     */
    @Override
    public Tensor velocity(Tensor z, Tensor t, Tensor cond) {
        return tesseraVelocity(model, z, t, cond);
    }

    /**
     * The mapping itself: Hunyuan's {@code σ} is Tessera's {@code t}, its state is Tessera's {@code z}, and its
     * output {@code dx/dσ} is Tessera's velocity.
     */
    public static Tensor tesseraVelocity(NativeModel model, Tensor z, Tensor t, Tensor cond) {
        Tensor sigma = toSigma(t); // [B]
        return model.apply(z, sigma, cond); // [B, N, C] = dz/dt
    }

    /** Hunyuan's model time for Tessera's {@code t}: the same number. */
    public static Tensor toSigma(Tensor t) {
        return t;
    }

    /**
     * The times at which Hunyuan3D-2's pipeline evaluates its model for {@code steps} inference steps and a scheduler
     * {@code shift}, followed by the final time: {@code σ_i = shift(i/(steps−1))}, then 1. Since the last model
     * time is already 1, the last step moves nothing: Hunyuan's {@code steps} evaluations are {@code steps − 1}
     * Euler updates. With {@code shift = 1} this is exactly Tessera's uniform Euler grid of {@code steps − 1} steps.
     */
    public static double[] hunyuanTimes(int steps, double shift) {
        if (steps < 2) {
            throw new IllegalArgumentException("Hunyuan3D-2's schedule needs at least 2 steps, got " + steps);
        }
        double[] out = new double[steps + 1];
        for (int i = 0; i < steps; i++) {
            // float32 as numpy's linspace result is cast by the scheduler
            out[i] = (float) shift((double) i / (steps - 1), shift);
        }
        out[steps] = 1.0;
        return out;
    }

    /**
     * The times of {@code ConsistencyFlowMatchEulerDiscreteScheduler} (the turbo checkpoints' scheduler), followed by
     * the final 1: of the {@code trainTimesteps} sigmas {@code k/(trainTimesteps − 1)} it keeps index 0 and
     * {@code round(i · trainTimesteps/pcmTimesteps) − 1} for {@code i = 1..pcmTimesteps−1}, then takes
     * {@code steps} of those at {@code ⌊linspace(0, pcmTimesteps, steps, endpoint=False)⌋}. Same direction as
     * Tessera; every step moves (the last goes to 1).
     */
    public static double[] hunyuanConsistencyTimes(int steps, int pcmTimesteps, int trainTimesteps) {
        if (steps < 1 || pcmTimesteps < 1 || pcmTimesteps > trainTimesteps) {
            throw new IllegalArgumentException(
                    "bad consistency schedule: " + steps + " steps, " + pcmTimesteps + " of " + trainTimesteps);
        }
        int ratio = trainTimesteps / pcmTimesteps;
        double[] out = new double[steps + 1];
        for (int j = 0; j < steps; j++) {
            int i = (int) Math.floor((double) j * pcmTimesteps / steps);
            long k = i == 0 ? 0 : Math.round((double) i * ratio) - 1;
            out[j] = (float) ((double) k / (trainTimesteps - 1));
        }
        out[steps] = 1.0;
        return out;
    }

    /**
     * Hunyuan's timestep shift on its own time (0 = noise): {@code σ' = s·σ / (1 + (s − 1)·σ)}. In terms of the noise
     * level {@code u = 1 − t} this is {@code u' = (u/s) / (1 + (1/s − 1)·u)}: the SD3 shift with factor {@code 1/s},
     * so a Hunyuan shift above 1 spends <i>fewer</i> steps near noise, unlike the same number in diffusers.
     */
    public static double shift(double sigma, double s) {
        return s * sigma / (1 + (s - 1) * sigma);
    }
}
