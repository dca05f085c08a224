package dev.tessera.model.sparse;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The sparse SDF VAE (Direct3D-S2's and Sparc3D's latent family, built here from sparse convolutions only): the
 * truncated signed distance at the active voxels of a {@code resolution³} grid, encoded by sparse residual blocks and
 * stride-2 sparse convolutions into a Gaussian latent on the active voxels of a grid {@code 2^(levels − 1)} times
 * coarser, decoded by upsampling with pruning back to the input resolution.
 *
 * @param resolution side of the input grid (the samples' {@code sparse_resolution}: 256 by default, 512 works)
 * @param channels encoder channels per level, finest first; the decoder uses them reversed
 * @param numResBlocks sparse residual blocks per level, in the encoder and in the decoder
 * @param latentChannels channels of the latent at each latent voxel
 * @param normType "layer" (per-voxel LayerNorm) or "group" (GroupNorm over each item's active voxels)
 * @param truncation the SDF is divided by {@code truncation} voxel sizes and clamped to [−1, 1] (the model's input and
 *     target); the samples' band should not be wider
 * @param sdfLoss "l1" or "l2" on the truncated SDF
 * @param lambdaPrune weight of the pruning loss (binary cross-entropy of each level's child occupancy, mean over levels)
 * @param lambdaKl weight of the KL term (mean over the latent's elements)
 */
public record SparseSdfVaeConfig(
        @JsonProperty("resolution") int resolution,
        @JsonProperty("channels") List<Integer> channels,
        @JsonProperty("num_res_blocks") int numResBlocks,
        @JsonProperty("latent_channels") int latentChannels,
        @JsonProperty("norm_type") String normType,
        @JsonProperty("truncation") double truncation,
        @JsonProperty("sdf_loss") String sdfLoss,
        @JsonProperty("lambda_prune") double lambdaPrune,
        @JsonProperty("lambda_kl") double lambdaKl) {

    /** Checks the config; every failure names the field and the fix. */
    public SparseSdfVaeConfig {
        if (channels == null || channels.size() < 2) {
            throw new IllegalArgumentException(
                    "channels: at least two levels are needed (the latent is one level coarser), e.g. [16, 32, 64]");
        }
        channels = List.copyOf(channels);
        normType = normType == null ? "layer" : normType;
        sdfLoss = sdfLoss == null ? "l1" : sdfLoss;
        for (int c : channels) {
            if (c < 1) {
                throw new IllegalArgumentException("channels must be positive, got " + channels);
            }
            if (normType.equals("group") && c % Math.min(32, c) != 0) {
                throw new IllegalArgumentException(
                        "norm_type \"group\" needs channel counts divisible by " + "min(32, C), got " + channels);
            }
        }
        if (!normType.equals("layer") && !normType.equals("group")) {
            throw new IllegalArgumentException("norm_type must be \"layer\" or \"group\", got \"" + normType + "\"");
        }
        if (!sdfLoss.equals("l1") && !sdfLoss.equals("l2")) {
            throw new IllegalArgumentException("sdf_loss must be \"l1\" or \"l2\", got \"" + sdfLoss + "\"");
        }
        if (latentChannels < 1 || numResBlocks < 0) {
            throw new IllegalArgumentException("latent_channels must be ≥ 1 and num_res_blocks ≥ 0");
        }
        int factor = 1 << (channels.size() - 1);
        if (resolution < 2 * factor || resolution % factor != 0 || resolution > 4096) {
            throw new IllegalArgumentException("resolution " + resolution + " must be a multiple of " + factor
                    + " (2^(levels − 1) for " + channels.size() + " levels), at least " + 2 * factor
                    + " and at most 4096");
        }
        if (!(truncation > 0) || !Double.isFinite(truncation)) {
            throw new IllegalArgumentException("truncation must be a positive number of voxels, got " + truncation);
        }
        if (lambdaPrune < 0 || lambdaKl < 0) {
            throw new IllegalArgumentException("lambda_prune and lambda_kl must be ≥ 0");
        }
    }

    /** A tiny VAE for tests and the demo: 32³ input, channels 8/16/32, one block per level, an 8³ × 4 latent. */
    public static SparseSdfVaeConfig tiny() {
        return new SparseSdfVaeConfig(32, List.of(8, 16, 32), 1, 4, "layer", 3.0, "l1", 0.5, 1e-4);
    }

    /**
     * The benchmark and CPU-run size: 256³ input (the samples' default), channels 16/32/64/128, one block per level,
     * a 32³ × 8 latent — 2.9 M parameters.
     */
    public static SparseSdfVaeConfig bench() {
        return new SparseSdfVaeConfig(256, List.of(16, 32, 64, 128), 1, 8, "layer", 3.0, "l1", 0.5, 1e-5);
    }

    /**
     * A GPU size in the range of Direct3D-S2's sparse SDF VAE: 512³ input, channels 32/64/128/256/512, two blocks per
     * level, a 32³ × 16 latent (Direct3D-S2 decodes 1024³ from a 64³ latent with transformer blocks at the latent;
     * this model keeps to convolutions). 84 M parameters.
     */
    public static SparseSdfVaeConfig direct3dS2Like() {
        return new SparseSdfVaeConfig(512, List.of(32, 64, 128, 256, 512), 2, 16, "group", 3.0, "l1", 0.5, 1e-6);
    }

    /** Number of levels (the input's and each coarser one, the latent's included). */
    public int levels() {
        return channels.size();
    }

    /** Side of the latent grid: {@code resolution / 2^(levels − 1)}. */
    public int latentResolution() {
        return resolution >> (channels.size() - 1);
    }

    /** The grid side of level {@code l} (0 = input). */
    public int resolutionAt(int level) {
        return resolution >> level;
    }

    /** A copy at another input resolution (same channels and weights shapes: the model is resolution-agnostic). */
    public SparseSdfVaeConfig withResolution(int r) {
        return new SparseSdfVaeConfig(
                r, channels, numResBlocks, latentChannels, normType, truncation, sdfLoss, lambdaPrune, lambdaKl);
    }
}
