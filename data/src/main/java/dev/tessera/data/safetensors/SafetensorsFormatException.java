package dev.tessera.data.safetensors;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file that does not follow the safetensors format. The message names the file, the offending tensor when there
 * is one, and the problem: {@code model.safetensors: tensor 'w': data_offsets [0, 12] hold 12 bytes but F32
 * [2, 2] needs 16}.
 */
public class SafetensorsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String tensor;

    public SafetensorsFormatException(Path file, String tensor, String problem) {
        super(file + ": " + (tensor == null ? "" : "tensor '" + tensor + "': ") + problem);
        this.file = file;
        this.tensor = tensor;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }

    /** The tensor at fault, or {@code null} when the problem is in the file as a whole. */
    public String tensor() {
        return tensor;
    }
}
