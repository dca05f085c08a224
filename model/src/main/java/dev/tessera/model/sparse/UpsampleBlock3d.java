package dev.tessera.model.sparse;

import dev.tessera.model.nn.Conv3d;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * TRELLIS's 2× upsampling of a grid: a 3×3×3 convolution (padding 1) to 8× the output channels followed by {@link
 * PixelShuffle3d#shuffle} with factor 2 ({@code mode "conv"}, the released models), or nearest-neighbour
 * interpolation ({@code mode "nearest"}, channels unchanged).
 */
public final class UpsampleBlock3d extends Module {
    private final Conv3d conv;

    /** An upsampling {@code in → out} channels; {@code mode} is "conv" or "nearest". */
    public UpsampleBlock3d(long in, long out, String mode, Generator g) {
        super("UpsampleBlock3d");
        switch (mode) {
            case "conv" -> this.conv = register_module("conv", new Conv3d(in, out * 8, 3, 1, 1, true, g));
            case "nearest" -> {
                if (in != out) {
                    throw new IllegalArgumentException(
                            "nearest upsampling keeps the channels: in " + in + " ≠ out " + out);
                }
                this.conv = null;
            }
            default -> throw new IllegalArgumentException("mode must be \"conv\" or \"nearest\", got \"" + mode + "\"");
        }
    }

    /** {@code x [B, C, D, H, W]} → {@code [B, C_out, 2D, 2H, 2W]}. */
    public Tensor forward(Tensor x) {
        if (conv != null) {
            Tensor h = conv.forward(x); // [B, 8·C_out, D, H, W]
            return PixelShuffle3d.shuffle(h, 2); // [B, C_out, 2D, 2H, 2W]
        }
        long d = x.size(2), h = x.size(3), w = x.size(4);
        Tensor y = x.unsqueeze(3).unsqueeze(5).unsqueeze(7); // [B, C, D, 1, H, 1, W, 1]
        y = y.expand(x.size(0), x.size(1), d, 2, h, 2, w, 2); // [B, C, D, 2, H, 2, W, 2]
        return y.reshape(x.size(0), x.size(1), 2 * d, 2 * h, 2 * w); // [B, C, 2D, 2H, 2W]
    }
}
