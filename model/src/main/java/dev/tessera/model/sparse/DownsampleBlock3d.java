package dev.tessera.model.sparse;

import dev.tessera.model.nn.Conv3d;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * TRELLIS's 2× downsampling of a grid: a 2×2×2 convolution with stride 2 ({@code mode "conv"}, the released models)
 * or 2×2×2 average pooling ({@code mode "avgpool"}, channels unchanged).
 */
public final class DownsampleBlock3d extends Module {
    private final Conv3d conv;

    /** A downsampling {@code in → out} channels; {@code mode} is "conv" or "avgpool". */
    public DownsampleBlock3d(long in, long out, String mode, Generator g) {
        super("DownsampleBlock3d");
        switch (mode) {
            case "conv" -> this.conv = register_module("conv", new Conv3d(in, out, 2, 2, 0, true, g));
            case "avgpool" -> {
                if (in != out) {
                    throw new IllegalArgumentException(
                            "avgpool downsampling keeps the channels: in " + in + " ≠ out " + out);
                }
                this.conv = null;
            }
            default -> throw new IllegalArgumentException("mode must be \"conv\" or \"avgpool\", got \"" + mode + "\"");
        }
    }

    /** {@code x [B, C, D, H, W]} → {@code [B, C_out, D/2, H/2, W/2]}. */
    public Tensor forward(Tensor x) {
        if (conv != null) {
            return conv.forward(x); // [B, C_out, D/2, H/2, W/2]
        }
        return torch.avg_pool3d(
                x,
                new long[] {2, 2, 2},
                new long[] {2, 2, 2},
                new long[] {0, 0, 0},
                false,
                true,
                new org.bytedeco.pytorch.LongOptional()); // [B, C, D/2, H/2, W/2]
    }
}
