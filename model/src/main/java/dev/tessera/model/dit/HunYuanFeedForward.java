package dev.tessera.model.dit;

import dev.tessera.model.nn.Layers;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * diffusers' {@code FeedForward} with {@code activation_fn="gelu"}, as the MoE experts use it: {@code net.0.proj}
 * (Linear) → exact GELU → ({@code net.1} is a parameterless dropout) → {@code net.2} (Linear).
 */
public final class HunYuanFeedForward extends Module {
    private final Module net; // kept: see Layers.container
    private final Module gelu;
    private final LinearImpl proj;
    private final LinearImpl out;

    HunYuanFeedForward(long dim, long inner, Generator g) {
        super("FeedForward");
        this.net = register_module("net", Layers.container("ModuleList"));
        this.gelu = net.register_module("0", Layers.container("GELU"));
        this.proj = gelu.register_module("proj", Layers.linear(dim, inner, true, g));
        this.out = net.register_module("2", Layers.linear(inner, dim, true, g));
    }

    /** {@code x [..., C]} → {@code [..., C]}. */
    public Tensor forward(Tensor x) {
        return out.forward(torch.gelu(proj.forward(x))); // [..., C]
    }
}
