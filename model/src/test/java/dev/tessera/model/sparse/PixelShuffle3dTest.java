package dev.tessera.model.sparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.model.Rng;
import dev.tessera.model.Tensors;
import dev.tessera.model.dit.Patchify3d;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** {@code pixel_shuffle_3d} in TRELLIS's axis order, and its inverse. */
class PixelShuffle3dTest {

    private static Tensor iota(long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        return Tensors.fromFloats(v, shape);
    }

    @Test
    void eightChannelsBecomeOneCubeInRowMajorOrder() {
        // channel i·4 + j·2 + k goes to voxel (i, j, k): the 8 channels read back in row-major order
        float[] got = Tensors.toFloats(PixelShuffle3d.shuffle(iota(1, 8, 1, 1, 1), 2));
        assertThat(got).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    }

    @Test
    void handBuiltExampleWithTwoOutputChannelsAndTwoCellsInDepth() {
        // x [1, 16, 2, 1, 1], value = channel·10 + depth. Out [1, 2, 4, 2, 2]:
        // out[c, 2d + i, j, k] = x[8c + 4i + 2j + k, d]  (reshape [B, C', 2, 2, 2, D, H, W], permute 0,1,5,2,6,3,7,4)
        float[] x = new float[16 * 2];
        for (int ch = 0; ch < 16; ch++) {
            for (int d = 0; d < 2; d++) {
                x[ch * 2 + d] = ch * 10 + d;
            }
        }
        float[] got = Tensors.toFloats(PixelShuffle3d.shuffle(Tensors.fromFloats(x, 1, 16, 2, 1, 1), 2));
        float[] want = {
            // c = 0 (channels 0..7): depth 0, 1 from cell d = 0; depth 2, 3 from d = 1; each a 2×2 (j, k) slab
            0, 10, 20, 30, 40, 50, 60, 70, 1, 11, 21, 31, 41, 51, 61, 71,
            // c = 1 (channels 8..15)
            80, 90, 100, 110, 120, 130, 140, 150, 81, 91, 101, 111, 121, 131, 141, 151
        };
        assertThat(got).containsExactly(want);
    }

    @Test
    void formulaHoldsEverywhereForFactorThree() {
        long c = 2, r = 3, d = 2, h = 3, w = 2;
        float[] x = Tensors.toFloats(iota(1, c * r * r * r, d, h, w));
        float[] y = Tensors.toFloats(PixelShuffle3d.shuffle(iota(1, c * r * r * r, d, h, w), r));
        for (int ci = 0; ci < c; ci++) {
            for (int di = 0; di < d * r; di++) {
                for (int hi = 0; hi < h * r; hi++) {
                    for (int wi = 0; wi < w * r; wi++) {
                        long in = ci * r * r * r + (di % r) * r * r + (hi % r) * r + (wi % r);
                        long src = ((in * d + di / r) * h + hi / r) * w + wi / r;
                        long dst = ((ci * d * r + di) * h * r + hi) * w * r + wi;
                        assertThat(y[(int) dst]).isEqualTo(x[(int) src]);
                    }
                }
            }
        }
    }

    @Test
    void unshuffleInvertsShuffleBothWays() {
        Tensor x = Rng.randn(Rng.cpu(1), 2, 24, 3, 2, 4);
        Tensor y = PixelShuffle3d.shuffle(x, 2);
        assertThat(Tensors.shape(y)).containsExactly(2, 3, 6, 4, 8);
        assertThat(Tensors.toFloats(PixelShuffle3d.unshuffle(y, 2))).containsExactly(Tensors.toFloats(x));
        Tensor z = Rng.randn(Rng.cpu(2), 1, 2, 4, 6, 2);
        assertThat(Tensors.toFloats(PixelShuffle3d.shuffle(PixelShuffle3d.unshuffle(z, 2), 2)))
                .containsExactly(Tensors.toFloats(z));
    }

    @Test
    void shuffleIsTrellisUnpatchifyAndUnshuffleIsPatchify() {
        Tensor x = Rng.randn(Rng.cpu(3), 2, 16, 2, 3, 2);
        assertThat(Tensors.toFloats(PixelShuffle3d.shuffle(x, 2)))
                .containsExactly(Tensors.toFloats(Patchify3d.unpatchify(x, 2)));
        Tensor y = Rng.randn(Rng.cpu(4), 2, 3, 4, 2, 6);
        assertThat(Tensors.toFloats(PixelShuffle3d.unshuffle(y, 2)))
                .containsExactly(Tensors.toFloats(Patchify3d.patchify(y, 2)));
    }

    @Test
    void badShapesAreRefused() {
        assertThatThrownBy(() -> PixelShuffle3d.shuffle(iota(1, 12, 1, 1, 1), 2))
                .hasMessageContaining("not divisible by r³ = 8");
        assertThatThrownBy(() -> PixelShuffle3d.unshuffle(iota(1, 1, 3, 2, 2), 2))
                .hasMessageContaining("not divisible by r = 2");
        assertThatThrownBy(() -> PixelShuffle3d.shuffle(iota(8, 1, 1, 1), 2)).hasMessageContaining("[B, C, D, H, W]");
    }
}
