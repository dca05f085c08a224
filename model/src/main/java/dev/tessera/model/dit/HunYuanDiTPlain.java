package dev.tessera.model.dit;

import dev.tessera.model.Torch;
import dev.tessera.model.nn.Layers;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ModuleListImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Hunyuan3D-2.1's shape denoiser ({@code hy3dshape/hy3dshape/models/denoisers/hunyuandit.py}, class
 * {@code HunYuanDiTPlain}), key for key:
 *
 * <pre>
 * x = [t_embedder(t); x_embedder(x)]        [B, 1+N, C]    the timestep is one extra token, no adaLN
 * x = blocks[i](x, cond, skip)              blocks after depth/2 take the output of their mirror in the first half
 * out = final_layer.linear(final_layer.norm_final(x)[:, 1:])   [B, N, in_channels]
 * </pre>
 *
 * It takes {@code t} in [0, 1] as Hunyuan3D-2.1's pipeline passes it (the same sampler as Hunyuan3D-2, see {@link
 * Hunyuan3DFlowAdapter}) and condition tokens {@code cond [B, M, context_dim]} (DINOv2-large, CLS included).
 */
public final class HunYuanDiTPlain extends Module {
    static {
        Torch.load();
    }

    private final HunYuanDiTPlainConfig config;
    private final LinearImpl xEmbedder;
    private final HunYuanTimestepEmbedder tEmbedder;
    private final List<HunYuanDiTBlock> blocks = new ArrayList<>();
    private final Module finalLayer; // kept: see Layers.container
    private final LayerNormImpl normFinal;
    private final LinearImpl linear;

    /** A model with PyTorch's default initialisation drawn from {@code g}. */
    public HunYuanDiTPlain(HunYuanDiTPlainConfig config, Generator g) {
        super("HunYuanDiTPlain");
        this.config = config.validate();
        long h = config.hiddenSize();
        this.xEmbedder = register_module("x_embedder", Layers.linear(config.inChannels(), h, true, g));
        this.tEmbedder = register_module("t_embedder", new HunYuanTimestepEmbedder(h, g));
        ModuleListImpl list = register_module("blocks", new ModuleListImpl());
        int depth = config.depth();
        for (int layer = 0; layer < depth; layer++) {
            HunYuanDiTBlock b =
                    new HunYuanDiTBlock(config, layer > depth / 2, depth - layer <= config.numMoeLayers(), g);
            list.push_back(b);
            blocks.add(b);
        }
        this.finalLayer = register_module("final_layer", Layers.container("FinalLayer"));
        this.normFinal = finalLayer.register_module("norm_final", Layers.layerNorm(h, 1e-6, true));
        this.linear = finalLayer.register_module("linear", Layers.linear(h, config.inChannels(), true, g));
    }

    public HunYuanDiTPlainConfig config() {
        return config;
    }

    /** {@code x [B, N, in_channels]}, {@code t [B]} in [0, 1], {@code cond [B, M, context_dim]} → velocity. */
    public Tensor forward(Tensor x, Tensor t, Tensor cond) {
        if (x.dim() != 3
                || x.size(2) != config.inChannels()
                || cond.dim() != 3
                || cond.size(2) != config.contextDim()
                || t.dim() != 1
                || t.size(0) != x.size(0)
                || cond.size(0) != x.size(0)) {
            throw new IllegalArgumentException("HunYuanDiTPlain: expected x [B, N, " + config.inChannels()
                    + "], t [B], cond [B, M, " + config.contextDim() + "], got "
                    + java.util.Arrays.toString(dev.tessera.model.Tensors.shape(x)) + ", "
                    + java.util.Arrays.toString(dev.tessera.model.Tensors.shape(t)) + ", "
                    + java.util.Arrays.toString(dev.tessera.model.Tensors.shape(cond)));
        }
        Tensor c = tEmbedder.forward(t); // [B, 1, C]
        Tensor h = torch.cat(new TensorVector(c, xEmbedder.forward(x)), 1); // [B, 1+N, C]
        int depth = blocks.size();
        Deque<Tensor> skips = new ArrayDeque<>();
        for (int layer = 0; layer < depth; layer++) {
            Tensor skip = layer <= depth / 2 ? null : skips.pop(); // the mirrored first-half output
            h = blocks.get(layer).forward(h, cond, skip); // [B, 1+N, C]
            if (layer < depth / 2) {
                skips.push(h);
            }
        }
        h = normFinal.forward(h); // [B, 1+N, C]
        return linear.forward(h.narrow(1, 1, h.size(1) - 1)); // [B, N, in_channels]
    }
}
