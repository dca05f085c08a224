package dev.tessera.model.dit;

import dev.tessera.model.nn.RmsNorm;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Flux's {@code QKNorm} (Hunyuan3D-2 copies it): an RMS norm over the head width for the queries ({@code query_norm})
 * and one for the keys ({@code key_norm}), each {@code x · rsqrt(mean(x²) + 1e-6) · scale}, computed in float32.
 */
final class FluxQkNorm extends Module {
    private final RmsNorm queryNorm;
    private final RmsNorm keyNorm;

    /** Norms over {@code headDim} values, scales initialised to ones. */
    FluxQkNorm(long headDim) {
        super("QKNorm");
        this.queryNorm = register_module("query_norm", new RmsNorm(headDim, 1e-6, "scale"));
        this.keyNorm = register_module("key_norm", new RmsNorm(headDim, 1e-6, "scale"));
    }

    /** {@code q [B, H, L, D]} → same shape, in the dtype of {@code like}. */
    Tensor query(Tensor q, Tensor like) {
        return queryNorm.forward(q).to(like.scalar_type().intern()); // [B, H, L, D]
    }

    /** {@code k [B, H, L, D]} → same shape, in the dtype of {@code like}. */
    Tensor key(Tensor k, Tensor like) {
        return keyNorm.forward(k).to(like.scalar_type().intern()); // [B, H, L, D]
    }
}
