package dev.tessera.model.latent;

import java.io.IOException;
import java.nio.file.Path;

/** A latent set directory or file that cannot be used: the message names the file, what is wrong and the fix. */
public final class LatentSetException extends IOException {
    private final Path file;

    public LatentSetException(Path file, String message) {
        super(file + ": " + message);
        this.file = file;
    }

    /** The file or directory at fault. */
    public Path file() {
        return file;
    }
}
