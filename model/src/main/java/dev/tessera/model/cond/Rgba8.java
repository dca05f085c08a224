package dev.tessera.model.cond;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;

/**
 * An 8-bit image with interleaved channels, rows top to bottom — the {@code uint8 [H, W, C]} array the Python
 * preprocessing works on. Values are 0–255 in an {@code int[]}; the array is not copied on construction.
 *
 * @param width columns
 * @param height rows
 * @param channels 3 (RGB) or 4 (RGBA, straight alpha unless a method says otherwise)
 * @param data {@code height · width · channels} values, index {@code (y · width + x) · channels + c}
 */
public record Rgba8(int width, int height, int channels, int[] data) {
    public Rgba8 {
        if (width <= 0 || height <= 0 || channels < 1 || data.length != width * height * channels) {
            throw new IllegalArgumentException(
                    "image " + width + "×" + height + "×" + channels + " with " + data.length + " values");
        }
    }

    /** A zero image. */
    public static Rgba8 zeros(int width, int height, int channels) {
        return new Rgba8(width, height, channels, new int[width * height * channels]);
    }

    /** The value at column {@code x}, row {@code y}, channel {@code c}. */
    public int get(int x, int y, int c) {
        return data[(y * width + x) * channels + c];
    }

    /**
     * The pixels of a {@code BufferedImage} as RGBA with straight alpha (opaque images get alpha 255). Gray images are
     * read from their raster, not through Java's colour conversion, which would change the values.
     */
    public static Rgba8 of(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        int[] out = new int[w * h * 4];
        Raster r = image.getRaster();
        int type = image.getType();
        if (type == BufferedImage.TYPE_BYTE_GRAY) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = r.getSample(x, y, 0);
                    int i = (y * w + x) * 4;
                    out[i] = v;
                    out[i + 1] = v;
                    out[i + 2] = v;
                    out[i + 3] = 255;
                }
            }
            return new Rgba8(w, h, 4, out);
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int p = 0; p < argb.length; p++) {
            int v = argb[p];
            out[p * 4] = (v >>> 16) & 0xff;
            out[p * 4 + 1] = (v >>> 8) & 0xff;
            out[p * 4 + 2] = v & 0xff;
            out[p * 4 + 3] = (v >>> 24) & 0xff;
        }
        return new Rgba8(w, h, 4, out);
    }

    /** This image as a {@code BufferedImage} (RGB or straight-alpha ARGB). */
    public BufferedImage toBufferedImage() {
        BufferedImage img = new BufferedImage(
                width, height, channels == 4 ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = get(x, y, 0),
                        g = get(x, y, Math.min(1, channels - 1)),
                        b = get(x, y, Math.min(2, channels - 1));
                int a = channels == 4 ? get(x, y, 3) : 255;
                img.setRGB(x, y, (a << 24) | (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    /** The rows {@code [y0, y1)} and columns {@code [x0, x1)}, zero where they fall outside the image (PIL's crop). */
    public Rgba8 crop(int x0, int y0, int x1, int y1) {
        int w = x1 - x0, h = y1 - y0;
        int[] out = new int[Math.max(w, 0) * Math.max(h, 0) * channels];
        for (int y = 0; y < h; y++) {
            int sy = y + y0;
            if (sy < 0 || sy >= height) {
                continue;
            }
            for (int x = 0; x < w; x++) {
                int sx = x + x0;
                if (sx < 0 || sx >= width) {
                    continue;
                }
                System.arraycopy(data, (sy * width + sx) * channels, out, (y * w + x) * channels, channels);
            }
        }
        return new Rgba8(w, h, channels, out);
    }
}
