package dev.tessera.geometry.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Buffered writing of binary values in a chosen byte order to a stream. */
final class BinaryOutput {
    private final OutputStream out;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16);

    BinaryOutput(OutputStream out, ByteOrder order) {
        this.out = out;
        buf.order(order);
    }

    private void room(int n) throws IOException {
        if (buf.remaining() < n) {
            flush();
        }
    }

    BinaryOutput putFloat(float v) throws IOException {
        room(4);
        buf.putFloat(v);
        return this;
    }

    BinaryOutput putInt(int v) throws IOException {
        room(4);
        buf.putInt(v);
        return this;
    }

    BinaryOutput putShort(short v) throws IOException {
        room(2);
        buf.putShort(v);
        return this;
    }

    BinaryOutput put(byte v) throws IOException {
        room(1);
        buf.put(v);
        return this;
    }

    BinaryOutput put(byte[] bytes) throws IOException {
        flush();
        out.write(bytes);
        return this;
    }

    /** Writes the buffered bytes to the stream. */
    void flush() throws IOException {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
    }
}
