package dev.tessera.model.dit;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.tessera.model.NamedEnum;

/**
 * Sizes of Tessera's {@link VecSetDiT}, the seed article's DiT on vecset latents (section D.2).
 *
 * @param latentTokens tokens per latent set N (the model works for any N; this records what it was trained on)
 * @param latentChannels channels per latent token C
 * @param hiddenSize transformer width W
 * @param depth number of {@link DiTLayer}s
 * @param numHeads attention heads
 * @param mlpRatio feed-forward hidden width / W
 * @param qkNorm per-head normalisation of queries and keys: {@code layer_norm}, {@code rms_norm} or {@code none}
 * @param condition {@code none}, {@code class} (a label, through the adaLN vector) or {@code tokens} (condition tokens
 *     through cross-attention, e.g. DINOv2's)
 * @param numClasses classes for {@code class} conditioning (the embedding table has one more row: the null class)
 * @param contextDim width of the condition tokens for {@code tokens} conditioning
 * @param poolContext also add a projection of the mean condition token to the adaLN vector ({@code tokens} only)
 * @param timeScale the model embeds {@code t · timeScale}; 1000 with t in [0, 1], as Hunyuan3D-2 and DiT
 */
public record VecSetDiTConfig(
        @JsonProperty("latent_tokens") int latentTokens,
        @JsonProperty("latent_channels") int latentChannels,
        @JsonProperty("hidden_size") int hiddenSize,
        int depth,
        @JsonProperty("num_heads") int numHeads,
        @JsonProperty("mlp_ratio") double mlpRatio,
        @JsonProperty("qk_norm") QkNorm qkNorm,
        Condition condition,
        @JsonProperty("num_classes") int numClasses,
        @JsonProperty("context_dim") int contextDim,
        @JsonProperty("pool_context") boolean poolContext,
        @JsonProperty("time_scale") double timeScale) {

    /** How the model is conditioned. */
    public enum Condition implements NamedEnum {
        NONE("none"),
        CLASS("class"),
        TOKENS("tokens");

        private final String id;

        Condition(String id) {
            this.id = id;
        }

        @JsonValue
        public String id() {
            return id;
        }

        @JsonCreator
        public static Condition parse(String s) {
            return NamedEnum.parse(Condition.class, s, "condition");
        }
    }

    /** Per-head normalisation of queries and keys. */
    public enum QkNorm implements NamedEnum {
        NONE("none"),
        LAYER_NORM("layer_norm"),
        RMS_NORM("rms_norm");

        private final String id;

        QkNorm(String id) {
            this.id = id;
        }

        @JsonValue
        public String id() {
            return id;
        }

        @JsonCreator
        public static QkNorm parse(String s) {
            return NamedEnum.parse(QkNorm.class, s, "qk_norm");
        }

        dev.tessera.model.nn.Attention.QkNorm layer() {
            return switch (this) {
                case NONE -> dev.tessera.model.nn.Attention.QkNorm.NONE;
                case LAYER_NORM -> dev.tessera.model.nn.Attention.QkNorm.LAYER_NORM;
                case RMS_NORM -> dev.tessera.model.nn.Attention.QkNorm.RMS_NORM;
            };
        }
    }

    /** Checks the sizes; every failure names the field. */
    public VecSetDiTConfig {
        if (qkNorm == null) {
            qkNorm = QkNorm.LAYER_NORM;
        }
        if (condition == null) {
            condition = Condition.NONE;
        }
        if (timeScale == 0) {
            timeScale = 1000;
        }
        if (latentTokens < 1 || latentChannels < 1 || hiddenSize < 1 || depth < 0 || numHeads < 1) {
            throw new IllegalArgumentException(
                    "latent_tokens, latent_channels, hidden_size, num_heads must be ≥ 1," + " depth ≥ 0");
        }
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException(
                    "hidden_size " + hiddenSize + " is not divisible by num_heads " + numHeads);
        }
        if (!(mlpRatio > 0)) {
            throw new IllegalArgumentException("mlp_ratio must be > 0, got " + mlpRatio);
        }
        if (condition == Condition.CLASS && numClasses < 1) {
            throw new IllegalArgumentException("class conditioning needs num_classes ≥ 1");
        }
        if (condition == Condition.TOKENS && contextDim < 1) {
            throw new IllegalArgumentException("token conditioning needs context_dim ≥ 1");
        }
        if (poolContext && condition != Condition.TOKENS) {
            throw new IllegalArgumentException("pool_context needs token conditioning");
        }
    }

    /**
     * The smallest useful model, for tests and the demo: 64 tokens × 8 channels, width 64, 2 layers, 4 heads,
     * unconditional.
     */
    public static VecSetDiTConfig tiny() {
        return new VecSetDiTConfig(64, 8, 64, 2, 4, 4.0, QkNorm.LAYER_NORM, Condition.NONE, 0, 0, false, 1000);
    }

    /**
     * The benchmark size (issue 8, and {@code bench/peers/torch_bench.py}'s {@code VecSetDiT}): 256 tokens × 32
     * channels, width 384, depth 4, 6 heads, LayerNorm QK-norm, cross-attention to 384-wide condition tokens (257 of
     * them in the benchmark, a DINOv2-small-sized image condition).
     */
    public static VecSetDiTConfig bench() {
        return new VecSetDiTConfig(256, 32, 384, 4, 6, 4.0, QkNorm.LAYER_NORM, Condition.TOKENS, 0, 384, false, 1000);
    }

    /** The same sizes conditioned on one of {@code classes} labels. */
    public VecSetDiTConfig withClasses(int classes) {
        return new VecSetDiTConfig(
                latentTokens,
                latentChannels,
                hiddenSize,
                depth,
                numHeads,
                mlpRatio,
                qkNorm,
                Condition.CLASS,
                classes,
                0,
                false,
                timeScale);
    }

    /** The same sizes conditioned on {@code dim}-wide condition tokens through cross-attention. */
    public VecSetDiTConfig withContext(int dim) {
        return new VecSetDiTConfig(
                latentTokens,
                latentChannels,
                hiddenSize,
                depth,
                numHeads,
                mlpRatio,
                qkNorm,
                Condition.TOKENS,
                0,
                dim,
                false,
                timeScale);
    }

    /** The same model unconditioned. */
    public VecSetDiTConfig unconditional() {
        return new VecSetDiTConfig(
                latentTokens,
                latentChannels,
                hiddenSize,
                depth,
                numHeads,
                mlpRatio,
                qkNorm,
                Condition.NONE,
                0,
                0,
                false,
                timeScale);
    }

    /** The same model for latents of {@code tokens × channels}. */
    public VecSetDiTConfig withLatent(int tokens, int channels) {
        return new VecSetDiTConfig(
                tokens,
                channels,
                hiddenSize,
                depth,
                numHeads,
                mlpRatio,
                qkNorm,
                condition,
                numClasses,
                contextDim,
                poolContext,
                timeScale);
    }
}
