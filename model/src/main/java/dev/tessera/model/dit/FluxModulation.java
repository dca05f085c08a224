package dev.tessera.model.dit;

import dev.tessera.model.nn.Layers;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Flux's {@code Modulation}: {@code lin(SiLU(vec))} split into (shift, scale, gate) once for a single-stream block, or
 * twice (attention, then MLP) for a double-stream block.
 */
final class FluxModulation extends Module {
    /** One (shift, scale, gate) triple, each {@code [B, 1, C]}. */
    record Out(Tensor shift, Tensor scale, Tensor gate) {
        /** {@code (1 + scale) · x + shift}. */
        Tensor modulate(Tensor x) {
            return x.mul(scale.add(ONE)).add(shift); // [B, L, C]
        }
    }

    private static final org.bytedeco.pytorch.Scalar ONE = new org.bytedeco.pytorch.Scalar(1.0);

    private final LinearImpl lin;
    private final int multiplier;

    FluxModulation(long dim, boolean isDouble, Generator g) {
        super("Modulation");
        this.multiplier = isDouble ? 6 : 3;
        this.lin = register_module("lin", Layers.linear(dim, multiplier * dim, true, g));
    }

    /** {@code vec [B, C]} → one triple (single) or two (double). */
    Out[] forward(Tensor vec) {
        TensorVector parts = lin.forward(torch.silu(vec)).unsqueeze(1).chunk(multiplier, -1); // m × [B, 1, C]
        Out first = new Out(parts.get(0), parts.get(1), parts.get(2));
        return multiplier == 6
                ? new Out[] {first, new Out(parts.get(3), parts.get(4), parts.get(5))}
                : new Out[] {first};
    }
}
