package dev.tessera.model.dit;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * TRELLIS's {@code MultiHeadRMSNorm}, the QK-norm of its DiTs: each head's vector is scaled to unit length, then
 * multiplied by a per-head, per-channel {@code gamma [heads, d]} and by {@code √d} — {@code normalize(x) · gamma · √d},
 * which equals an RMS norm with eps 0 up to the 1e-12 floor of {@code normalize}. Computed in float32.
 */
public final class MultiHeadRmsNorm extends Module {
    private final Tensor gamma;
    private final double scale;

    /** A norm over {@code dim}-wide heads, {@code heads} of them; gamma starts at ones. */
    public MultiHeadRmsNorm(long dim, long heads) {
        super("MultiHeadRMSNorm");
        this.scale = Math.sqrt(dim);
        this.gamma = torch.ones(heads, dim);
        register_parameter("gamma", gamma);
    }

    public Tensor gamma() {
        return gamma;
    }

    /** {@code x [B, L, H, D]} → same shape. */
    public Tensor forward(Tensor x) {
        ScalarType type = x.scalar_type().intern();
        Tensor xf = type == ScalarType.Float ? x : x.to(ScalarType.Float);
        Tensor norm = torch.linalg_vector_norm(
                xf,
                new Scalar(2.0),
                new long[] {-1},
                true,
                new org.bytedeco.pytorch.ScalarTypeOptional()); // [B, L, H, 1]
        Tensor y = xf.div(norm.clamp_min(new Scalar(1e-12))); // [B, L, H, D]
        y = y.mul(gamma).mul(new Scalar(scale)); // [B, L, H, D]
        return type == ScalarType.Float ? y : y.to(type);
    }
}
