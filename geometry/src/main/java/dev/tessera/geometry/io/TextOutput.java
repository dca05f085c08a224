package dev.tessera.geometry.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Buffered ASCII text output for the text writers; floats are written in Java's shortest exact form. */
final class TextOutput {
    private final OutputStream out;
    private final StringBuilder sb = new StringBuilder(1 << 16);

    TextOutput(OutputStream out) {
        this.out = out;
    }

    TextOutput text(String s) throws IOException {
        sb.append(s);
        check();
        return this;
    }

    TextOutput num(float v) {
        if (v == (int) v && v != 0) {
            sb.append((int) v);
        } else if (v == 0) {
            sb.append(Float.floatToRawIntBits(v) == 0 ? "0" : "-0");
        } else {
            sb.append(v);
        }
        return this;
    }

    TextOutput num(long v) {
        sb.append(v);
        return this;
    }

    TextOutput space() {
        sb.append(' ');
        return this;
    }

    TextOutput newline() throws IOException {
        sb.append('\n');
        check();
        return this;
    }

    private void check() throws IOException {
        if (sb.length() >= (1 << 16) - 256) {
            flush();
        }
    }

    void flush() throws IOException {
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        sb.setLength(0);
    }
}
