package dev.tessera.model.nn;

import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Root-mean-square normalisation over the last axis, {@code x · rsqrt(mean(x²) + eps) · weight}, computed in float32
 * and cast back to the input's type. The weight's name depends on the reference ({@code weight} in
 * {@code torch.nn.RMSNorm}, {@code scale} in Flux/Hunyuan3D-2).
 */
public final class RmsNorm extends Module {
    private final Tensor weight;
    private final long dim;
    private final double eps;

    /** An RMS norm over {@code dim} values with a learnable weight named {@code weightName}, initialised to ones. */
    public RmsNorm(long dim, double eps, String weightName) {
        super("RMSNorm");
        this.dim = dim;
        this.eps = eps;
        this.weight = register_parameter(weightName, torch.ones(dim));
    }

    public Tensor weight() {
        return weight;
    }

    /** {@code x [..., dim]} → same shape. */
    public Tensor forward(Tensor x) {
        ScalarType type = x.scalar_type().intern();
        Tensor xf = type == ScalarType.Float ? x : x.to(ScalarType.Float);
        Tensor y = torch.rms_norm(xf, new long[] {dim}, new TensorOptional(), new DoubleOptional(eps)); // [..., dim]
        if (type != ScalarType.Float) {
            y = y.to(type);
        }
        return y.mul(weight.to(y.scalar_type())); // [..., dim]
    }
}
