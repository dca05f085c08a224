package dev.tessera.model.cond;

import dev.tessera.model.Tensors;
import dev.tessera.model.Torch;
import java.awt.image.BufferedImage;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.InterpolateFuncOptions;
import org.bytedeco.pytorch.InterpolateMode;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.kBilinear;

/**
 * The image preprocessing of the 3D pipelines, from a {@code BufferedImage} to the normalised {@code [1, 3, H, W]}
 * float32 tensor their DINOv2 encoder takes.
 *
 * <p><b>Hunyuan3D-2</b> ({@link #hunyuan3d2}), two stages as the reference runs them:
 *
 * <ol>
 *   <li>{@code ImageProcessorV2} ({@link #hunyuanRecenter}): the object's bounding box (pixels with alpha &gt; 0;
 *       an image without alpha is all object) is cropped, resized with OpenCV's {@code INTER_AREA} so its longer
 *       side is {@code ⌊(1 − border)·S⌋} of the square canvas of side {@code S = max(H, W)}, centred on a transparent
 *       canvas, composited on <b>white</b> ({@code rgb·a + 255·(1 − a)}, truncated to 8 bits), then resized to
 *       512 × 512 with OpenCV's {@code INTER_CUBIC} and mapped to [−1, 1];
 *   <li>the DINOv2 conditioner ({@link #hunyuanEncoderTransform}): [−1, 1] → [0, 1], the short side resized to 518
 *       bilinearly with antialias (torchvision on a tensor), centre crop 518 × 518, ImageNet mean/std.
 * </ol>
 *
 * <p><b>TRELLIS</b> ({@link #trellis}): crop a square of side {@code ⌊1.2 · max(box side)⌋} around the centre of the
 * box of pixels with alpha &gt; 0.8·255 (outside the image is transparent), resize to 518 × 518 with Pillow's
 * Lanczos, premultiply by alpha — a composite on <b>black</b> — truncated to 8 bits, then ImageNet mean/std. TRELLIS
 * removes the background of an opaque image with rembg first; Tessera does not, and uses the whole image.
 */
public final class ImagePreprocessor {
    static {
        Torch.load();
    }

    /** ImageNet mean, as torchvision's {@code Normalize} uses it. */
    public static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    /** ImageNet std. */
    public static final float[] STD = {0.229f, 0.224f, 0.225f};

    private ImagePreprocessor() {}

    /** Hunyuan3D-2 with the released settings: border 0.15, 512 px processor, 518 px encoder input. */
    public static Tensor hunyuan3d2(BufferedImage image) {
        return hunyuan3d2(Rgba8.of(image), 0.15, 512, 518);
    }

    /** Hunyuan3D-2's two stages: {@link #hunyuanRecenter} then {@link #hunyuanEncoderTransform}. */
    public static Tensor hunyuan3d2(Rgba8 image, double borderRatio, int processorSize, int encoderSize) {
        Rgba8 rgb = hunyuanRecenter(image, borderRatio, processorSize); // [S, S, 3] uint8
        return hunyuanEncoderTransform(toMinusOneOne(rgb), encoderSize); // [1, 3, E, E]
    }

    /**
     * {@code ImageProcessorV2.load_image}: recentre the object with a border, composite on white, cubic-resize to
     * {@code size × size}. Returns 8-bit RGB.
     */
    public static Rgba8 hunyuanRecenter(Rgba8 image, double borderRatio, int size) {
        Rgba8 rgba = withAlpha(image);
        int h = rgba.height(), w = rgba.width();
        int s = Math.max(h, w);
        int yMin = Integer.MAX_VALUE, yMax = -1, xMin = Integer.MAX_VALUE, xMax = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (rgba.get(x, y, 3) != 0) {
                    yMin = Math.min(yMin, y);
                    yMax = Math.max(yMax, y);
                    xMin = Math.min(xMin, x);
                    xMax = Math.max(xMax, x);
                }
            }
        }
        int bh = yMax - yMin, bw = xMax - xMin; // as the reference: max − min, and the crop excludes the max row/column
        if (yMax < 0 || bh == 0 || bw == 0) {
            throw new IllegalArgumentException("the image has no object: its alpha channel is empty or one pixel thin");
        }
        int desired = (int) (s * (1 - borderRatio));
        double scale = (double) desired / Math.max(bh, bw);
        int h2 = (int) (bh * scale), w2 = (int) (bw * scale);
        int y2 = (s - h2) / 2, x2 = (s - w2) / 2;
        Rgba8 obj = ImageResampling.areaOpenCv(rgba.crop(xMin, yMin, xMax, yMax), w2, h2);
        int[] rgb = new int[s * s * 3];
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                boolean inside = y >= y2 && y < y2 + h2 && x >= x2 && x < x2 + w2;
                float a = inside ? obj.get(x - x2, y - y2, 3) / 255f : 0f;
                for (int c = 0; c < 3; c++) {
                    int v = inside ? obj.get(x - x2, y - y2, c) : 0;
                    float f = v * a + 255 * (1 - a); // float32, as numpy computes it
                    rgb[(y * s + x) * 3 + c] = (int) Math.min(255f, Math.max(0f, f)); // clip, then truncate
                }
            }
        }
        return ImageResampling.cubicOpenCv(new Rgba8(s, s, 3, rgb), size, size);
    }

    /** {@code array_to_tensor}: 8-bit RGB → {@code [1, 3, H, W]} float32 in [−1, 1] ({@code v/255·2 − 1}). */
    public static Tensor toMinusOneOne(Rgba8 rgb) {
        int h = rgb.height(), w = rgb.width();
        float[] out = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < h * w; i++) {
                out[c * h * w + i] = rgb.data()[i * rgb.channels() + c] / 255f * 2f - 1f;
            }
        }
        return Tensors.fromFloats(out, 1, 3, h, w); // [1, 3, H, W]
    }

    /**
     * Hunyuan3D-2's {@code DinoImageEncoder} transform: {@code image [B, 3, H, W]} in [−1, 1] → [0, 1] → short side
     * resized to {@code size} (bilinear, antialias; the long side becomes {@code ⌊size · long/short⌋}) → centre crop
     * {@code size × size} → ImageNet normalisation. Returns {@code [B, 3, size, size]}.
     */
    public static Tensor hunyuanEncoderTransform(Tensor image, int size) {
        Tensor x = image.add(new org.bytedeco.pytorch.Scalar(1.0))
                .div(new org.bytedeco.pytorch.Scalar(2.0)); // [B, 3, H, W]
        long h = x.size(2), w = x.size(3);
        long nh, nw;
        if (h <= w) {
            nh = size;
            nw = (long) (size * (double) w / h);
        } else {
            nw = size;
            nh = (long) (size * (double) h / w);
        }
        if (nh != h || nw != w) {
            InterpolateFuncOptions o = new InterpolateFuncOptions();
            o.size().put(new LongVector(new long[] {nh, nw}));
            o.mode().put(new InterpolateMode(new kBilinear()));
            o.align_corners().put(new BoolOptional(false));
            o.antialias().put(true);
            x = torch.interpolate(x, o); // [B, 3, nh, nw]
        }
        long top = pyRound((nh - size) / 2.0); // torchvision's CenterCrop: int(round(...)), ties to even
        long left = pyRound((nw - size) / 2.0);
        x = x.narrow(2, top, size).narrow(3, left, size); // [B, 3, size, size]
        return normalize(x); // [B, 3, size, size]
    }

    /** Python's {@code round}: to nearest, ties to even. */
    static long pyRound(double v) {
        return (long) Math.rint(v);
    }

    /** TRELLIS with the released settings (518 px). */
    public static Tensor trellis(BufferedImage image) {
        return trellis(Rgba8.of(image), 518);
    }

    /** TRELLIS's {@code preprocess_image} + {@code encode_image} transform, at {@code size} px. */
    public static Tensor trellis(Rgba8 image, int size) {
        Rgba8 rgba = withAlpha(image);
        int w = rgba.width(), h = rgba.height();
        int xMin = Integer.MAX_VALUE, xMax = -1, yMin = Integer.MAX_VALUE, yMax = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (rgba.get(x, y, 3) > 0.8 * 255) {
                    xMin = Math.min(xMin, x);
                    xMax = Math.max(xMax, x);
                    yMin = Math.min(yMin, y);
                    yMax = Math.max(yMax, y);
                }
            }
        }
        if (xMax < 0) {
            throw new IllegalArgumentException("the image has no object: no pixel has alpha above 0.8");
        }
        double cx = (xMin + xMax) / 2.0, cy = (yMin + yMax) / 2.0;
        int side = (int) (Math.max(xMax - xMin, yMax - yMin) * 1.2);
        int half = side / 2;
        // Pillow's crop rounds each coordinate (ties to even)
        Rgba8 crop = rgba.crop(
                (int) pyRound(cx - half), (int) pyRound(cy - half), (int) pyRound(cx + half), (int) pyRound(cy + half));
        Rgba8 res = ImageResampling.lanczosPil(crop, size, size);
        float[] out = new float[3 * size * size];
        int n = size * size;
        for (int i = 0; i < n; i++) {
            float a = res.data()[i * 4 + 3] / 255f;
            for (int c = 0; c < 3; c++) {
                float v = res.data()[i * 4 + c] / 255f * a; // premultiplied: composited on black
                int q = (int) (v * 255f); // astype(uint8) truncates
                out[c * n + i] = q / 255f;
            }
        }
        return normalize(Tensors.fromFloats(out, 1, 3, size, size)); // [1, 3, size, size]
    }

    /** torchvision's {@code Normalize(MEAN, STD)}: {@code (x − mean) / std} per channel, float32. */
    public static Tensor normalize(Tensor x) {
        Tensor mean = Tensors.fromFloats(MEAN, 1, 3, 1, 1).to(x.scalar_type().intern());
        Tensor std = Tensors.fromFloats(STD, 1, 3, 1, 1).to(x.scalar_type().intern());
        return x.sub(mean).div(std); // [B, 3, H, W]
    }

    /** RGBA, adding an opaque alpha to an RGB image. */
    static Rgba8 withAlpha(Rgba8 image) {
        if (image.channels() == 4) {
            return image;
        }
        if (image.channels() != 3) {
            throw new IllegalArgumentException("expected an RGB or RGBA image, got " + image.channels() + " channels");
        }
        int n = image.width() * image.height();
        int[] d = new int[n * 4];
        for (int i = 0; i < n; i++) {
            System.arraycopy(image.data(), i * 3, d, i * 4, 3);
            d[i * 4 + 3] = 255;
        }
        return new Rgba8(image.width(), image.height(), 4, d);
    }
}
