package dev.tessera.model.dit;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The constructor arguments of Hunyuan3D-2.1's {@code HunYuanDiTPlain}
 * ({@code hy3dshape/hy3dshape/models/denoisers/hunyuandit.py}), with the reference's names. Tessera implements the
 * released configuration: no attention pooling, no decoupled cross-attention, no position embedding, no guidance
 * projection; other values of those flags are refused.
 *
 * @param inputSize number of latent tokens (used only by the position embedding, which the released model lacks)
 * @param inChannels latent channels
 * @param hiddenSize width
 * @param contextDim width of the condition tokens (1024: DINOv2-large)
 * @param depth blocks; those after {@code depth/2} take a U-Net long skip, the last {@code numMoeLayers} use MoE
 * @param numHeads heads (head width a multiple of 8, at most 128, as the reference asserts)
 * @param qkNorm normalise queries and keys per head
 * @param qkNormType {@code rms} (torch.nn.RMSNorm, eps 1e-6) or {@code layer}
 * @param textLen condition tokens (used only by attention pooling)
 * @param qkvBias bias on the q, k, v projections
 * @param numMoeLayers trailing blocks with a mixture of experts instead of the MLP
 * @param numExperts experts per MoE block
 * @param moeTopK experts each token is routed to
 * @param withDecoupledCa must be false
 * @param useAttentionPooling must be false
 * @param usePosEmb must be false
 */
public record HunYuanDiTPlainConfig(
        @JsonProperty("input_size") int inputSize,
        @JsonProperty("in_channels") int inChannels,
        @JsonProperty("hidden_size") int hiddenSize,
        @JsonProperty("context_dim") int contextDim,
        @JsonProperty("depth") int depth,
        @JsonProperty("num_heads") int numHeads,
        @JsonProperty("qk_norm") boolean qkNorm,
        @JsonProperty("qk_norm_type") String qkNormType,
        @JsonProperty("text_len") int textLen,
        @JsonProperty("qkv_bias") boolean qkvBias,
        @JsonProperty("num_moe_layers") int numMoeLayers,
        @JsonProperty("num_experts") int numExperts,
        @JsonProperty("moe_top_k") int moeTopK,
        @JsonProperty("with_decoupled_ca") boolean withDecoupledCa,
        @JsonProperty("use_attention_pooling") boolean useAttentionPooling,
        @JsonProperty("use_pos_emb") boolean usePosEmb) {

    /** The {@code hunyuan3d21-dit} conformance sizes: 32 × 8 latents, width 64, 4 heads, 4 blocks (2 MoE, 4 experts). */
    public static HunYuanDiTPlainConfig tiny() {
        return new HunYuanDiTPlainConfig(32, 8, 64, 32, 4, 4, true, "rms", 10, false, 2, 4, 2, false, false, false);
    }

    /**
     * {@code tencent/Hunyuan3D-2.1}, {@code hunyuan3d-dit-v2-1}: 4096 latents × 64, width 2048, 21 blocks, 16 heads,
     * RMS QK-norm, no qkv bias, DINOv2-large condition (1370 × 1024), the last 6 blocks with 8-expert top-2 MoE
     * (the repository's {@code hunyuandit-finetuning-flowmatching-dinog518-bf16-lr1e5-4096.yaml}; about 3.3 B
     * parameters).
     */
    public static HunYuanDiTPlainConfig hunyuan3d21() {
        return new HunYuanDiTPlainConfig(
                4096, 64, 2048, 1024, 21, 16, true, "rms", 1370, false, 6, 8, 2, false, false, false);
    }

    /** Per-head width. */
    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** Fails with a message naming the field when the config cannot build a model. */
    public HunYuanDiTPlainConfig validate() {
        require(
                numHeads > 0 && hiddenSize % numHeads == 0,
                "hidden_size " + hiddenSize + " must be divisible by num_heads " + numHeads);
        require(
                headDim() % 8 == 0 && headDim() <= 128,
                "the head width " + headDim() + " must be a multiple of 8 and at most 128 (as the reference asserts)");
        require(depth > 0, "depth must be positive");
        require(numMoeLayers >= 0 && numMoeLayers <= depth, "num_moe_layers must be in [0, depth]");
        require(
                numMoeLayers == 0 || (numExperts > 0 && moeTopK > 0 && moeTopK <= numExperts),
                "moe_top_k " + moeTopK + " must be in [1, num_experts " + numExperts + "]");
        require(
                !qkNorm || "rms".equals(qkNormType) || "layer".equals(qkNormType),
                "qk_norm_type must be rms or layer, got " + qkNormType);
        require(!withDecoupledCa, "with_decoupled_ca is not supported (the released model does not use it)");
        require(!useAttentionPooling, "use_attention_pooling is not supported (the released model does not use it)");
        require(!usePosEmb, "use_pos_emb is not supported (the released model does not use it)");
        return this;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("HunYuanDiTPlain config: " + message);
        }
    }
}
