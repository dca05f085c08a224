package dev.tessera.model.dit;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The constructor arguments of Hunyuan3D-2's {@code Hunyuan3DDiT}, with the reference's names, so that the
 * {@code model.params} block of a released {@code config.yaml} (or the conformance {@code config.json}) maps onto it
 * one to one.
 *
 * @param inChannels latent channels per token (64 in the released models)
 * @param contextInDim width of the condition tokens (1536 for DINOv2-giant)
 * @param hiddenSize transformer width
 * @param mlpRatio MLP hidden width / {@code hiddenSize}
 * @param numHeads attention heads
 * @param depth double-stream blocks
 * @param depthSingleBlocks single-stream blocks
 * @param axesDim rotary axes of Flux; unused (no positional embedding), but the reference checks
 *     {@code sum(axesDim) == hiddenSize / numHeads}, and so does Tessera
 * @param theta rotary base of Flux; unused, kept for the config round trip
 * @param qkvBias bias on the double-stream blocks' QKV projections
 * @param timeFactor passed by the reference as the timestep embedding's <i>max period</i> (see {@link
 *     Hunyuan3DDiT#timestepEmbedding})
 * @param guidanceEmbed the guidance-distilled variants (turbo, fast) embed the guidance scale like a timestep
 */
public record Hunyuan3DDiTConfig(
        @JsonProperty("in_channels") int inChannels,
        @JsonProperty("context_in_dim") int contextInDim,
        @JsonProperty("hidden_size") int hiddenSize,
        @JsonProperty("mlp_ratio") double mlpRatio,
        @JsonProperty("num_heads") int numHeads,
        @JsonProperty("depth") int depth,
        @JsonProperty("depth_single_blocks") int depthSingleBlocks,
        @JsonProperty("axes_dim") List<Integer> axesDim,
        @JsonProperty("theta") int theta,
        @JsonProperty("qkv_bias") boolean qkvBias,
        @JsonProperty("time_factor") double timeFactor,
        @JsonProperty("guidance_embed") boolean guidanceEmbed) {

    public Hunyuan3DDiTConfig {
        axesDim = List.copyOf(axesDim);
    }

    /** A small model for tests and the demo: 8 channels, width 64, 4 heads, 2 + 2 blocks, condition width 32. */
    public static Hunyuan3DDiTConfig tiny() {
        return new Hunyuan3DDiTConfig(8, 32, 64, 4.0, 4, 2, 2, List.of(16), 10_000, true, 1000, false);
    }

    /**
     * {@code tencent/Hunyuan3D-2}, subfolder {@code hunyuan3d-dit-v2-0}: 64 channels, width 1024, 16 heads, 16
     * double + 32 single blocks, DINOv2-giant condition (1536 wide, 1370 tokens at 518 px). About 1.1 B parameters.
     */
    public static Hunyuan3DDiTConfig hunyuan3d2() {
        return new Hunyuan3DDiTConfig(64, 1536, 1024, 4.0, 16, 16, 32, List.of(64), 10_000, true, 1000, false);
    }

    /** {@code hunyuan3d-dit-v2-0-fast} and {@code -turbo}: the same network with a guidance embedding. */
    public static Hunyuan3DDiTConfig hunyuan3d2Fast() {
        return hunyuan3d2().withGuidanceEmbed(true);
    }

    /** {@code tencent/Hunyuan3D-2mini}, {@code hunyuan3d-dit-v2-mini}: 8 double + 16 single blocks (0.6 B). */
    public static Hunyuan3DDiTConfig hunyuan3d2Mini() {
        return new Hunyuan3DDiTConfig(64, 1536, 1024, 4.0, 16, 8, 16, List.of(64), 10_000, true, 1000, false);
    }

    /** This config with the guidance embedding switched on or off. */
    public Hunyuan3DDiTConfig withGuidanceEmbed(boolean on) {
        return new Hunyuan3DDiTConfig(
                inChannels,
                contextInDim,
                hiddenSize,
                mlpRatio,
                numHeads,
                depth,
                depthSingleBlocks,
                axesDim,
                theta,
                qkvBias,
                timeFactor,
                on);
    }

    /** Per-head width. */
    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** MLP hidden width, {@code int(hiddenSize · mlpRatio)} as the reference truncates it. */
    public int mlpHidden() {
        return (int) (hiddenSize * mlpRatio);
    }

    /** Fails with a message naming the field when the config cannot build a model. */
    public Hunyuan3DDiTConfig validate() {
        require(inChannels > 0, "in_channels must be positive, got " + inChannels);
        require(contextInDim > 0, "context_in_dim must be positive, got " + contextInDim);
        require(numHeads > 0, "num_heads must be positive, got " + numHeads);
        require(
                hiddenSize > 0 && hiddenSize % numHeads == 0,
                "hidden_size " + hiddenSize + " must be divisible by num_heads " + numHeads);
        int axes = axesDim.stream().mapToInt(Integer::intValue).sum();
        require(
                axes == headDim(),
                "axes_dim " + axesDim + " sums to " + axes + " but the head width is " + headDim()
                        + " (hidden_size / num_heads)");
        require(depth >= 0 && depthSingleBlocks >= 0, "depth and depth_single_blocks must be ≥ 0");
        require(mlpHidden() > 0, "mlp_ratio " + mlpRatio + " gives an empty MLP");
        require(timeFactor > 0, "time_factor must be positive, got " + timeFactor);
        return this;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("Hunyuan3DDiT config: " + message);
        }
    }
}
