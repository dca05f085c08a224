package dev.tessera.model.dit;

import dev.tessera.model.Torch;
import dev.tessera.model.nn.Layers;
import dev.tessera.model.nn.TimestepEmbedder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ModuleListImpl;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Hunyuan3D-2's shape denoiser ({@code hy3dgen/shapegen/models/denoisers/hunyuan3ddit.py}, class
 * {@code Hunyuan3DDiT}): a Flux-style multimodal DiT over a vecset latent. Its registered names are the reference's
 * state-dict keys, so a released checkpoint loads key for key.
 *
 * <pre>
 * latent = latent_in(x)                                  [B, N, C]      x: [B, N, in_channels]
 * vec    = time_in(sinusoid(t))  (+ guidance_in(sinusoid(g)))   [B, C]
 * cond   = cond_in(cond)                                 [B, M, C]      cond: [B, M, context_in_dim]
 * (latent, cond) = double_blocks[i](latent, cond, vec)   joint attention over [cond; latent]
 * h      = single_blocks[j]([cond; latent], vec)         [B, M+N, C]
 * out    = final_layer(h[:, M:], vec)                    [B, N, in_channels]
 * </pre>
 *
 * There is no positional embedding (the reference's {@code pe} is {@code None}): the latent tokens are an unordered
 * set. The model takes {@code t} in [0, 1] with 0 = noise and 1 = data and predicts the velocity {@code data − noise};
 * see {@link Hunyuan3DFlowAdapter} and {@code docs/dit.md} for how that maps onto Tessera's samplers.
 *
 * <p>Initialisation is PyTorch's default for every linear (as the reference, which has no custom init), drawn from
 * the given generator; RMS scales start at one.
 */
public final class Hunyuan3DDiT extends Module {
    static {
        Torch.load();
    }

    /** Width of the sinusoidal timestep embedding fed to {@code time_in}. */
    public static final int TIME_EMBED_DIM = 256;

    private final Hunyuan3DDiTConfig config;
    private final LinearImpl latentIn;
    private final FluxMlpEmbedder timeIn;
    private final LinearImpl condIn;
    private final FluxMlpEmbedder guidanceIn;
    private final List<DoubleStreamBlock> doubleBlocks = new ArrayList<>();
    private final List<SingleStreamBlock> singleBlocks = new ArrayList<>();
    private final FluxLastLayer finalLayer;

    /** A model with PyTorch's default initialisation drawn from {@code g}. */
    public Hunyuan3DDiT(Hunyuan3DDiTConfig config, Generator g) {
        super("Hunyuan3DDiT");
        this.config = config.validate();
        long c = config.hiddenSize();
        this.latentIn = register_module("latent_in", Layers.linear(config.inChannels(), c, true, g));
        this.timeIn = register_module("time_in", new FluxMlpEmbedder(TIME_EMBED_DIM, c, g));
        this.condIn = register_module("cond_in", Layers.linear(config.contextInDim(), c, true, g));
        this.guidanceIn = config.guidanceEmbed()
                ? register_module("guidance_in", new FluxMlpEmbedder(TIME_EMBED_DIM, c, g))
                : null;
        ModuleListImpl dbl = register_module("double_blocks", new ModuleListImpl());
        for (int i = 0; i < config.depth(); i++) {
            DoubleStreamBlock b = new DoubleStreamBlock(c, config.numHeads(), config.mlpHidden(), config.qkvBias(), g);
            dbl.push_back(b);
            doubleBlocks.add(b);
        }
        ModuleListImpl sgl = register_module("single_blocks", new ModuleListImpl());
        for (int i = 0; i < config.depthSingleBlocks(); i++) {
            SingleStreamBlock b = new SingleStreamBlock(c, config.numHeads(), config.mlpHidden(), g);
            sgl.push_back(b);
            singleBlocks.add(b);
        }
        this.finalLayer = register_module("final_layer", new FluxLastLayer(c, config.inChannels(), g));
    }

    public Hunyuan3DDiTConfig config() {
        return config;
    }

    public List<DoubleStreamBlock> doubleBlocks() {
        return Collections.unmodifiableList(doubleBlocks);
    }

    public List<SingleStreamBlock> singleBlocks() {
        return Collections.unmodifiableList(singleBlocks);
    }

    /**
     * The velocity for latent tokens {@code x [B, N, in_channels]} at times {@code t [B]} (in [0, 1], 0 = noise) given
     * condition tokens {@code cond [B, M, context_in_dim]} → {@code [B, N, in_channels]}.
     *
     * @throws IllegalStateException for a guidance-distilled model, which needs {@link #forward(Tensor, Tensor, Tensor,
     *     Tensor)}
     */
    public Tensor forward(Tensor x, Tensor t, Tensor cond) {
        return forward(x, t, cond, null);
    }

    /**
     * As {@link #forward(Tensor, Tensor, Tensor)}, with the guidance scale {@code guidance [B]} of a
     * guidance-distilled model ({@code guidance_embed: true}); ignored otherwise.
     */
    public Tensor forward(Tensor x, Tensor t, Tensor cond, Tensor guidance) {
        checkInputs(x, t, cond);
        Tensor latent = latentIn.forward(x); // [B, N, C]
        Tensor emb = timestepEmbedding(t, TIME_EMBED_DIM, config.timeFactor()); // [B, 256]
        Tensor vec = timeIn.forward(emb.to(latent.scalar_type().intern())); // [B, C]
        if (guidanceIn != null) {
            if (guidance == null) {
                throw new IllegalStateException("this Hunyuan3DDiT is guidance-distilled (guidance_embed: true): "
                        + "pass the guidance scale to forward(x, t, cond, guidance)");
            }
            Tensor ge = timestepEmbedding(guidance, TIME_EMBED_DIM, config.timeFactor()); // [B, 256]
            vec = vec.add(guidanceIn.forward(ge.to(latent.scalar_type().intern()))); // [B, C]
        }
        Tensor c = condIn.forward(cond); // [B, M, C]
        for (DoubleStreamBlock block : doubleBlocks) {
            Tensor[] out = block.forward(latent, c, vec);
            latent = out[0]; // [B, N, C]
            c = out[1]; // [B, M, C]
        }
        long m = c.size(1);
        Tensor h = torch.cat(new TensorVector(c, latent), 1); // [B, M+N, C]
        for (SingleStreamBlock block : singleBlocks) {
            h = block.forward(h, vec); // [B, M+N, C]
        }
        h = h.narrow(1, m, h.size(1) - m); // [B, N, C]
        return finalLayer.forward(h, vec); // [B, N, in_channels]
    }

    /**
     * The reference's timestep embedding exactly as it is called: {@code timestep_embedding(t, 256, time_factor)}
     * passes {@code time_factor} in the <i>max period</i> slot, while the function's own {@code time_factor} keeps
     * its default of 1000. So the embedding is {@code [cos(1000·t·w_i), sin(1000·t·w_i)]} with
     * {@code w_i = maxPeriod^(-i/128)} and {@code maxPeriod = time_factor} (1000 in every released config, not Flux's
     * 10000). {@code t [B]} → {@code [B, dim]} float32.
     */
    public static Tensor timestepEmbedding(Tensor t, long dim, double maxPeriod) {
        return TimestepEmbedder.sinusoidal(t.mul(new Scalar(1000.0)), dim, maxPeriod); // [B, dim]
    }

    private void checkInputs(Tensor x, Tensor t, Tensor cond) {
        if (x.dim() != 3 || x.size(2) != config.inChannels()) {
            throw new IllegalArgumentException("Hunyuan3DDiT: latent must be [B, N, " + config.inChannels() + "], got "
                    + java.util.Arrays.toString(dev.tessera.model.Tensors.shape(x)));
        }
        if (cond.dim() != 3 || cond.size(2) != config.contextInDim() || cond.size(0) != x.size(0)) {
            throw new IllegalArgumentException("Hunyuan3DDiT: condition must be [" + x.size(0) + ", M, "
                    + config.contextInDim() + "], got "
                    + java.util.Arrays.toString(dev.tessera.model.Tensors.shape(cond)));
        }
        if (t.dim() != 1 || t.size(0) != x.size(0)) {
            throw new IllegalArgumentException("Hunyuan3DDiT: t must be [" + x.size(0) + "], got "
                    + java.util.Arrays.toString(dev.tessera.model.Tensors.shape(t)));
        }
    }
}
