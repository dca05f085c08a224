package dev.tessera.model.cond;

/**
 * The 8-bit resamplers the 3D pipelines' Python preprocessing calls, re-implemented from their published algorithms
 * so that a Java caller gets the same pixels:
 *
 * <ul>
 *   <li>{@link #lanczosPil}: Pillow's {@code Image.resize(size, LANCZOS)} (TRELLIS): separable, support 3 widened by
 *       the downscale factor, coefficients normalised then quantised to 22 fractional bits, horizontal pass then
 *       vertical pass, each rounded and clipped to 8 bits; RGBA is premultiplied before and un-premultiplied after,
 *       as Pillow does. Bit-exact with Pillow 9.4 on the tests' images.
 *   <li>{@link #areaOpenCv}: OpenCV's {@code cv2.resize(..., INTER_AREA)} (Hunyuan3D-2's recentering): exact box
 *       averaging in float32 when shrinking; when enlarging, OpenCV's area-mode bilinear weights with 11-bit
 *       fixed-point coefficients.
 *   <li>{@link #cubicOpenCv}: OpenCV's {@code cv2.resize(..., INTER_CUBIC)} (Hunyuan3D-2, to 512 px): Keys' kernel
 *       with {@code a = −0.75}, replicated borders, 11-bit fixed-point coefficients, no antialias.
 * </ul>
 *
 * OpenCV's vectorised vertical passes round differently from its scalar code (the bilinear one drops low bits first;
 * the bicubic one works in float), and which one runs depends on the row width and the CPU. Tessera follows the
 * vectorised bilinear rounding and the scalar bicubic one; the tests count the differences against OpenCV 4.6 (none
 * on their images), and a pixel that differs does so by one level.
 */
public final class ImageResampling {
    private static final int PIL_BITS = 22; // Pillow's PRECISION_BITS = 32 − 8 − 2
    private static final int CV_BITS = 11; // OpenCV's INTER_RESIZE_COEF_BITS
    private static final int CV_ONE = 1 << CV_BITS;

    private ImageResampling() {}

    // ---------------------------------------------------------------- Pillow LANCZOS

    /** Pillow's {@code resize((w, h), LANCZOS)}; 4-channel images are treated as straight-alpha RGBA. */
    public static Rgba8 lanczosPil(Rgba8 in, int w, int h) {
        if (in.width() == w && in.height() == h) {
            return new Rgba8(w, h, in.channels(), in.data().clone()); // Pillow returns a copy
        }
        Rgba8 src = in.channels() == 4 ? premultiplyPil(in) : in;
        Rgba8 out = src;
        if (w != src.width()) {
            out = passPil(out, w, true);
        }
        if (h != src.height()) {
            out = passPil(out, h, false);
        }
        return in.channels() == 4 ? unpremultiplyPil(out) : out;
    }

    private static double lanczos(double x) {
        return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
    }

    private static double sinc(double x) {
        if (x == 0.0) {
            return 1.0;
        }
        x = x * Math.PI;
        return Math.sin(x) / x;
    }

    /** One separable pass along x ({@code horizontal}) or y, in Pillow's fixed point. */
    private static Rgba8 passPil(Rgba8 in, int outSize, boolean horizontal) {
        int inSize = horizontal ? in.width() : in.height();
        double scale = (double) inSize / outSize;
        double filterscale = Math.max(scale, 1.0);
        double support = 3.0 * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[outSize * 2];
        int[] kk = new int[outSize * ksize];
        double[] pre = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterscale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                double wgt = lanczos((x + xmin - center + 0.5) * ss);
                pre[x] = wgt;
                ww += wgt;
            }
            for (int x = 0; x < xmax; x++) {
                double k = ww != 0.0 ? pre[x] / ww : pre[x];
                kk[xx * ksize + x] = k < 0 ? (int) (-0.5 + k * (1 << PIL_BITS)) : (int) (0.5 + k * (1 << PIL_BITS));
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        int c = in.channels();
        int ow = horizontal ? outSize : in.width(), oh = horizontal ? in.height() : outSize;
        int[] out = new int[ow * oh * c];
        int[] src = in.data();
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int xx = horizontal ? x : y;
                int xmin = bounds[xx * 2], xmax = bounds[xx * 2 + 1];
                for (int ch = 0; ch < c; ch++) {
                    int acc = 1 << (PIL_BITS - 1);
                    for (int k = 0; k < xmax; k++) {
                        int s = horizontal
                                ? src[(y * in.width() + xmin + k) * c + ch]
                                : src[((xmin + k) * in.width() + x) * c + ch];
                        acc += s * kk[xx * ksize + k];
                    }
                    out[(y * ow + x) * c + ch] = clip8(acc >> PIL_BITS);
                }
            }
        }
        return new Rgba8(ow, oh, c, out);
    }

    /** Pillow's RGBA → RGBa: {@code c·a/255} rounded as its {@code MULDIV255}. */
    public static Rgba8 premultiplyPil(Rgba8 in) {
        int[] d = in.data().clone();
        for (int i = 0; i < d.length; i += 4) {
            int a = d[i + 3];
            for (int ch = 0; ch < 3; ch++) {
                int tmp = d[i + ch] * a + 128;
                d[i + ch] = ((tmp >> 8) + tmp) >> 8;
            }
        }
        return new Rgba8(in.width(), in.height(), 4, d);
    }

    /** Pillow's RGBa → RGBA: {@code 255·c / a} (integer division, clipped), unchanged where a is 0 or 255. */
    public static Rgba8 unpremultiplyPil(Rgba8 in) {
        int[] d = in.data().clone();
        for (int i = 0; i < d.length; i += 4) {
            int a = d[i + 3];
            if (a != 0 && a != 255) {
                for (int ch = 0; ch < 3; ch++) {
                    d[i + ch] = clip8(255 * d[i + ch] / a);
                }
            }
        }
        return new Rgba8(in.width(), in.height(), 4, d);
    }

    private static int clip8(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    // ---------------------------------------------------------------- OpenCV INTER_CUBIC

    /** OpenCV's {@code cv2.resize(img, (w, h), interpolation=INTER_CUBIC)} on an 8-bit image. */
    public static Rgba8 cubicOpenCv(Rgba8 in, int w, int h) {
        int[][] xt = cubicTable(in.width(), w);
        int[][] yt = cubicTable(in.height(), h);
        return separableOpenCv(in, w, h, xt, yt, 4);
    }

    /** For each output index: source start index (before clamping) and 4 fixed-point weights. */
    private static int[][] cubicTable(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        int[][] t = new int[outSize][5];
        for (int d = 0; d < outSize; d++) {
            float f = (float) ((d + 0.5) * scale - 0.5);
            int s = (int) Math.floor(f);
            f -= s;
            float a = -0.75f;
            float c0 = ((a * (f + 1) - 5 * a) * (f + 1) + 8 * a) * (f + 1) - 4 * a;
            float c1 = ((a + 2) * f - (a + 3)) * f * f + 1;
            float c2 = ((a + 2) * (1 - f) - (a + 3)) * (1 - f) * (1 - f) + 1;
            float c3 = 1.f - c0 - c1 - c2;
            t[d][0] = s - 1;
            t[d][1] = (int) Math.rint(c0 * CV_ONE);
            t[d][2] = (int) Math.rint(c1 * CV_ONE);
            t[d][3] = (int) Math.rint(c2 * CV_ONE);
            t[d][4] = (int) Math.rint(c3 * CV_ONE);
        }
        return t;
    }

    /**
     * OpenCV's fixed-point separable resize: a horizontal pass to ints with {@code k} taps (indices clamped to the
     * image), then a vertical pass rounded to 8 bits with 22 fractional bits.
     */
    private static Rgba8 separableOpenCv(Rgba8 in, int w, int h, int[][] xt, int[][] yt, int k) {
        int c = in.channels(), iw = in.width(), ih = in.height();
        int[] src = in.data();
        int[] rowBuf = new int[ih * w * c]; // horizontal pass of every source row
        for (int y = 0; y < ih; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < c; ch++) {
                    int acc = 0;
                    for (int j = 0; j < k; j++) {
                        int sx = clamp(xt[x][0] + j, iw);
                        acc += src[(y * iw + sx) * c + ch] * xt[x][1 + j];
                    }
                    rowBuf[(y * w + x) * c + ch] = acc;
                }
            }
        }
        int[] out = new int[w * h * c];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < c; ch++) {
                    if (k == 2) {
                        // OpenCV's vectorised bilinear rows (VResizeLinearVec_32s8u): drop 4 bits, keep the high
                        // 16 bits of each product, round the sum by 2 bits — not the scalar rounding
                        int s0 = rowBuf[(clamp(yt[y][0], ih) * w + x) * c + ch] >> 4;
                        int s1 = rowBuf[(clamp(yt[y][0] + 1, ih) * w + x) * c + ch] >> 4;
                        int v = (((s0 * yt[y][1]) >> 16) + ((s1 * yt[y][2]) >> 16) + 2) >> 2;
                        out[(y * w + x) * c + ch] = clip8(v);
                        continue;
                    }
                    long acc = 0;
                    for (int j = 0; j < k; j++) {
                        int sy = clamp(yt[y][0] + j, ih);
                        acc += (long) rowBuf[(sy * w + x) * c + ch] * yt[y][1 + j];
                    }
                    out[(y * w + x) * c + ch] = clip8((int) ((acc + (1L << (2 * CV_BITS - 1))) >> (2 * CV_BITS)));
                }
            }
        }
        return new Rgba8(w, h, c, out);
    }

    private static int clamp(int i, int n) {
        return i < 0 ? 0 : Math.min(i, n - 1);
    }

    // ---------------------------------------------------------------- OpenCV INTER_AREA

    /** OpenCV's {@code cv2.resize(img, (w, h), interpolation=INTER_AREA)} on an 8-bit image. */
    public static Rgba8 areaOpenCv(Rgba8 in, int w, int h) {
        double sx = (double) in.width() / w, sy = (double) in.height() / h;
        if (sx >= 1 && sy >= 1) {
            return boxAverage(in, w, h, sx, sy);
        }
        // enlarging along some axis: OpenCV emulates "area" with bilinear weights placed on pixel areas
        return separableOpenCv(in, w, h, areaLinearTable(in.width(), w), areaLinearTable(in.height(), h), 2);
    }

    private static int[][] areaLinearTable(int inSize, int outSize) {
        double scale = (double) inSize / outSize, inv = (double) outSize / inSize;
        int[][] t = new int[outSize][3];
        for (int d = 0; d < outSize; d++) {
            int s = (int) Math.floor(d * scale);
            float f = (float) ((d + 1) - (s + 1) * inv);
            f = f <= 0 ? 0.f : f - (float) Math.floor(f);
            if (s >= inSize - 1) { // OpenCV pins the last column with a zero fraction
                s = inSize - 1;
                f = 0;
            }
            t[d][0] = s;
            t[d][1] = (int) Math.rint((1.f - f) * CV_ONE);
            t[d][2] = (int) Math.rint(f * CV_ONE);
        }
        return t;
    }

    /** OpenCV's {@code computeResizeAreaTab}: (destination, source, weight) triples, in OpenCV's order. */
    private static double[][] areaTable(int inSize, int outSize, double scale) {
        java.util.List<double[]> tab = new java.util.ArrayList<>();
        for (int d = 0; d < outSize; d++) {
            double f1 = d * scale, f2 = f1 + scale;
            double cell = Math.min(scale, inSize - f1);
            int s1 = (int) Math.ceil(f1), s2 = (int) Math.floor(f2);
            s2 = Math.min(s2, inSize - 1);
            s1 = Math.min(s1, s2);
            if (s1 - f1 > 1e-3) {
                tab.add(new double[] {d, s1 - 1, (float) ((s1 - f1) / cell)});
            }
            for (int s = s1; s < s2; s++) {
                tab.add(new double[] {d, s, (float) (1.0 / cell)});
            }
            if (f2 - s2 > 1e-3) {
                tab.add(new double[] {d, s2, (float) (Math.min(Math.min(f2 - s2, 1.0), cell) / cell)});
            }
        }
        return tab.toArray(new double[0][]);
    }

    /** OpenCV's {@code ResizeArea_Invoker} in float32: weighted box sums, rounded to nearest (ties to even). */
    private static Rgba8 boxAverage(Rgba8 in, int w, int h, double sx, double sy) {
        int c = in.channels(), iw = in.width();
        double[][] xt = areaTable(iw, w, sx);
        double[][] yt = areaTable(in.height(), h, sy);
        int[] src = in.data();
        float[] sum = new float[w * c];
        float[] buf = new float[w * c];
        int[] out = new int[w * h * c];
        int prev = -1;
        for (double[] ye : yt) {
            int dy = (int) ye[0], srow = (int) ye[1];
            float beta = (float) ye[2];
            java.util.Arrays.fill(buf, 0f);
            for (double[] xe : xt) {
                int dx = (int) xe[0], scol = (int) xe[1];
                float alpha = (float) xe[2];
                for (int ch = 0; ch < c; ch++) {
                    buf[dx * c + ch] += src[(srow * iw + scol) * c + ch] * alpha;
                }
            }
            if (dy != prev) {
                if (prev >= 0) {
                    store(sum, out, prev, w * c);
                }
                for (int i = 0; i < sum.length; i++) {
                    sum[i] = beta * buf[i];
                }
                prev = dy;
            } else {
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += beta * buf[i];
                }
            }
        }
        store(sum, out, prev, w * c);
        return new Rgba8(w, h, c, out);
    }

    private static void store(float[] sum, int[] out, int row, int n) {
        for (int i = 0; i < n; i++) {
            out[row * n + i] = clip8((int) Math.rint(sum[i]));
        }
    }
}
