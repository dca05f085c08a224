package dev.tessera.model.dit;

import dev.tessera.model.Torch;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;

/**
 * TRELLIS's 3D {@code patchify} / {@code unpatchify} ({@code trellis/modules/spatial.py}) in its exact axis order.
 *
 * <p>{@link #patchify} turns {@code [B, C, D, H, W]} into {@code [B, C·p³, D/p, H/p, W/p]}: the channel of voxel
 * offset {@code (i, j, k)} inside its patch is {@code c·p³ + i·p² + j·p + k} (channel-major, then the offsets in
 * depth, height, width order). {@link #unpatchify} is its inverse. The flow model then flattens the patch grid in
 * row-major order ({@code n = (d·H' + h)·W' + w}) into tokens.
 */
public final class Patchify3d {
    static {
        Torch.load();
    }

    private Patchify3d() {}

    /** {@code x [B, C, D, H, W]} → {@code [B, C·p³, D/p, H/p, W/p]}. */
    public static Tensor patchify(Tensor x, long p) {
        long[] s = dev.tessera.model.Tensors.shape(x);
        if (s.length != 5) {
            throw new IllegalArgumentException("patchify needs [B, C, D, H, W], got " + Arrays.toString(s));
        }
        for (int d = 2; d < 5; d++) {
            if (s[d] % p != 0) {
                throw new IllegalArgumentException(
                        "patchify: spatial size " + Arrays.toString(s) + " is not divisible by patch size " + p);
            }
        }
        long b = s[0], c = s[1], d = s[2] / p, h = s[3] / p, w = s[4] / p;
        Tensor y = x.reshape(b, c, d, p, h, p, w, p); // [B, C, D', p, H', p, W', p]
        y = y.permute(0, 1, 3, 5, 7, 2, 4, 6); // [B, C, p, p, p, D', H', W']
        return y.reshape(b, c * p * p * p, d, h, w); // [B, C·p³, D', H', W']
    }

    /** {@code x [B, C·p³, D', H', W']} → {@code [B, C, D'·p, H'·p, W'·p]}. */
    public static Tensor unpatchify(Tensor x, long p) {
        long[] s = dev.tessera.model.Tensors.shape(x);
        if (s.length != 5 || s[1] % (p * p * p) != 0) {
            throw new IllegalArgumentException(
                    "unpatchify needs [B, C·p³, D, H, W] with p = " + p + ", got " + Arrays.toString(s));
        }
        long b = s[0], c = s[1] / (p * p * p), d = s[2], h = s[3], w = s[4];
        Tensor y = x.reshape(b, c, p, p, p, d, h, w); // [B, C, p, p, p, D', H', W']
        y = y.permute(0, 1, 5, 2, 6, 3, 7, 4); // [B, C, D', p, H', p, W', p]
        return y.reshape(b, c, d * p, h * p, w * p); // [B, C, D, H, W]
    }
}
