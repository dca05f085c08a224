package dev.tessera.model.flow;

import dev.tessera.model.StepScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * The explicit Euler method: {@code z ← z + (t_{i+1} − t_i)·v(z, t_i)}. First order; exact for straight flows (the
 * rectified field of one data point), which is why a well-trained rectified flow samples well in few steps.
 */
public final class EulerSampler implements FlowSampler {
    @Override
    public String name() {
        return "euler";
    }

    @Override
    public int evaluationsPerStep() {
        return 1;
    }

    @Override
    public void solve(VelocityModel model, Tensor state, double[] times, Guidance.Conditions c, Guidance g) {
        Timesteps.check(times);
        for (int i = 0; i + 1 < times.length; i++) {
            try (StepScope s = new StepScope()) {
                Tensor v = g.velocity(model, state, times[i], c); // [B, ...]
                FlowSampler.checkVelocity(v, state);
                state.add_(v, new Scalar(times[i + 1] - times[i])); // z += h·v
            }
        }
    }
}
