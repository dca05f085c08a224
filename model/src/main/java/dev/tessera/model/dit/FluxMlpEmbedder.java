package dev.tessera.model.dit;

import dev.tessera.model.nn.Layers;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Flux's {@code MLPEmbedder}: {@code out_layer(SiLU(in_layer(x)))}, used for the timestep and guidance vectors. */
final class FluxMlpEmbedder extends Module {
    private final LinearImpl inLayer;
    private final LinearImpl outLayer;

    FluxMlpEmbedder(long in, long hidden, Generator g) {
        super("MLPEmbedder");
        this.inLayer = register_module("in_layer", Layers.linear(in, hidden, true, g));
        this.outLayer = register_module("out_layer", Layers.linear(hidden, hidden, true, g));
    }

    LinearImpl inLayer() {
        return inLayer;
    }

    /** {@code x [B, in]} → {@code [B, hidden]}. */
    Tensor forward(Tensor x) {
        return outLayer.forward(torch.silu(inLayer.forward(x))); // [B, hidden]
    }
}
