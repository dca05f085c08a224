package dev.tessera.model.dit;

import dev.tessera.model.Tensors;
import dev.tessera.model.nn.Init;
import dev.tessera.model.nn.Layers;
import dev.tessera.model.nn.TimestepEmbedder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * TRELLIS's sparse-structure flow model ({@code SparseStructureFlowModel}, the first stage of TRELLIS): a DiT that
 * predicts the velocity of a noisy latent grid {@code [B, C, R, R, R]} given timesteps and condition tokens.
 *
 * <pre>
 * tokens = input_layer(patchify(x))  + pos_emb         [B, N, W]   N = (R/p)³, fixed 3D sin-cos positions
 * t_emb  = t_embedder(t)                                [B, W]      t on the 0–1000 scale, [cos, sin] features
 * tokens = blocks(tokens, t_emb, cond)                  [B, N, W]   adaLN self-attn, cross-attn, MLP
 * v      = unpatchify(out_layer(layer_norm(tokens)))   [B, C, R, R, R]
 * </pre>
 *
 * <p>Parameter and buffer names are TRELLIS's ({@code pos_emb}, {@code t_embedder.mlp.0}, {@code input_layer},
 * {@code blocks.N.self_attn.to_qkv}, {@code blocks.N.adaLN_modulation.1}, {@code out_layer}, …), so the released
 * {@code ss_flow_img_dit_L_16l8} weights load key for key. TRELLIS's samplers call the model with {@code t × 1000};
 * so does this class's {@link #forward}: pass t on the 0–1000 scale.
 */
public final class SparseStructureFlowModel extends Module {
    private final SparseStructureFlowConfig config;
    private final Tensor posEmb;
    private final TimestepEmbedder tEmbedder;
    private final LinearImpl sharedAdaLn;
    private final LinearImpl inputLayer;
    private final List<ModulatedTransformerCrossBlock> blocks = new ArrayList<>();
    private final LinearImpl outLayer;
    // containers behind the adaLN_modulation. and blocks. keys, kept so JavaCPP does not collect them
    private final Module sharedAdaLnContainer;
    private final Module blockList;

    /** A model of the given config with TRELLIS's initialisation, drawn from {@code g}. */
    public SparseStructureFlowModel(SparseStructureFlowConfig config, Generator g) {
        super("SparseStructureFlowModel");
        this.config = config;
        long w = config.modelChannels();
        long p = config.patchSize();
        this.tEmbedder = register_module("t_embedder", new TimestepEmbedder(w, 256, 1.0, g));
        if (config.shareMod()) {
            this.sharedAdaLnContainer = register_module("adaLN_modulation", Layers.container("Sequential"));
            this.sharedAdaLn = sharedAdaLnContainer.register_module("1", Layers.linear(w, 6 * w, true, g));
        } else {
            this.sharedAdaLnContainer = null;
            this.sharedAdaLn = null;
        }
        this.posEmb = AbsolutePositionEmbedder.grid3d(config.tokenGrid(), w); // [N, W]
        register_buffer("pos_emb", posEmb);
        this.inputLayer = register_module("input_layer", Layers.linear(config.inChannels() * p * p * p, w, true, g));
        this.blockList = register_module("blocks", Layers.container("ModuleList"));
        Module list = blockList;
        for (int i = 0; i < config.numBlocks(); i++) {
            blocks.add(list.register_module(
                    Integer.toString(i),
                    new ModulatedTransformerCrossBlock(
                            w,
                            config.condChannels(),
                            config.numHeads(),
                            config.mlpRatio(),
                            config.qkRmsNorm(),
                            config.qkRmsNormCross(),
                            config.shareMod(),
                            g)));
        }
        this.outLayer = register_module("out_layer", Layers.linear(w, config.outChannels() * p * p * p, true, g));
        initializeWeights(g);
    }

    /**
     * TRELLIS's {@code initialize_weights}: Xavier-uniform weights and zero biases on every linear; the timestep MLP
     * N(0, 0.02²); the adaLN modulation and the output layer zero (so a new model predicts zero velocity).
     */
    private void initializeWeights(Generator g) {
        Init.linearXavier(inputLayer, g);
        for (ModulatedTransformerCrossBlock b : blocks) {
            b.initialize(g);
        }
        tEmbedder.initDiT(g);
        if (sharedAdaLn != null) {
            Init.linearZero(sharedAdaLn);
        }
        Init.linearZero(outLayer);
    }

    public SparseStructureFlowConfig config() {
        return config;
    }

    /** The fixed position embedding buffer {@code [N, W]}. */
    public Tensor posEmb() {
        return posEmb;
    }

    /**
     * The velocity: {@code x [B, C_in, R, R, R]}, {@code t [B]} on the 0–1000 scale, {@code cond [B, M, C_cond]} →
     * {@code [B, C_out, R, R, R]}.
     */
    public Tensor forward(Tensor x, Tensor t, Tensor cond) {
        check(x, t, cond);
        long b = x.size(0), p = config.patchSize(), n = config.tokens(), r = config.tokenGrid();
        long w = config.modelChannels();
        Tensor h = Patchify3d.patchify(x, p); // [B, C·p³, r, r, r]
        h = h.reshape(b, h.size(1), n).permute(0, 2, 1); // [B, N, C·p³]
        h = inputLayer.forward(h); // [B, N, W]
        h = h.add(posEmb.unsqueeze(0)); // [B, N, W]
        Tensor tEmb = tEmbedder.forward(t); // [B, W]
        if (sharedAdaLn != null) {
            tEmb = sharedAdaLn.forward(torch.silu(tEmb)); // [B, 6W]
        }
        for (ModulatedTransformerCrossBlock block : blocks) {
            h = block.forward(h, tEmb, cond); // [B, N, W]
        }
        h = torch.layer_norm(h, new long[] {w}, new TensorOptional(), new TensorOptional(), 1e-5, false); // [B, N, W]
        h = outLayer.forward(h); // [B, N, C_out·p³]
        h = h.permute(0, 2, 1).reshape(b, h.size(2), r, r, r); // [B, C_out·p³, r, r, r]
        return Patchify3d.unpatchify(h, p); // [B, C_out, R, R, R]
    }

    private void check(Tensor x, Tensor t, Tensor cond) {
        long[] s = Tensors.shape(x);
        long res = config.resolution();
        if (s.length != 5 || s[1] != config.inChannels() || s[2] != res || s[3] != res || s[4] != res) {
            throw new IllegalArgumentException("SparseStructureFlowModel needs x [B, " + config.inChannels() + ", "
                    + res + ", " + res + ", " + res + "], got " + Arrays.toString(s));
        }
        if (t.dim() != 1 || t.size(0) != s[0]) {
            throw new IllegalArgumentException(
                    "t must be [B] = [" + s[0] + "], got " + Arrays.toString(Tensors.shape(t)));
        }
        long[] c = Tensors.shape(cond);
        if (c.length != 3 || c[0] != s[0] || c[2] != config.condChannels()) {
            throw new IllegalArgumentException("cond must be [B, M, " + config.condChannels() + "] with B = " + s[0]
                    + ", got " + Arrays.toString(c));
        }
    }
}
