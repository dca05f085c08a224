package dev.tessera.model.cond;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tessera.model.Checkpoint;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Preprocessing checked two ways: by hand on images small enough to compute on paper, and against what Pillow 9.4,
 * OpenCV 4.6 and torch 1.13 compute on synthetic images ({@code preprocessing-reference.json}, written by {@code
 * make_preprocessing_reference.py} beside it).
 */
class ImagePreprocessorTest {
    static Map<String, List<Double>> ref;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void readReference() throws IOException {
        try (InputStream in = ImagePreprocessorTest.class.getResourceAsStream("preprocessing-reference.json")) {
            ref = Checkpoint.JSON.readValue(in, Map.class);
        }
    }

    /** The Python script's {@code synthetic(w, h, alpha)}. */
    static Rgba8 synthetic(int w, int h, boolean alpha) {
        int c = alpha ? 4 : 3;
        int[] d = new int[w * h * c];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * c;
                d[i] = (x * 37 + y * 91 + x * y * 7) % 256;
                d[i + 1] = (x * 11 + y * 53 + (x ^ y) * 5) % 256;
                d[i + 2] = (x * x * 3 + y * 29 + 17) % 256;
                if (alpha) {
                    int a = (x + y) % 5 == 0 ? 255 : (x * 61 + y * 17) % 256;
                    boolean inside = x >= 2 && x < w - 2 && y >= 3 && y < h - 1;
                    d[i + 3] = inside ? a : 0;
                }
            }
        }
        return new Rgba8(w, h, c, d);
    }

    static int[] expectedInts(String key) {
        return ref.get(key).stream().mapToInt(Double::intValue).toArray();
    }

    /** Pixels differing from the reference, and by how much at most. */
    static int[] diff(int[] got, int[] want) {
        assertThat(got).hasSameSizeAs(want);
        int n = 0, max = 0;
        for (int i = 0; i < got.length; i++) {
            int d = Math.abs(got[i] - want[i]);
            if (d > 0) {
                n++;
                max = Math.max(max, d);
            }
        }
        return new int[] {n, max};
    }

    @Test
    void pillowLanczosIsBitExact() {
        Rgba8 rgba = synthetic(23, 17, true);
        assertThat(ImageResampling.lanczosPil(rgba, 9, 11).data()).containsExactly(expectedInts("pil_lanczos_9x11"));
        assertThat(ImageResampling.lanczosPil(rgba, 31, 29).data()).containsExactly(expectedInts("pil_lanczos_31x29"));
        assertThat(ImageResampling.lanczosPil(synthetic(23, 17, false), 10, 6).data())
                .containsExactly(expectedInts("pil_lanczos_rgb_10x6"));
    }

    @Test
    void openCvAreaAndCubicAgreeWithinOneLevel() {
        Rgba8 rgba = synthetic(23, 17, true);
        Rgba8 rgb = synthetic(23, 17, false);
        for (String key : List.of("cv_area_9x7", "cv_area_30x25", "cv_area_10x6", "cv_cubic_9x11", "cv_cubic_40x35")) {
            String[] wh = key.substring(key.lastIndexOf('_') + 1).split("x");
            int w = Integer.parseInt(wh[0]), h = Integer.parseInt(wh[1]);
            Rgba8 got = key.contains("area")
                    ? ImageResampling.areaOpenCv(rgba, w, h)
                    : ImageResampling.cubicOpenCv(rgb, w, h);
            int[] d = diff(got.data(), expectedInts(key));
            System.out.printf(
                    "%s: %d of %d values differ from OpenCV 4.6, by at most %d%n", key, d[0], got.data().length, d[1]);
            assertThat(d[1]).as(key).isLessThanOrEqualTo(1);
            assertThat(d[0]).as(key).isLessThanOrEqualTo(got.data().length / 50);
        }
    }

    @Test
    void hunyuanPipelineMatchesTheReferenceSteps() {
        Rgba8 big = synthetic(40, 30, true);
        Rgba8 rec = ImagePreprocessor.hunyuanRecenter(big, 0.15, 16);
        int[] d = diff(rec.data(), expectedInts("hunyuan_recenter_40x30_16"));
        System.out.printf("hunyuan recenter: %d of %d values differ, by at most %d%n", d[0], rec.data().length, d[1]);
        assertThat(d[1]).isLessThanOrEqualTo(1);
        try (StepScope s = new StepScope()) {
            // the encoder transform alone, on the reference's own 8-bit image: float32 agreement
            int[] refRgb = expectedInts("hunyuan_recenter_40x30_16");
            Tensor t = ImagePreprocessor.hunyuanEncoderTransform(
                    ImagePreprocessor.toMinusOneOne(new Rgba8(16, 16, 3, refRgb)), 18);
            assertThat(Tensors.shape(t)).containsExactly(1, 3, 18, 18);
            assertThat(maxAbs(Tensors.toFloats(t), ref.get("hunyuan_encoder_40x30_16_18")))
                    .isLessThan(1e-5);
        }
    }

    @Test
    void trellisPipelineMatchesTheReferenceSteps() {
        try (StepScope s = new StepScope()) {
            Tensor t = ImagePreprocessor.trellis(synthetic(40, 30, true), 20);
            assertThat(Tensors.shape(t)).containsExactly(1, 3, 20, 20);
            assertThat(maxAbs(Tensors.toFloats(t), ref.get("trellis_40x30_20"))).isLessThan(1e-5);
        }
    }

    @Test
    void byHandAUniformOpaqueImage() {
        // 4 × 4 opaque mid-grey (128). TRELLIS: box 0..3, side ⌊3·1.2⌋ = 3, half 1, centre 1.5 → crop [0, 2)², all
        // grey, so every output value is (128/255 − mean)/std. Hunyuan: see below.
        int[] d = new int[4 * 4 * 4];
        for (int i = 0; i < 16; i++) {
            d[i * 4] = 128;
            d[i * 4 + 1] = 128;
            d[i * 4 + 2] = 128;
            d[i * 4 + 3] = 255;
        }
        Rgba8 grey = new Rgba8(4, 4, 4, d);
        try (StepScope s = new StepScope()) {
            float[] t = Tensors.toFloats(ImagePreprocessor.trellis(grey, 6));
            for (int c = 0; c < 3; c++) {
                float want = (128 / 255f - ImagePreprocessor.MEAN[c]) / ImagePreprocessor.STD[c];
                for (int i = 0; i < 36; i++) {
                    assertThat(t[c * 36 + i]).isCloseTo(want, within(1e-6f));
                }
            }
        }
        // recentre: S = 4, desired ⌊4·0.85⌋ = 3, the box is 3 × 3 (max − min) → 3 × 3 at offset 0 on a 4 × 4 canvas:
        // the last row and column are the white border
        Rgba8 rec = ImagePreprocessor.hunyuanRecenter(grey, 0.15, 4);
        assertThat(rec.get(0, 0, 0)).isEqualTo(128);
        assertThat(rec.get(2, 2, 1)).isEqualTo(128);
        assertThat(rec.get(3, 3, 2)).isEqualTo(255);
    }

    @Test
    void byHandHalfTransparentPixelsComposite() {
        // alpha 128 over value 200: Hunyuan composites on white, 200·a + 255·(1 − a) with a = 128/255 → 227.39 → 227;
        // TRELLIS on black: 200/255 · 128/255 · 255 → 100.39 → 100
        int[] d = new int[3 * 3 * 4];
        for (int i = 0; i < 9; i++) {
            d[i * 4] = 200;
            d[i * 4 + 1] = 200;
            d[i * 4 + 2] = 200;
            d[i * 4 + 3] = i == 4 ? 255 : 128;
        }
        Rgba8 img = new Rgba8(3, 3, 4, d);
        Rgba8 rec = ImagePreprocessor.hunyuanRecenter(img, 0.0, 3); // box 2 × 2 → scaled to 3: area upscaling
        assertThat(rec.get(0, 0, 0)).isEqualTo(227);
        try (StepScope s = new StepScope()) {
            // a 3 × 3 opaque core in a half-transparent ring: the box is the core (side ⌊2·1.2⌋ = 2, crop [1, 3)²), so
            // the resized crop is uniform and opaque: premultiplying changes nothing
            int[] e = new int[5 * 5 * 4];
            for (int y = 0; y < 5; y++) {
                for (int x = 0; x < 5; x++) {
                    int i = (y * 5 + x) * 4;
                    e[i] = 200;
                    e[i + 1] = 200;
                    e[i + 2] = 200;
                    e[i + 3] = x >= 1 && x <= 3 && y >= 1 && y <= 3 ? 255 : 128;
                }
            }
            float[] t = Tensors.toFloats(ImagePreprocessor.trellis(new Rgba8(5, 5, 4, e), 4));
            float opaque = (200 / 255f - ImagePreprocessor.MEAN[0]) / ImagePreprocessor.STD[0];
            for (int i = 0; i < 16; i++) {
                assertThat(t[i]).isCloseTo(opaque, within(1e-6f));
            }
        }
    }

    @Test
    void rgbImagesAndBufferedImagesAreAccepted() {
        BufferedImage img = new BufferedImage(8, 6, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 8; x++) {
                img.setRGB(x, y, (x * 30) << 16 | (y * 40) << 8 | 77);
            }
        }
        Rgba8 rgba = Rgba8.of(img);
        assertThat(rgba.channels()).isEqualTo(4);
        assertThat(rgba.get(3, 2, 0)).isEqualTo(90);
        assertThat(rgba.get(3, 2, 3)).isEqualTo(255);
        try (StepScope s = new StepScope()) {
            assertThat(Tensors.shape(ImagePreprocessor.hunyuan3d2(img))).containsExactly(1, 3, 518, 518);
        }
        BufferedImage empty = new BufferedImage(8, 6, BufferedImage.TYPE_INT_ARGB);
        assertThatThrownBy(() -> ImagePreprocessor.hunyuan3d2(empty)).hasMessageContaining("no object");
        assertThatThrownBy(() -> ImagePreprocessor.trellis(empty)).hasMessageContaining("no object");
    }

    static double maxAbs(float[] got, List<Double> want) {
        assertThat(got).hasSize(want.size());
        double m = 0;
        for (int i = 0; i < got.length; i++) {
            m = Math.max(m, Math.abs(got[i] - want.get(i)));
        }
        return m;
    }
}
