package dev.tessera.model.sparse;

import dev.tessera.model.Torch;
import org.bytedeco.pytorch.Tensor;

/**
 * 3D pixel shuffle (sub-voxel convolution's rearrangement) in TRELLIS's exact axis order, and its inverse.
 *
 * <p>{@link #shuffle} moves channel groups into space: input channel {@code c·r³ + i·r² + j·r + k} at voxel
 * {@code (d, h, w)} becomes output channel {@code c} at voxel {@code (d·r + i, h·r + j, w·r + k)} — TRELLIS's
 * {@code pixel_shuffle_3d}: reshape to {@code [B, C', r, r, r, D, H, W]}, permute {@code (0, 1, 5, 2, 6, 3, 7, 4)},
 * reshape to {@code [B, C', D·r, H·r, W·r]}. {@link #unshuffle} is the exact inverse (and equals TRELLIS's
 * {@code patchify} with patch size r).
 */
public final class PixelShuffle3d {
    static {
        Torch.load();
    }

    private PixelShuffle3d() {}

    /** {@code x [B, C·r³, D, H, W]} → {@code [B, C, D·r, H·r, W·r]}. */
    public static Tensor shuffle(Tensor x, long r) {
        check(x, r);
        long b = x.size(0), c = x.size(1), d = x.size(2), h = x.size(3), w = x.size(4);
        if (c % (r * r * r) != 0) {
            throw new IllegalArgumentException(
                    "pixel_shuffle_3d: " + c + " channels are not divisible by r³ = " + (r * r * r));
        }
        long co = c / (r * r * r);
        Tensor y = x.reshape(b, co, r, r, r, d, h, w); // [B, C', r, r, r, D, H, W]
        y = y.permute(0, 1, 5, 2, 6, 3, 7, 4); // [B, C', D, r, H, r, W, r]
        return y.reshape(b, co, d * r, h * r, w * r); // [B, C', D·r, H·r, W·r]
    }

    /** {@code x [B, C, D·r, H·r, W·r]} → {@code [B, C·r³, D, H, W]}, the inverse of {@link #shuffle}. */
    public static Tensor unshuffle(Tensor x, long r) {
        check(x, r);
        long b = x.size(0), c = x.size(1), d = x.size(2), h = x.size(3), w = x.size(4);
        if (d % r != 0 || h % r != 0 || w % r != 0) {
            throw new IllegalArgumentException(
                    "pixel_unshuffle_3d: spatial size " + d + "×" + h + "×" + w + " is not divisible by r = " + r);
        }
        Tensor y = x.reshape(b, c, d / r, r, h / r, r, w / r, r); // [B, C, D', r, H', r, W', r]
        y = y.permute(0, 1, 3, 5, 7, 2, 4, 6); // [B, C, r, r, r, D', H', W']
        return y.reshape(b, c * r * r * r, d / r, h / r, w / r); // [B, C·r³, D', H', W']
    }

    private static void check(Tensor x, long r) {
        if (x.dim() != 5) {
            throw new IllegalArgumentException(
                    "pixel shuffle 3d needs a [B, C, D, H, W] tensor, got " + x.dim() + " axes");
        }
        if (r < 1) {
            throw new IllegalArgumentException("scale factor must be ≥ 1, got " + r);
        }
    }
}
