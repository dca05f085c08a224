package dev.tessera.model.dit;

import dev.tessera.model.Tensors;
import dev.tessera.model.nn.Init;
import dev.tessera.model.nn.Layers;
import dev.tessera.model.nn.TimestepEmbedder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.EmbeddingImpl;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Tessera's DiT on vecset latents, the seed article's design (section D.2) with DiT's adaLN-Zero conditioning: no
 * patchify — the latent tokens {@code [B, N, C]} are already a sequence, so a linear projection brings them to the
 * model width — then {@link DiTLayer}s and a modulated output layer.
 *
 * <pre>
 * h = proj_in(x)                                  [B, N, C] → [B, N, W]
 * c = t_embedder(t)                               [B, W]     sinusoid of t·1000 (t in [0, 1]), MLP
 *   + y_embedder(label)                           [B, W]     class conditioning (row K is the null class)
 *   + context_pool(mean(context))                 [B, W]     token conditioning with pool_context
 * h = layers(h, SiLU(c), context)                 [B, N, W]  context [B, M, C_ctx] via cross-attention
 * shift, scale = final_layer.adaLN_modulation(SiLU(c))
 * v = final_layer.linear(LN(h)·(1 + scale) + shift)   [B, N, C]
 * </pre>
 *
 * <p>No position embedding: the tokens are a set, and permuting them permutes the output. The model takes Tessera's
 * time (0 = noise, 1 = data) and returns Tessera's velocity ({@code docs/flow.md}), so it is a {@link
 * dev.tessera.model.flow.VelocityModel} as it is. Initialisation ({@link #initializeWeights}) is DiT's, written out:
 * a new model outputs exactly 0.
 */
public final class VecSetDiT extends Module implements dev.tessera.model.flow.VelocityModel {
    private static final double EPS = 1e-6;

    private final VecSetDiTConfig config;
    private final LinearImpl projIn;
    private final TimestepEmbedder tEmbedder;
    private final Module yEmbedder;
    private final EmbeddingImpl embeddingTable;
    private final LinearImpl contextPool;
    private final Module layerList;
    private final List<DiTLayer> layers = new ArrayList<>();
    private final Module finalLayer;
    private final Module finalAdaLn;
    private final LinearImpl finalModulation;
    private final LinearImpl finalLinear;

    /** A model of the given config with DiT's initialisation drawn from {@code g}. */
    public VecSetDiT(VecSetDiTConfig config, Generator g) {
        super("VecSetDiT");
        this.config = config;
        long w = config.hiddenSize();
        long c = config.latentChannels();
        this.projIn = register_module("proj_in", Layers.linear(c, w, true, g));
        this.tEmbedder = register_module("t_embedder", new TimestepEmbedder(w, 256, config.timeScale(), g));
        if (config.condition() == VecSetDiTConfig.Condition.CLASS) {
            this.yEmbedder = register_module("y_embedder", Layers.container("LabelEmbedder"));
            this.embeddingTable =
                    yEmbedder.register_module("embedding_table", new EmbeddingImpl(config.numClasses() + 1, w));
        } else {
            this.yEmbedder = null;
            this.embeddingTable = null;
        }
        this.contextPool = config.poolContext()
                ? register_module("context_pool", Layers.linear(config.contextDim(), w, true, g))
                : null;
        long ctx = config.condition() == VecSetDiTConfig.Condition.TOKENS ? config.contextDim() : 0;
        this.layerList = register_module("layers", Layers.container("ModuleList"));
        for (int i = 0; i < config.depth(); i++) {
            layers.add(layerList.register_module(
                    Integer.toString(i),
                    new DiTLayer(w, config.numHeads(), config.mlpRatio(), ctx, config.qkNorm(), g)));
        }
        this.finalLayer = register_module("final_layer", Layers.container("FinalLayer"));
        this.finalAdaLn = finalLayer.register_module("adaLN_modulation", Layers.container("Sequential"));
        this.finalModulation = finalAdaLn.register_module("1", Layers.linear(w, 2 * w, true, g));
        this.finalLinear = finalLayer.register_module("linear", Layers.linear(w, c, true, g));
        initializeWeights(g);
    }

    /**
     * DiT's {@code initialize_weights}, written out:
     *
     * <ol>
     *   <li>every linear: Xavier-uniform weight, zero bias ({@code _basic_init}), the input projection included;
     *   <li>the label table N(0, 0.02²);
     *   <li>the timestep MLP's weights N(0, 0.02²);
     *   <li>adaLN-Zero: each layer's {@code adaln_linear} and the final layer's modulation zero;
     *   <li>the final {@code linear} zero — so a new model predicts exactly 0.
     * </ol>
     */
    private void initializeWeights(Generator g) {
        Init.linearXavier(projIn, g);
        if (contextPool != null) {
            Init.linearXavier(contextPool, g);
        }
        for (DiTLayer l : layers) {
            l.initialize(g);
        }
        if (embeddingTable != null) {
            Init.normal(embeddingTable.weight(), 0, 0.02, g);
        }
        tEmbedder.initDiT(g);
        Init.linearZero(finalModulation);
        Init.linearZero(finalLinear);
    }

    public VecSetDiTConfig config() {
        return config;
    }

    /** The index of the null class (class conditioning): {@code num_classes}. */
    public long nullClass() {
        return config.numClasses();
    }

    /**
     * The velocity: {@code x [B, N, C]}, {@code t [B]} in [0, 1] (Tessera's time), {@code cond}: {@code null}
     * (unconditional), class indices int64 {@code [B]} (the null class is {@link #nullClass()}), or condition tokens
     * {@code [B, M, C_ctx]} → {@code [B, N, C]}.
     */
    @Override
    public Tensor velocity(Tensor x, Tensor t, Tensor cond) {
        return forward(x, t, cond);
    }

    /**
     * For token conditioning: this model with each given context's cross-attention keys and values computed once, for
     * the many calls of a sampling run (the conditions are recognised by identity; others are computed as usual).
     */
    @Override
    public dev.tessera.model.flow.VelocityModel forConditions(Tensor... conditions) {
        if (config.condition() != VecSetDiTConfig.Condition.TOKENS || is_training()) {
            return this;
        }
        java.util.IdentityHashMap<Tensor, List<Tensor>> cache = new java.util.IdentityHashMap<>();
        try (org.bytedeco.pytorch.NoGradGuard ng = new org.bytedeco.pytorch.NoGradGuard()) {
            for (Tensor c : conditions) {
                if (c != null && !cache.containsKey(c)) {
                    List<Tensor> kv = new ArrayList<>();
                    for (DiTLayer l : layers) {
                        kv.add(l.contextKeysValues(c)); // [2, B, H, M, D]
                    }
                    cache.put(c, kv);
                }
            }
        }
        return (x, t, cond) -> forward(x, t, cond, cache.get(cond));
    }

    /** The same as {@link #velocity}. */
    public Tensor forward(Tensor x, Tensor t, Tensor cond) {
        return forward(x, t, cond, null);
    }

    private Tensor forward(Tensor x, Tensor t, Tensor cond, List<Tensor> contextKv) {
        check(x, t, cond);
        Tensor h = projIn.forward(x); // [B, N, W]
        Tensor c = tEmbedder.forward(t); // [B, W]
        Tensor context = null;
        switch (config.condition()) {
            case CLASS -> c = c.add(embeddingTable.forward(cond)); // [B, W]
            case TOKENS -> {
                context = cond; // [B, M, C_ctx]
                if (contextPool != null) {
                    c = c.add(contextPool.forward(
                            cond.mean(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional()))); // [B, W]
                }
            }
            case NONE -> {}
        }
        Tensor cSilu = torch.silu(c); // [B, W]
        for (int i = 0; i < layers.size(); i++) {
            h = layers.get(i).forward(h, cSilu, context, contextKv == null ? null : contextKv.get(i)); // [B, N, W]
        }
        TensorVector m = finalModulation.forward(cSilu).unsqueeze(1).chunk(2, 2); // 2 × [B, 1, W]
        h = torch.layer_norm(
                h,
                new long[] {config.hiddenSize()},
                new TensorOptional(),
                new TensorOptional(),
                EPS,
                false); // [B, N, W]
        h = DiTLayer.modulate(h, m.get(0), m.get(1)); // [B, N, W]
        return finalLinear.forward(h); // [B, N, C]
    }

    private void check(Tensor x, Tensor t, Tensor cond) {
        long[] s = Tensors.shape(x);
        if (s.length != 3 || s[2] != config.latentChannels()) {
            throw new IllegalArgumentException(
                    "VecSetDiT needs x [B, N, " + config.latentChannels() + "], got " + Arrays.toString(s));
        }
        if (t.dim() != 1 || t.size(0) != s[0]) {
            throw new IllegalArgumentException(
                    "t must be [B] = [" + s[0] + "], got " + Arrays.toString(Tensors.shape(t)));
        }
        switch (config.condition()) {
            case NONE -> {
                if (cond != null) {
                    throw new IllegalArgumentException("this VecSetDiT is unconditional: pass cond = null");
                }
            }
            case CLASS -> {
                if (cond == null || cond.dim() != 1 || cond.size(0) != s[0]) {
                    throw new IllegalArgumentException("this VecSetDiT is class-conditioned: cond must be int64 [B] = ["
                            + s[0] + "] labels in 0.." + config.numClasses() + " (" + config.numClasses()
                            + " = null class)");
                }
            }
            case TOKENS -> {
                long[] c = cond == null ? new long[0] : Tensors.shape(cond);
                if (c.length != 3 || c[0] != s[0] || c[2] != config.contextDim()) {
                    throw new IllegalArgumentException("this VecSetDiT takes condition tokens [B, M, "
                            + config.contextDim() + "] with B = " + s[0] + ", got " + Arrays.toString(c));
                }
            }
        }
    }

    /** Parameters (without buffers). */
    public long parameterCount() {
        long n = 0;
        var ps = parameters();
        for (long i = 0; i < ps.size(); i++) {
            n += ps.get(i).numel();
        }
        return n;
    }
}
