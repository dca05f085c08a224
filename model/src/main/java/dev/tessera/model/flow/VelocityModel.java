package dev.tessera.model.flow;

import org.bytedeco.pytorch.Tensor;

/**
 * A velocity field in Tessera's rectified-flow convention: {@code z_t = (1 − t)·z_0 + t·z_1} with {@code z_0} noise
 * at {@code t = 0} and {@code z_1} data at {@code t = 1}; the velocity is {@code dz/dt}, pointing from noise to data.
 * A model trained in another convention is wrapped by its adapter ({@code Hunyuan3DFlowAdapter},
 * {@code TrellisFlowAdapter}).
 */
@FunctionalInterface
public interface VelocityModel {
    /**
     * The velocity at {@code z [B, ...]} and times {@code t [B]} (in [0, 1]) given the condition {@code cond} (its
     * first axis is the batch; {@code null} for an unconditional model) → {@code [B, ...]}, the shape of {@code z}.
     */
    Tensor velocity(Tensor z, Tensor t, Tensor cond);

    /**
     * This model for many calls with the given condition tensors (the very same objects, any of them {@code null}),
     * as a sampler makes them: a model may precompute what depends on the condition alone (a DiT's cross-attention
     * keys and values). Call it outside the per-step scopes, so what it precomputes lives through the run. The result
     * must give the same velocities; by default it is this model.
     */
    default VelocityModel forConditions(Tensor... conditions) {
        return this;
    }
}
