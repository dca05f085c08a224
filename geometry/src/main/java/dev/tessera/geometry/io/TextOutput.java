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

    /** {@code a[i] a[i+1] a[i+2]}: a position, normal or colour, space-separated. */
    TextOutput xyz(float[] a, int i) {
        return num(a[i]).space().num(a[i + 1]).space().num(a[i + 2]);
    }

    /** The colour at {@code c[i..i+2]} as three 0-255 integers, what Open3D, MeshLab and CGAL all read. */
    TextOutput rgb255(float[] c, int i) {
        return num(colorByte(c[i])).space().num(colorByte(c[i + 1])).space().num(colorByte(c[i + 2]));
    }

    /** One {@code 3 a b c} line per triangle of {@code t}: the face list of OFF and of ASCII PLY. */
    TextOutput faceLines(int[] t) throws IOException {
        for (int i = 0; i < t.length; i += 3) {
            text("3 ").num(t[i]).space().num(t[i + 1]).space().num(t[i + 2]).newline();
        }
        return this;
    }

    /** A colour channel in [0, 1] (clamped) as the nearest 0-255 integer. */
    static int colorByte(float c) {
        return Math.round(Math.max(0, Math.min(1, c)) * 255);
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
