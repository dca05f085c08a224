package dev.tessera.model.dit;

import dev.tessera.model.nn.Layers;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Flux's {@code LastLayer}: a LayerNorm without affine ({@code norm_final}, eps 1e-6) modulated by (shift, scale) from
 * {@code adaLN_modulation} (SiLU → Linear, registered as {@code adaLN_modulation.1}), then {@code linear} to the output
 * channels.
 */
final class FluxLastLayer extends Module {
    private static final Scalar ONE = new Scalar(1.0);

    private final LayerNormImpl normFinal;
    private final LinearImpl linear;
    private final LinearImpl ada;
    private final Module adaSequential; // kept: see Layers.container

    FluxLastLayer(long hidden, long outChannels, Generator g) {
        super("LastLayer");
        this.normFinal = register_module("norm_final", Layers.layerNorm(hidden, 1e-6, false));
        this.linear = register_module("linear", Layers.linear(hidden, outChannels, true, g));
        this.adaSequential = register_module("adaLN_modulation", Layers.container("Sequential"));
        this.ada = adaSequential.register_module("1", Layers.linear(hidden, 2 * hidden, true, g));
    }

    LinearImpl linear() {
        return linear;
    }

    LinearImpl adaLN() {
        return ada;
    }

    /** {@code x [B, L, C]}, {@code vec [B, C]} → {@code [B, L, out]}. */
    Tensor forward(Tensor x, Tensor vec) {
        TensorVector m = ada.forward(torch.silu(vec)).chunk(2, 1); // 2 × [B, C]
        Tensor shift = m.get(0).unsqueeze(1); // [B, 1, C]
        Tensor scale = m.get(1).unsqueeze(1); // [B, 1, C]
        Tensor h = normFinal.forward(x).mul(scale.add(ONE)).add(shift); // [B, L, C]
        return linear.forward(h); // [B, L, out]
    }
}
