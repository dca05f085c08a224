package dev.tessera.model.flow;

import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import dev.tessera.model.Torch;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * An ODE solver that carries noise at {@code t = 0} to data at {@code t = 1} along a {@link VelocityModel}. Every step
 * runs in its own {@link StepScope} without gradients; the state is one tensor updated in place.
 */
public interface FlowSampler {
    /** The solver's name ({@code euler}, {@code heun}). */
    String name();

    /** Model evaluations per step (1 for Euler, 2 for Heun), not counting the doubling by guidance. */
    int evaluationsPerStep();

    /**
     * Moves {@code state} (noise at {@code times[0]}, updated in place) along the model to {@code times[last]}.
     *
     * @param cond the condition ({@code null} for none), batch the state's or 1
     * @param uncond the null condition for guidance ({@code null} when {@code guidance} is never active)
     */
    default void solve(
            VelocityModel model, Tensor state, double[] times, Tensor cond, Tensor uncond, Guidance guidance) {
        solve(model, state, times, guidance.prepare(state.size(0), cond, uncond), guidance);
    }

    /** The same with the conditions prepared once ({@link Guidance#prepare}). */
    void solve(VelocityModel model, Tensor state, double[] times, Guidance.Conditions conditions, Guidance guidance);

    /**
     * Samples from noise: a copy of {@code noise [B, ...]} moved from {@code t = 0} to {@code t = 1} over {@code
     * times}. The result belongs to the caller's scope.
     */
    default Tensor sample(
            VelocityModel model, Tensor noise, double[] times, Tensor cond, Tensor uncond, Guidance guidance) {
        Timesteps.check(times);
        Tensor state = noise.clone(); // [B, ...]
        try (NoGradGuard ng = new NoGradGuard()) {
            Guidance.Conditions c = guidance.prepare(state.size(0), cond, uncond);
            solve(model.forConditions(c.cond(), c.uncond()), state, times, c, guidance);
        }
        return state;
    }

    /**
     * Standard normal noise {@code [count, ...shape]} where sample {@code i} comes from its own generator seeded by
     * {@code (seed, i)}: the same seed gives the same shapes whatever the batch size.
     */
    static Tensor noise(long seed, long first, int count, long... shape) {
        Torch.load();
        TensorVector rows = new TensorVector();
        for (int i = 0; i < count; i++) {
            rows.push_back(Rng.randn(Rng.cpu(sampleSeed(seed, first + i)), shape));
        }
        return torch.stack(rows, 0); // [count, ...shape]
    }

    /** The solver called {@code name}: {@code euler} or {@code heun}. */
    static FlowSampler of(String name) {
        return switch (name) {
            case "euler" -> new EulerSampler();
            case "heun" -> new HeunSampler();
            default -> throw new IllegalArgumentException("unknown sampler \"" + name + "\": use euler or heun");
        };
    }

    /** SplitMix64 of (seed, index): the generator seed of one sample. */
    static long sampleSeed(long seed, long index) {
        long z = seed + 0x9E3779B97F4A7C15L * (index + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A shape check shared by the solvers. */
    static void checkVelocity(Tensor v, Tensor state) {
        if (!java.util.Arrays.equals(Tensors.shape(v), Tensors.shape(state))) {
            throw new IllegalStateException("the model returned a velocity of shape "
                    + java.util.Arrays.toString(Tensors.shape(v)) + " for a state of shape "
                    + java.util.Arrays.toString(Tensors.shape(state)));
        }
    }
}
