package dev.tessera.geometry.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Sequential reading of a binary file through a buffer, with the file offset tracked for error messages. Callers
 * {@link #ensure(int, String)} the bytes of a record, then read them with the relative getters of {@link #buf()}.
 * Not thread-safe.
 */
final class BinaryInput implements Closeable {
    private final FileChannel channel;
    private final String file;
    private final long size;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    private long bufStart; // file offset of buf[0]

    BinaryInput(Path path) throws IOException {
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        this.file = path.toString();
        this.size = channel.size();
        buf.limit(0);
    }

    String file() {
        return file;
    }

    /** The file size in bytes. */
    long size() {
        return size;
    }

    /** The offset of the next unread byte. */
    long offset() {
        return bufStart + buf.position();
    }

    /** Bytes left after {@link #offset()}. */
    long remaining() {
        return size - offset();
    }

    void order(ByteOrder order) {
        buf.order(order);
    }

    /** The buffer, positioned at {@link #offset()}; read at most the bytes {@link #ensure}d. */
    ByteBuffer buf() {
        return buf;
    }

    /** An exception at the current offset. */
    MeshFormatException error(String what) {
        return MeshFormatException.atOffset(file, offset(), what);
    }

    /** An exception at the given offset. */
    MeshFormatException error(long offset, String what) {
        return MeshFormatException.atOffset(file, offset, what);
    }

    /** Makes {@code n} (at most 64 KiB) bytes readable from {@link #buf()}; an error naming {@code what} if the file ends. */
    void ensure(int n, String what) throws IOException {
        if (buf.remaining() >= n) {
            return;
        }
        if (n > buf.capacity()) {
            throw new IllegalArgumentException("record of " + n + " bytes is larger than the buffer");
        }
        if (remaining() < n) {
            throw error("the file ends early (" + remaining() + " bytes left, " + what + " needs " + n
                    + "); the file is truncated");
        }
        bufStart += buf.position();
        buf.compact();
        channel.position(bufStart + buf.position());
        while (buf.position() < n) {
            if (channel.read(buf) < 0) {
                throw error("the file ends early; the file is truncated");
            }
        }
        buf.flip();
    }

    /** Moves to an absolute offset. */
    void seek(long offset) throws IOException {
        if (offset >= bufStart && offset <= bufStart + buf.limit()) {
            buf.position((int) (offset - bufStart));
            return;
        }
        bufStart = offset;
        buf.clear().limit(0);
    }

    /** Skips {@code n} bytes; an error naming {@code what} if the file ends first. */
    void skip(long n, String what) throws IOException {
        if (n > remaining()) {
            throw error("the file ends early (" + remaining() + " bytes left, " + what + " needs " + n
                    + "); the file is truncated");
        }
        seek(offset() + n);
    }

    /** Reads {@code n} bytes into a new array (the caller has checked {@code n} against the file size). */
    byte[] readBytes(int n, String what) throws IOException {
        if (n > remaining()) {
            throw error("the file ends early (" + remaining() + " bytes left, " + what + " needs " + n
                    + "); the file is truncated");
        }
        byte[] out = new byte[n];
        int done = 0;
        while (done < n) {
            if (!buf.hasRemaining()) {
                ensure(Math.min(buf.capacity(), n - done), what);
            }
            int k = Math.min(buf.remaining(), n - done);
            buf.get(out, done, k);
            done += k;
        }
        return out;
    }

    /** The underlying channel, for memory-mapping large sections. */
    FileChannel channel() {
        return channel;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
