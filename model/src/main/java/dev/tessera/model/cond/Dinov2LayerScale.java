package dev.tessera.model.cond;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** A per-channel residual-branch scale ({@code lambda1}; torch.hub calls it {@code gamma}): {@code x · λ}. */
public final class Dinov2LayerScale extends Module {
    private final Tensor lambda1;

    /** {@code dim} scales initialised to {@code value}. */
    public Dinov2LayerScale(long dim, double value) {
        super("Dinov2LayerScale");
        this.lambda1 = register_parameter(
                "lambda1",
                torch.full(
                        new long[] {dim},
                        new org.bytedeco.pytorch.Scalar(value),
                        new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Float)));
    }

    /** {@code x [..., C]} → same shape. */
    public Tensor forward(Tensor x) {
        return x.mul(lambda1); // [..., C]
    }
}
