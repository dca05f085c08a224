package dev.tessera.model.sparse;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The sparse-structure VAE of TRELLIS (an encoder and a decoder of dense 3D convolutions between a binary occupancy
 * grid and a small latent grid). The JSON names are TRELLIS's constructor arguments, so a released config's
 * {@code args} import directly ({@link #fromTrellisArgs}).
 *
 * @param resolution side of the occupancy grid (64 released)
 * @param inChannels channels of the encoder input (1: occupancy)
 * @param outChannels channels of the decoder output (1: occupancy logits)
 * @param latentChannels channels of the latent grid (8 released)
 * @param channels encoder channels per level, finest first (32/128/512 released); the decoder uses them reversed
 * @param numResBlocks {@link ResBlock3d}s per level
 * @param numResBlocksMiddle {@link ResBlock3d}s in each middle block (after the encoder's last level, before the
 *     decoder's first)
 * @param normType "layer" ({@link ChannelLayerNorm32}, released) or "group" ({@link GroupNorm32}, 32 groups)
 * @param lossType the occupancy loss: "bce", "dice" (released), "l1" or "bce_dice" (their sum)
 * @param lambdaKl weight of the KL term (1e-3 released)
 */
public record SparseStructureVaeConfig(
        @JsonProperty("resolution") int resolution,
        @JsonProperty("in_channels") int inChannels,
        @JsonProperty("out_channels") int outChannels,
        @JsonProperty("latent_channels") int latentChannels,
        @JsonProperty("channels") List<Integer> channels,
        @JsonProperty("num_res_blocks") int numResBlocks,
        @JsonProperty("num_res_blocks_middle") int numResBlocksMiddle,
        @JsonProperty("norm_type") String normType,
        @JsonProperty("loss_type") String lossType,
        @JsonProperty("lambda_kl") double lambdaKl) {

    /** Checks the config; every failure names the field and the fix. */
    public SparseStructureVaeConfig {
        if (channels == null || channels.isEmpty()) {
            throw new IllegalArgumentException("channels: at least one level is needed, e.g. [32, 128, 512]");
        }
        channels = List.copyOf(channels);
        normType = normType == null ? "layer" : normType;
        lossType = lossType == null ? "dice" : lossType;
        if (inChannels < 1 || outChannels < 1 || latentChannels < 1) {
            throw new IllegalArgumentException("in_channels, out_channels and latent_channels must be ≥ 1, got "
                    + inChannels + ", " + outChannels + ", " + latentChannels);
        }
        for (int c : channels) {
            if (c < 1) {
                throw new IllegalArgumentException("channels must be positive, got " + channels);
            }
            if (normType.equals("group") && c % 32 != 0) {
                throw new IllegalArgumentException(
                        "norm_type \"group\" uses 32 groups: every channel count must be a multiple of 32, got "
                                + channels);
            }
        }
        if (!normType.equals("layer") && !normType.equals("group")) {
            throw new IllegalArgumentException("norm_type must be \"layer\" or \"group\", got \"" + normType + "\"");
        }
        if (!List.of("bce", "dice", "l1", "bce_dice").contains(lossType)) {
            throw new IllegalArgumentException(
                    "loss_type must be \"bce\", \"dice\", \"l1\" or \"bce_dice\", got \"" + lossType + "\"");
        }
        if (numResBlocks < 0 || numResBlocksMiddle < 0) {
            throw new IllegalArgumentException("num_res_blocks and num_res_blocks_middle must be ≥ 0");
        }
        int factor = 1 << (channels.size() - 1);
        if (resolution < factor || resolution % factor != 0) {
            throw new IllegalArgumentException("resolution " + resolution + " must be a multiple of " + factor
                    + " (2^(levels − 1) for " + channels.size() + " levels)");
        }
        if (lambdaKl < 0) {
            throw new IllegalArgumentException("lambda_kl must be ≥ 0, got " + lambdaKl);
        }
    }

    /** A tiny VAE for tests and the demo: 16³ occupancy, channels 8/16/32, one res block per level, 4³ × 8 latent. */
    public static SparseStructureVaeConfig tiny() {
        return new SparseStructureVaeConfig(16, 1, 1, 8, List.of(8, 16, 32), 1, 1, "layer", "bce_dice", 1e-3);
    }

    /**
     * The benchmark size (issue 7): batch 1, 32³ occupancy, channels 32/128/512, 2 res blocks per level, 8 latent
     * channels (8³ latent), BCE + 1e-6·KL. No middle blocks, so that a training step does the arithmetic of {@code
     * bench/peers/torch_models.py}'s {@code SparseStructureVAE}, which has none (see {@code docs/sparse-structure.md}).
     */
    public static SparseStructureVaeConfig bench() {
        return new SparseStructureVaeConfig(32, 1, 1, 8, List.of(32, 128, 512), 2, 0, "layer", "bce", 1e-6);
    }

    /**
     * TRELLIS's released {@code ss_vae_conv3d_16l8}: 64³ occupancy, channels 32/128/512, 2 + 2 res blocks, a 16³ × 8
     * latent; trained with the dice loss and KL weight 1e-3 ({@code configs/vae/ss_vae_conv3d_16l8_fp16.json}).
     */
    public static SparseStructureVaeConfig trellisSparseStructure() {
        return new SparseStructureVaeConfig(64, 1, 1, 8, List.of(32, 128, 512), 2, 2, "layer", "dice", 1e-3);
    }

    /**
     * A config from the {@code args} of TRELLIS's released encoder config ({@code SparseStructureEncoder}: {@code
     * in_channels}, {@code latent_channels}, {@code num_res_blocks}, {@code channels}, …) or decoder config
     * ({@code SparseStructureDecoder}: {@code out_channels}, channels coarsest first), at the given resolution.
     */
    public static SparseStructureVaeConfig fromTrellisArgs(JsonNode args, int resolution) {
        List<Integer> ch = new ArrayList<>();
        args.path("channels").forEach(n -> ch.add(n.asInt()));
        boolean decoder = args.has("out_channels") && !args.has("in_channels");
        if (decoder) {
            java.util.Collections.reverse(ch);
        }
        return new SparseStructureVaeConfig(
                resolution,
                args.path("in_channels").asInt(1),
                args.path("out_channels").asInt(1),
                args.path("latent_channels").asInt(),
                ch,
                args.path("num_res_blocks").asInt(),
                args.path("num_res_blocks_middle").asInt(2),
                args.path("norm_type").asText("layer"),
                "dice",
                1e-3);
    }

    /** The encoder's channels per level, finest first. */
    public List<Integer> encoderChannels() {
        return channels;
    }

    /** The decoder's channels per level, coarsest first (TRELLIS's decoder {@code channels} argument). */
    public List<Integer> decoderChannels() {
        List<Integer> r = new ArrayList<>(channels);
        java.util.Collections.reverse(r);
        return r;
    }

    /** Side of the latent grid: {@code resolution / 2^(levels − 1)}. */
    public int latentResolution() {
        return resolution >> (channels.size() - 1);
    }
}
