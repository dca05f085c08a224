package dev.tessera.geometry.io;

import java.io.IOException;

/**
 * A mesh file that cannot be read: malformed, truncated, lying about its sizes, or of an unknown format.
 *
 * <p>The message always starts with the file and the place: {@code bunny.obj:1203: face index 70001 out of range
 * (70000 vertices)} for text formats (1-based line), {@code pig.stl: byte offset 84: ...} for binary ones (0-based
 * offset from the start of the file), or just {@code model.glb: ...} when no place applies. {@link #line()} and
 * {@link #offset()} give the place to programs.
 */
public class MeshFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final long line;
    private final long offset;

    private MeshFormatException(String file, long line, long offset, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
        this.line = line;
        this.offset = offset;
    }

    /** A problem at a 1-based line of a text file. */
    public static MeshFormatException atLine(String file, long line, String what) {
        return new MeshFormatException(file, line, -1, file + ":" + line + ": " + what, null);
    }

    /** A problem at a 0-based byte offset of a binary file. */
    public static MeshFormatException atOffset(String file, long offset, String what) {
        return new MeshFormatException(file, -1, offset, file + ": byte offset " + offset + ": " + what, null);
    }

    /** A problem with the file as a whole (unknown format, empty file, inconsistent structure). */
    public static MeshFormatException inFile(String file, String what) {
        return new MeshFormatException(file, -1, -1, file + ": " + what, null);
    }

    /** A problem with the file as a whole, caused by another exception. */
    public static MeshFormatException inFile(String file, String what, Throwable cause) {
        return new MeshFormatException(file, -1, -1, file + ": " + what, cause);
    }

    /** The file as it was named to the reader. */
    public String file() {
        return file;
    }

    /** The 1-based line of the problem, or -1 when the place is not a line. */
    public long line() {
        return line;
    }

    /** The 0-based byte offset of the problem, or -1 when the place is not a byte offset. */
    public long offset() {
        return offset;
    }
}
