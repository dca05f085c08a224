package dev.tessera.model.dit;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tessera.model.Checkpoint;

/**
 * TRELLIS's sparse-structure flow model ({@link SparseStructureFlowModel}): a DiT on the dense latent grid of the
 * sparse-structure VAE. The JSON names are the reference's constructor arguments, so the {@code args} of a released
 * config import directly ({@link #fromTrellisArgs}); a missing optional argument takes the reference's default.
 *
 * @param resolution side of the latent grid (16 released)
 * @param inChannels latent channels in (8)
 * @param modelChannels transformer width (1024 released)
 * @param condChannels width of the condition tokens (1024: DINOv2 ViT-L/14 with registers)
 * @param outChannels latent channels out (8)
 * @param numBlocks number of {@link ModulatedTransformerCrossBlock}s (24 released)
 * @param numHeads attention heads; when absent, {@code model_channels / num_head_channels}
 * @param numHeadChannels width per head used when {@code num_heads} is absent (64)
 * @param mlpRatio MLP expansion (4)
 * @param patchSize side of the cubic patches (1 released; 2 by default)
 * @param peMode position embedding: "ape" (absolute sin-cos, the only mode implemented; "rope" is refused)
 * @param useFp16 the reference runs its blocks in float16 when set; Tessera records it and computes in the
 *     parameters' dtype (float32 unless converted)
 * @param useCheckpoint gradient checkpointing in the reference; recorded, not used
 * @param shareMod one {@code adaLN_modulation} for all blocks instead of one per block
 * @param qkRmsNorm {@link MultiHeadRmsNorm} on self-attention queries and keys (true released)
 * @param qkRmsNormCross the same on cross-attention (false released)
 */
public record SparseStructureFlowConfig(
        @JsonProperty("resolution") int resolution,
        @JsonProperty("in_channels") int inChannels,
        @JsonProperty("model_channels") int modelChannels,
        @JsonProperty("cond_channels") int condChannels,
        @JsonProperty("out_channels") int outChannels,
        @JsonProperty("num_blocks") int numBlocks,
        @JsonProperty("num_heads") Integer numHeads,
        @JsonProperty("num_head_channels") Integer numHeadChannels,
        @JsonProperty("mlp_ratio") Double mlpRatio,
        @JsonProperty("patch_size") Integer patchSize,
        @JsonProperty("pe_mode") String peMode,
        @JsonProperty("use_fp16") Boolean useFp16,
        @JsonProperty("use_checkpoint") Boolean useCheckpoint,
        @JsonProperty("share_mod") Boolean shareMod,
        @JsonProperty("qk_rms_norm") Boolean qkRmsNorm,
        @JsonProperty("qk_rms_norm_cross") Boolean qkRmsNormCross) {

    /** Fills the reference's defaults and checks the config; every failure names the field and the fix. */
    public SparseStructureFlowConfig {
        numHeadChannels = numHeadChannels == null ? 64 : numHeadChannels;
        if (numHeads == null || numHeads == 0) {
            if (numHeadChannels <= 0 || modelChannels % numHeadChannels != 0) {
                throw new IllegalArgumentException("num_heads is absent and model_channels " + modelChannels
                        + " is not a multiple of num_head_channels " + numHeadChannels);
            }
            numHeads = modelChannels / numHeadChannels;
        }
        mlpRatio = mlpRatio == null ? 4.0 : mlpRatio;
        patchSize = patchSize == null ? 2 : patchSize;
        peMode = peMode == null ? "ape" : peMode;
        useFp16 = useFp16 != null && useFp16;
        useCheckpoint = useCheckpoint != null && useCheckpoint;
        shareMod = shareMod != null && shareMod;
        qkRmsNorm = qkRmsNorm != null && qkRmsNorm;
        qkRmsNormCross = qkRmsNormCross != null && qkRmsNormCross;
        if (resolution < 1 || inChannels < 1 || outChannels < 1 || modelChannels < 1 || condChannels < 1) {
            throw new IllegalArgumentException("resolution, in/out/model/cond channels must be ≥ 1");
        }
        if (numBlocks < 0) {
            throw new IllegalArgumentException("num_blocks must be ≥ 0, got " + numBlocks);
        }
        if (modelChannels % numHeads != 0) {
            throw new IllegalArgumentException(
                    "model_channels " + modelChannels + " is not divisible by num_heads " + numHeads);
        }
        if (patchSize < 1 || resolution % patchSize != 0) {
            throw new IllegalArgumentException(
                    "resolution " + resolution + " is not divisible by patch_size " + patchSize);
        }
        if (peMode.equals("rope")) {
            throw new IllegalArgumentException(
                    "pe_mode \"rope\" is not implemented for the sparse-structure flow model; use \"ape\" (the"
                            + " released models do)");
        }
        if (!peMode.equals("ape")) {
            throw new IllegalArgumentException("pe_mode must be \"ape\", got \"" + peMode + "\"");
        }
        if (modelChannels / 3 / 2 < 1) {
            throw new IllegalArgumentException("model_channels " + modelChannels + " is too small for 3D positions");
        }
        if (mlpRatio <= 0) {
            throw new IllegalArgumentException("mlp_ratio must be > 0, got " + mlpRatio);
        }
    }

    /** A small model for tests and the demo: 8³ × 8 latent, patch 2 (64 tokens), width 64, 2 blocks, 4 heads. */
    public static SparseStructureFlowConfig tiny() {
        return new SparseStructureFlowConfig(
                8, 8, 64, 32, 8, 2, 4, 64, 4.0, 2, "ape", false, false, false, true, false);
    }

    /**
     * The benchmark size (issue 8's grid DiT): latent 8 × 16³, patch 2 (512 tokens), width 384, depth 4, 6 heads,
     * condition 257 × 384.
     */
    public static SparseStructureFlowConfig bench() {
        return new SparseStructureFlowConfig(
                16, 8, 384, 384, 8, 4, 6, 64, 4.0, 2, "ape", false, false, false, true, false);
    }

    /**
     * TRELLIS-image-large's released {@code ss_flow_img_dit_L_16l8}: 16³ × 8 latent, patch 1 (4096 tokens), width
     * 1024, 24 blocks, 16 heads, RMS QK-norm, DINOv2 ViT-L/14-reg tokens (1024 channels) as the condition
     * ({@code configs/generation/ss_flow_img_dit_L_16l8_fp16.json}).
     */
    public static SparseStructureFlowConfig trellisImageLarge() {
        return new SparseStructureFlowConfig(
                16, 8, 1024, 1024, 8, 24, 16, 64, 4.0, 1, "ape", true, false, false, true, false);
    }

    /** A config from the {@code args} object of a TRELLIS model config (or the whole {@code {name, args}} file). */
    public static SparseStructureFlowConfig fromTrellisArgs(JsonNode node) {
        JsonNode args = node.has("args") ? node.get("args") : node;
        try {
            return Checkpoint.JSON.treeToValue(args, SparseStructureFlowConfig.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not a SparseStructureFlowModel config: " + e.getOriginalMessage(), e);
        }
    }

    /** Side of the token grid, {@code resolution / patch_size}. */
    public int tokenGrid() {
        return resolution / patchSize;
    }

    /** Number of tokens, {@code (resolution / patch_size)³}. */
    public int tokens() {
        return tokenGrid() * tokenGrid() * tokenGrid();
    }
}
