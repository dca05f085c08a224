package dev.tessera.model.vecset;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Consumer;

/**
 * The constructor arguments of Hunyuan3D-2's {@code ShapeVAE} ({@code hy3dgen/shapegen/models/autoencoders/model.py}),
 * with the reference's names, so that the {@code params} block of a released {@code config.yaml} maps onto it one to
 * one ({@link #fromHunyuanParams}), plus two Tessera options ({@code sharp_cross_attn}, {@code tsdf_truncation}).
 *
 * @param numLatents latent tokens per shape (L)
 * @param embedDim channels per latent token (the KL bottleneck, E)
 * @param width transformer width (W)
 * @param heads attention heads
 * @param numDecoderLayers self-attention blocks of the decoder {@code transformer}
 * @param numEncoderLayers self-attention blocks of the encoder after its cross-attention
 * @param pcSize uniform surface points per shape in the encoder's input ({@code pc_size})
 * @param pcSharpedgeSize sharp-edge points per shape in the encoder's input (0: none)
 * @param pointFeats features per input point after xyz: 3 (normal) or 4 (normal and a sharp-edge flag, Hunyuan3D-2.1)
 * @param downsampleRatio input points per query token: each point set draws {@code queries × ratio} points
 * @param geoDecoderDownsampleRatio the geometry decoder runs at {@code width / ratio} (1: full width)
 * @param geoDecoderMlpExpandRatio MLP expansion of the geometry decoder's cross-attention block
 * @param geoDecoderLnPost layer norm before the geometry decoder's output projection (also enables its QK-norm)
 * @param numFreqs Fourier frequencies per axis
 * @param includePi multiply the Fourier frequencies by π
 * @param qkvBias bias on the query/key/value projections
 * @param qkNorm LayerNorm on each head's queries and keys
 * @param labelType what the geometry decoder predicts: {@code "binary"} (an occupancy logit, positive inside; Hunyuan3D-2)
 *     or {@code "tsdf"} (a truncated signed distance divided by its truncation, negative inside; Dora)
 * @param dropPathRate stochastic depth of the decoder transformer (only 0 is supported; released models use 0)
 * @param scaleFactor factor applied to latents around the DiT by the pipeline (not inside the VAE)
 * @param useLnPost layer norm at the end of the encoder
 * @param sharpCrossAttn Dora's sharp-edge branch: the sharp-edge set gets its own {@code input_proj1} and
 *     {@code cross_attn1}, whose output is added to the uniform set's cross-attention (otherwise both sets are
 *     concatenated into one cross-attention, as Hunyuan3D-2.1 does)
 * @param tsdfTruncation truncation τ of the {@code "tsdf"} label: the target is {@code clamp(sdf, −τ, τ) / τ}
 */
public record ShapeVaeConfig(
        @JsonProperty("num_latents") int numLatents,
        @JsonProperty("embed_dim") int embedDim,
        @JsonProperty("width") int width,
        @JsonProperty("heads") int heads,
        @JsonProperty("num_decoder_layers") int numDecoderLayers,
        @JsonProperty("num_encoder_layers") int numEncoderLayers,
        @JsonProperty("pc_size") int pcSize,
        @JsonProperty("pc_sharpedge_size") int pcSharpedgeSize,
        @JsonProperty("point_feats") int pointFeats,
        @JsonProperty("downsample_ratio") int downsampleRatio,
        @JsonProperty("geo_decoder_downsample_ratio") int geoDecoderDownsampleRatio,
        @JsonProperty("geo_decoder_mlp_expand_ratio") int geoDecoderMlpExpandRatio,
        @JsonProperty("geo_decoder_ln_post") boolean geoDecoderLnPost,
        @JsonProperty("num_freqs") int numFreqs,
        @JsonProperty("include_pi") boolean includePi,
        @JsonProperty("qkv_bias") boolean qkvBias,
        @JsonProperty("qk_norm") boolean qkNorm,
        @JsonProperty("label_type") String labelType,
        @JsonProperty("drop_path_rate") double dropPathRate,
        @JsonProperty("scale_factor") double scaleFactor,
        @JsonProperty("use_ln_post") boolean useLnPost,
        @JsonProperty("sharp_cross_attn") boolean sharpCrossAttn,
        @JsonProperty("tsdf_truncation") double tsdfTruncation) {

    /** Checks the config; every failure names the field and the fix. */
    public ShapeVaeConfig {
        labelType = labelType == null ? "binary" : labelType;
        require(numLatents > 0, "num_latents must be positive, got " + numLatents);
        require(embedDim > 0, "embed_dim must be positive, got " + embedDim);
        require(
                heads > 0 && width > 0 && width % heads == 0,
                "width " + width + " must be divisible by heads " + heads);
        require(
                numDecoderLayers >= 0 && numEncoderLayers >= 0,
                "num_encoder_layers and num_decoder_layers must be ≥ 0");
        require(pcSize > 0, "pc_size must be positive, got " + pcSize);
        require(pcSharpedgeSize >= 0, "pc_sharpedge_size must be ≥ 0, got " + pcSharpedgeSize);
        require(
                pointFeats == 3 || pointFeats == 4,
                "point_feats must be 3 (normal) or 4 (normal + sharp flag), got " + pointFeats);
        require(downsampleRatio >= 1, "downsample_ratio must be ≥ 1, got " + downsampleRatio);
        require(
                geoDecoderDownsampleRatio >= 1
                        && width % geoDecoderDownsampleRatio == 0
                        && heads % geoDecoderDownsampleRatio == 0,
                "geo_decoder_downsample_ratio " + geoDecoderDownsampleRatio + " must divide width " + width
                        + " and heads " + heads);
        require(geoDecoderMlpExpandRatio >= 1, "geo_decoder_mlp_expand_ratio must be ≥ 1");
        require(numFreqs >= 0, "num_freqs must be ≥ 0, got " + numFreqs);
        require(
                labelType.equals("binary") || labelType.equals("tsdf"),
                "label_type must be \"binary\" (occupancy logits) or \"tsdf\" (truncated SDF), got \"" + labelType
                        + "\"");
        require(
                dropPathRate == 0.0,
                "drop_path_rate " + dropPathRate + " is not supported (released models use 0.0); set it to 0");
        require(
                !(labelType.equals("tsdf") && !(tsdfTruncation > 0)),
                "tsdf_truncation must be positive for " + "label_type \"tsdf\", got " + tsdfTruncation);
        double q = (double) pcSize * numLatents / (pcSize + pcSharpedgeSize);
        require(
                q == Math.rint(q) && q >= 1,
                "pc_size / (pc_size + pc_sharpedge_size) · num_latents = " + q
                        + " must be a whole number ≥ 1 (the uniform set's share of the query tokens); change pc_size,"
                        + " pc_sharpedge_size or num_latents");
        require(
                !(sharpCrossAttn && pcSharpedgeSize == 0),
                "sharp_cross_attn needs a sharp-edge set: set pc_sharpedge_size > 0");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("ShapeVAE config: " + message);
        }
    }

    /**
     * A small model for tests and the demo: 64 latents × 8 channels, width 128, 4 heads, 1 cross + 1 self encoder
     * layer, 2 decoder layers; 48 query tokens from the uniform set and 16 from the sharp-edge set (pc_size 1536 +
     * 512), 16 input points per query (768 + 256); truncated-SDF labels (τ = 0.05); QK-norm as released. 6 Fourier
     * octaves instead of the released 8, the setting of every documented run of this size (docs/results.md; 4 fit
     * worse there).
     */
    public static ShapeVaeConfig tiny() {
        return new ShapeVaeConfig(
                64, 8, 128, 4, 2, 1, 1536, 512, 3, 16, 1, 4, true, 6, false, false, true, "tsdf", 0.0, 1.0, true, false,
                0.05);
    }

    /**
     * The benchmark size (issue 6; {@code bench/peers/torch_bench.py}'s {@code VecSetVAE}): 256 latents × 32
     * channels, width 256, 4 heads, 1 cross + 2 self encoder layers, 2 decoder layers, 2048 surface points with
     * normals (ratio 8, so the cross-attention reads all 2048 points as the peer's does), Fourier with π, QKV bias,
     * no QK-norm (the peer has none), occupancy logits.
     */
    public static ShapeVaeConfig bench() {
        return new ShapeVaeConfig(
                256, 32, 256, 4, 2, 2, 2048, 0, 3, 8, 1, 4, true, 8, true, true, false, "binary", 0.0, 1.0, true, false,
                0.0);
    }

    /**
     * {@code tencent/Hunyuan3D-2}, subfolder {@code hunyuan3d-vae-v2-0}: 3072 latents × 64 channels, width 1024, 16
     * heads, 8 encoder and 16 decoder layers, Fourier without π, no QKV bias, QK-norm, occupancy logits,
     * {@code scale_factor} 0.9990943042622529; the reference's defaults for the encoder's inputs (5120 + 5120 points,
     * ratio 20).
     */
    public static ShapeVaeConfig hunyuan3d2() {
        return new ShapeVaeConfig(
                3072,
                64,
                1024,
                16,
                16,
                8,
                5120,
                5120,
                3,
                20,
                1,
                4,
                true,
                8,
                false,
                false,
                true,
                "binary",
                0.0,
                0.9990943042622529,
                true,
                false,
                0.0);
    }

    /**
     * A config from the {@code params} of a released {@code config.yaml} (or a conformance {@code config.json}),
     * with the reference's defaults for missing keys.
     */
    public static ShapeVaeConfig fromHunyuanParams(JsonNode p) {
        return new ShapeVaeConfig(
                p.path("num_latents").asInt(),
                p.path("embed_dim").asInt(),
                p.path("width").asInt(),
                p.path("heads").asInt(),
                p.path("num_decoder_layers").asInt(),
                p.path("num_encoder_layers").asInt(8),
                p.path("pc_size").asInt(5120),
                p.path("pc_sharpedge_size").asInt(5120),
                p.path("point_feats").asInt(3),
                p.path("downsample_ratio").asInt(20),
                p.path("geo_decoder_downsample_ratio").asInt(1),
                p.path("geo_decoder_mlp_expand_ratio").asInt(4),
                p.path("geo_decoder_ln_post").asBoolean(true),
                p.path("num_freqs").asInt(8),
                p.path("include_pi").asBoolean(true),
                p.path("qkv_bias").asBoolean(true),
                p.path("qk_norm").asBoolean(false),
                p.path("label_type").asText("binary"),
                p.path("drop_path_rate").asDouble(0.0),
                p.path("scale_factor").asDouble(1.0),
                p.path("use_ln_post").asBoolean(true),
                p.path("sharp_cross_attn").asBoolean(false),
                p.path("tsdf_truncation").asDouble(0.0));
    }

    /** Per-head width. */
    public int headDim() {
        return width / heads;
    }

    /** Query tokens taken from the uniform set: {@code pc_size / (pc_size + pc_sharpedge_size) · num_latents}. */
    public int uniformQueries() {
        return (int) Math.rint((double) pcSize * numLatents / (pcSize + pcSharpedgeSize));
    }

    /** Query tokens taken from the sharp-edge set: the rest of {@code num_latents}. */
    public int sharpQueries() {
        return numLatents - uniformQueries();
    }

    /** Input points drawn from the uniform set: {@code uniformQueries · downsample_ratio}. */
    public int uniformInputs() {
        return uniformQueries() * downsampleRatio;
    }

    /** Input points drawn from the sharp-edge set: {@code sharpQueries · downsample_ratio}. */
    public int sharpInputs() {
        return sharpQueries() * downsampleRatio;
    }

    /** Values per input point: xyz and {@code point_feats}. */
    public int pointChannels() {
        return 3 + pointFeats;
    }

    /** Width of the Fourier embedding of xyz: {@code 3 · (2 · num_freqs + 1)}. */
    public int fourierDim() {
        return 3 * (2 * numFreqs + 1);
    }

    /** Whether the decoder's value is a truncated SDF (negative inside) rather than an occupancy logit. */
    @JsonIgnore
    public boolean isTsdf() {
        return labelType.equals("tsdf");
    }

    /** This config with another label type and truncation. */
    public ShapeVaeConfig withLabel(String type, double truncation) {
        return with(c -> c.put("label_type", type).put("tsdf_truncation", truncation));
    }

    /** This config with Dora's separate sharp-edge cross-attention switched on or off. */
    public ShapeVaeConfig withSharpCrossAttn(boolean on) {
        return with(c -> c.put("sharp_cross_attn", on));
    }

    /** This config with other input set sizes. */
    public ShapeVaeConfig withPointSets(int uniform, int sharp) {
        return with(c -> c.put("pc_size", uniform).put("pc_sharpedge_size", sharp));
    }

    /**
     * This config at another size: {@code numLatents} tokens of {@code embedDim} channels, transformer width
     * {@code width}. The uniform and sharp-edge point sets keep their share of the query tokens.
     */
    public ShapeVaeConfig withSize(int numLatents, int embedDim, int width) {
        return with(
                c -> c.put("num_latents", numLatents).put("embed_dim", embedDim).put("width", width));
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A copy changed through its {@code config.json} form, so the fields are listed once, in the record. */
    private ShapeVaeConfig with(Consumer<ObjectNode> change) {
        ObjectNode c = JSON.valueToTree(this);
        change.accept(c);
        try {
            return JSON.treeToValue(c, ShapeVaeConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
    }

    /**
     * This config with another Fourier embedding of xyz: {@code frequencies} octaves per axis ({@code 2^0 … 2^(n−1)},
     * times π when {@code pi}). Fewer octaves give smoother fields that a small model learns in fewer steps.
     */
    public ShapeVaeConfig withFourier(int frequencies, boolean pi) {
        return with(c -> c.put("num_freqs", frequencies).put("include_pi", pi));
    }
}
