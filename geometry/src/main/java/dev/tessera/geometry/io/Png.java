package dev.tessera.geometry.io;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes images as PNG files through {@link ImageIO}, atomically ({@link AtomicFile}): a reader sees the old file or
 * the complete new one. Works headless (no display is touched).
 */
public final class Png {
    private Png() {}

    /**
     * Writes {@code image} to {@code file} as a PNG (8 bits per channel; with alpha when the image has it).
     *
     * @throws IOException when the file cannot be written (nothing is left behind)
     */
    public static void write(BufferedImage image, Path file) throws IOException {
        Objects.requireNonNull(image, "image");
        AtomicFile.write(file, (AtomicFile.StreamContent) out -> {
            // an in-memory cache: ImageIO's default would put a temporary file in java.io.tmpdir
            ImageOutputStream ios = new MemoryCacheImageOutputStream(out);
            if (!ImageIO.write(image, "png", ios)) {
                throw new IOException(file + ": no PNG writer for an image of type " + image.getType());
            }
            ios.close(); // flushes into out, leaves out open
        });
    }
}
