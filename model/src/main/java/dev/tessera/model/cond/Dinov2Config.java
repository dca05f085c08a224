package dev.tessera.model.cond;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tessera.model.Checkpoint;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A DINOv2 ViT's sizes, with Hugging Face's {@code Dinov2Config} field names so that the {@code config.json} next to a
 * {@code facebook/dinov2-*} checkpoint reads directly ({@link #readHuggingFace}; fields Tessera does not use, such as
 * {@code architectures} or {@code hidden_act}, are ignored). The activation is always the exact (erf) GELU, as in
 * every released model.
 *
 * @param hiddenSize token width
 * @param numHiddenLayers transformer blocks
 * @param numAttentionHeads heads
 * @param mlpRatio MLP hidden width / width (for SwiGLU the hidden width is then reduced to
 *     {@code ⌈⌊2/3 · ratio · width⌋ / 8⌉ · 8}, as both codes do)
 * @param patchSize patch side in pixels
 * @param imageSize the training resolution; the position-embedding grid is {@code imageSize / patchSize} squared
 * @param numChannels input channels
 * @param layerNormEps eps of every LayerNorm
 * @param layerscaleValue initial layer-scale value (used by {@link Dinov2Model}'s initialisation only)
 * @param qkvBias bias on the query, key and value projections
 * @param useSwigluFfn SwiGLU feed-forward ({@code weights_in}/{@code weights_out}) instead of the GELU MLP
 *     ({@code fc1}/{@code fc2}); the giant model uses it
 * @param numRegisterTokens register tokens inserted after the CLS token (0 without registers)
 * @param interpolation how the position embedding is resized for another resolution
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Dinov2Config(
        @JsonProperty("hidden_size") int hiddenSize,
        @JsonProperty("num_hidden_layers") int numHiddenLayers,
        @JsonProperty("num_attention_heads") int numAttentionHeads,
        @JsonProperty("mlp_ratio") double mlpRatio,
        @JsonProperty("patch_size") int patchSize,
        @JsonProperty("image_size") int imageSize,
        @JsonProperty("num_channels") int numChannels,
        @JsonProperty("layer_norm_eps") double layerNormEps,
        @JsonProperty("layerscale_value") double layerscaleValue,
        @JsonProperty("qkv_bias") boolean qkvBias,
        @JsonProperty("use_swiglu_ffn") boolean useSwigluFfn,
        @JsonProperty("num_register_tokens") int numRegisterTokens,
        @JsonProperty("interpolation") PositionInterpolation interpolation) {

    public Dinov2Config {
        if (interpolation == null) {
            interpolation = PositionInterpolation.HUGGING_FACE;
        }
    }

    /** The conformance model: width 64, 2 blocks, 4 heads, patch 14 at 56 px (4 × 4), torch.hub interpolation. */
    public static Dinov2Config tiny() {
        return new Dinov2Config(64, 2, 4, 4.0, 14, 56, 3, 1e-6, 1.0, true, false, 0, PositionInterpolation.HUB);
    }

    /** {@link #tiny()} with 4 register tokens and the {@code -reg} interpolation. */
    public static Dinov2Config tinyReg() {
        return new Dinov2Config(64, 2, 4, 4.0, 14, 56, 3, 1e-6, 1.0, true, false, 4, PositionInterpolation.HUB_REG);
    }

    /** {@code facebook/dinov2-large} (ViT-L/14, 304 M): width 1024, 24 blocks, 16 heads, 518 px. */
    public static Dinov2Config dinov2Large() {
        return new Dinov2Config(
                1024, 24, 16, 4.0, 14, 518, 3, 1e-6, 1.0, true, false, 0, PositionInterpolation.HUGGING_FACE);
    }

    /**
     * {@code facebook/dinov2-giant} (ViT-g/14, 1.1 B): width 1536, 40 blocks, 24 heads, SwiGLU (hidden 4096), 518
     * px — Hunyuan3D-2's condition encoder.
     */
    public static Dinov2Config dinov2Giant() {
        return new Dinov2Config(
                1536, 40, 24, 4.0, 14, 518, 3, 1e-6, 1.0, true, true, 0, PositionInterpolation.HUGGING_FACE);
    }

    /**
     * {@code dinov2_vitl14_reg} (torch.hub) / {@code facebook/dinov2-with-registers-large}: ViT-L/14 with 4 registers
     * — TRELLIS's condition encoder, loaded through torch.hub, hence its interpolation rule.
     */
    public static Dinov2Config dinov2LargeReg() {
        return new Dinov2Config(
                1024, 24, 16, 4.0, 14, 518, 3, 1e-6, 1.0, true, false, 4, PositionInterpolation.HUB_REG);
    }

    /** This config with another interpolation rule. */
    public Dinov2Config withInterpolation(PositionInterpolation rule) {
        return new Dinov2Config(
                hiddenSize,
                numHiddenLayers,
                numAttentionHeads,
                mlpRatio,
                patchSize,
                imageSize,
                numChannels,
                layerNormEps,
                layerscaleValue,
                qkvBias,
                useSwigluFfn,
                numRegisterTokens,
                rule);
    }

    /** Reads a Hugging Face {@code config.json} ({@code Dinov2Config} or {@code Dinov2WithRegistersConfig}). */
    public static Dinov2Config readHuggingFace(Path configJson) throws IOException {
        try {
            return Checkpoint.JSON
                    .readValue(configJson.toFile(), Dinov2Config.class)
                    .validate();
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(configJson + ": not a DINOv2 config: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The config of a checkpoint read from its tensors alone, for a weights file without a {@code config.json}: width
     * from the CLS token, depth from the block keys, registers, patch size, grid and feed-forward kind from their
     * shapes. Two things the tensors cannot tell are taken from every released DINOv2: 64-wide heads and LayerNorm eps
     * 1e-6. The interpolation rule follows the layout: Hugging Face's names → {@code HUGGING_FACE}; torch.hub's →
     * {@code HUB_REG} with registers, {@code HUB} without.
     */
    public static Dinov2Config infer(dev.tessera.data.safetensors.SafetensorsReader r) {
        boolean hub = Dinov2HubLayout.isHubLayout(r);
        String cls = hub ? "cls_token" : "embeddings.cls_token";
        String pos = hub ? "pos_embed" : "embeddings.position_embeddings";
        String reg = hub ? "register_tokens" : "embeddings.register_tokens";
        String proj = hub ? "patch_embed.proj.weight" : "embeddings.patch_embeddings.projection.weight";
        String block = hub ? "blocks." : "encoder.layer.";
        for (String key : new String[] {cls, pos, proj}) {
            if (!r.contains(key)) {
                throw new IllegalArgumentException(r.path() + ": not a DINOv2 checkpoint (no " + key + ")");
            }
        }
        int hidden = (int) r.info(cls).shape()[2];
        long[] p = r.info(proj).shape(); // [C, channels, p, p]
        int patch = (int) p[2];
        long positions = r.info(pos).shape()[1] - 1;
        int grid = (int) Math.round(Math.sqrt(positions));
        int registers = r.contains(reg) ? (int) r.info(reg).shape()[1] : 0;
        int depth = 0;
        boolean swiglu = false;
        long ffn = 0;
        for (String name : r.names()) {
            if (name.startsWith(block)) {
                String[] parts = name.substring(block.length()).split("\\.");
                int i = Integer.parseInt(hub && parts.length > 2 && parts[1].matches("\\d+") ? parts[1] : parts[0]);
                depth = Math.max(depth, i + 1);
            }
            if (name.endsWith("mlp.weights_in.weight") || name.endsWith("mlp.w12.weight")) {
                swiglu = true;
                ffn = r.info(name).shape()[0] / 2;
            } else if (name.endsWith("mlp.fc1.weight")) {
                ffn = r.info(name).shape()[0];
            }
        }
        // SwiGLU's hidden width is reduced from ratio·width; 4 is the only ratio the released models use
        double ratio = swiglu ? 4.0 : (double) ffn / hidden;
        PositionInterpolation rule = !hub
                ? PositionInterpolation.HUGGING_FACE
                : registers > 0 ? PositionInterpolation.HUB_REG : PositionInterpolation.HUB;
        Dinov2Config c = new Dinov2Config(
                hidden,
                depth,
                Math.max(1, hidden / 64),
                ratio,
                patch,
                grid * patch,
                (int) p[1],
                1e-6,
                1.0,
                true,
                swiglu,
                registers,
                rule);
        if (swiglu && c.ffnHidden() != ffn) {
            throw new IllegalArgumentException(
                    r.path() + ": SwiGLU hidden width " + ffn + " does not follow mlp_ratio 4");
        }
        return c.validate();
    }

    /** Patches per side of the position-embedding grid. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Hidden width of the feed-forward layer (after the SwiGLU reduction when it applies). */
    public int ffnHidden() {
        int hidden = (int) (hiddenSize * mlpRatio);
        return useSwigluFfn ? ((int) (hidden * 2.0 / 3.0) + 7) / 8 * 8 : hidden;
    }

    /** Fails with a message naming the field when the config cannot build a model. */
    public Dinov2Config validate() {
        require(numAttentionHeads > 0 && hiddenSize > 0, "hidden_size and num_attention_heads must be positive");
        require(
                hiddenSize % numAttentionHeads == 0,
                "hidden_size " + hiddenSize + " must be divisible by num_attention_heads " + numAttentionHeads);
        require(patchSize > 0 && imageSize >= patchSize, "image_size " + imageSize + " < patch_size " + patchSize);
        require(numRegisterTokens >= 0, "num_register_tokens must be ≥ 0");
        require(numHiddenLayers >= 0, "num_hidden_layers must be ≥ 0");
        require(ffnHidden() > 0, "mlp_ratio " + mlpRatio + " gives an empty feed-forward layer");
        return this;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("DINOv2 config: " + message);
        }
    }
}
