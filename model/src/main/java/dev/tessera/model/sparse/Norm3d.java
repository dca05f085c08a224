package dev.tessera.model.sparse;

import org.bytedeco.pytorch.Tensor;

/** A normalisation of a {@code [B, C, D, H, W]} grid: TRELLIS's {@code norm_layer("layer" | "group", C)}. */
public sealed interface Norm3d permits ChannelLayerNorm32, GroupNorm32 {
    /** {@code x [B, C, D, H, W]} → same shape. */
    Tensor forward(Tensor x);

    /** The layer TRELLIS's {@code norm_layer(type, channels)} builds ({@code "layer"} or {@code "group"}). */
    static Norm3d of(String type, long channels) {
        return switch (type) {
            case "layer" -> new ChannelLayerNorm32(channels);
            case "group" -> new GroupNorm32(32, channels);
            default ->
                throw new IllegalArgumentException("norm_type must be \"layer\" or \"group\", got \"" + type + "\"");
        };
    }
}
