package dev.tessera.geometry.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A fast tokenizer for the text mesh formats: reads bytes from a stream in large chunks, splits them into
 * whitespace-separated tokens, tracks the line number for error messages and parses numbers without creating
 * strings in the common case.
 *
 * <p>Two styles of use: line by line ({@link #hasToken()} / {@link #token(String)} stay on the current line,
 * {@link #nextLine()} moves on), or as one token stream ({@link #nextToken()} crosses lines). An optional comment
 * byte makes the rest of a line invisible. Not thread-safe; one scanner per file.
 */
final class TextScanner implements Closeable {
    private static final int MAX_TOKEN = 1 << 20;
    private static final float[] POW10 = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f};

    private final InputStream in;
    private final String file;
    private final byte comment;
    private byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private boolean eof;
    private long line;
    private long consumed; // bytes of the stream before buf[0]
    private int tokStart;
    private int tokEnd;

    /**
     * A scanner over {@code in}.
     *
     * @param file the file name for messages
     * @param comment the comment byte ({@code '#'}) or 0 for none
     * @param firstLine the number of the stream's first line (1 unless a header was consumed elsewhere)
     * @param startOffset the byte offset of the stream's first byte in the file
     */
    TextScanner(InputStream in, String file, char comment, long firstLine, long startOffset) {
        this.in = in;
        this.file = file;
        this.comment = (byte) comment;
        this.line = firstLine;
        this.consumed = startOffset;
    }

    TextScanner(InputStream in, String file, char comment) {
        this(in, file, comment, 1, 0);
    }

    /** The file name given to the scanner. */
    String file() {
        return file;
    }

    /** The current 1-based line number. */
    long line() {
        return line;
    }

    /** The byte offset in the file of the next unread byte. */
    long offset() {
        return consumed + pos;
    }

    /** An exception at the current line. */
    MeshFormatException error(String what) {
        return MeshFormatException.atLine(file, line, what);
    }

    /** Reads more bytes, keeping {@code buf[keep..limit)}; false at the end of the stream. */
    private boolean fill(int keep) throws IOException {
        if (eof) {
            return false;
        }
        if (keep > 0) {
            System.arraycopy(buf, keep, buf, 0, limit - keep);
            consumed += keep;
            pos -= keep;
            limit -= keep;
            tokStart -= keep;
            tokEnd -= keep;
        }
        if (limit == buf.length) {
            if (buf.length >= MAX_TOKEN) {
                throw error("a token longer than " + MAX_TOKEN + " bytes; is this really a text mesh file?");
            }
            byte[] b = new byte[buf.length * 2];
            System.arraycopy(buf, 0, b, 0, limit);
            buf = b;
        }
        int n = in.read(buf, limit, buf.length - limit);
        if (n <= 0) {
            eof = true;
            return false;
        }
        limit += n;
        return true;
    }

    /** The next byte without consuming it, or -1 at the end. */
    private int peek() throws IOException {
        if (pos == limit && !fill(pos)) {
            return -1;
        }
        return buf[pos] & 0xff;
    }

    private static boolean blank(int c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == 0x0b;
    }

    /** Skips blanks (and a comment) on the current line; true if a token follows before the end of the line. */
    boolean hasToken() throws IOException {
        while (true) {
            int c = peek();
            if (c < 0 || c == '\n') {
                return false;
            }
            if (comment != 0 && c == (comment & 0xff)) {
                skipToEol();
                return false;
            }
            if (!blank(c)) {
                return true;
            }
            pos++;
        }
    }

    private void skipToEol() throws IOException {
        while (true) {
            if (pos == limit && !fill(pos)) {
                return;
            }
            for (int i = pos; i < limit; i++) {
                if (buf[i] == '\n') {
                    pos = i;
                    return;
                }
            }
            pos = limit;
        }
    }

    /** Moves to the start of the next line, dropping what is left of this one; false at the end of the file. */
    boolean nextLine() throws IOException {
        skipToEol();
        if (peek() < 0) {
            return false;
        }
        pos++; // the '\n'
        line++;
        return peek() >= 0;
    }

    /** True when nothing but blanks and comments is left in the file. */
    boolean atEnd() throws IOException {
        while (true) {
            if (hasToken()) {
                return false;
            }
            if (!nextLine()) {
                return true;
            }
        }
    }

    /** Reads the next token on the current line; an error naming {@code what} if the line has none left. */
    void token(String what) throws IOException {
        if (!hasToken()) {
            throw error("expected " + what + ", found the end of the " + (peek() < 0 ? "file" : "line"));
        }
        readToken();
    }

    /** Reads the next token, crossing lines; false at the end of the file. */
    boolean nextToken() throws IOException {
        return !atEnd() && readTokenTrue();
    }

    /** Reads the next token, crossing lines; an error naming {@code what} at the end of the file. */
    void nextToken(String what) throws IOException {
        if (!nextToken()) {
            throw error("expected " + what + ", found the end of the file");
        }
    }

    private boolean readTokenTrue() throws IOException {
        readToken();
        return true;
    }

    private void readToken() throws IOException {
        tokStart = pos;
        int i = pos;
        while (true) {
            if (i == limit) {
                pos = i;
                tokEnd = i;
                boolean more = fill(tokStart); // may shift the buffer: positions move
                i = pos;
                if (!more) {
                    break;
                }
            }
            int c = buf[i];
            if (blank(c) || c == '\n' || (comment != 0 && c == comment)) {
                break;
            }
            i++;
        }
        pos = i;
        tokEnd = i;
    }

    /** The current token as a string (for names and messages). */
    String tokenString() {
        return new String(buf, tokStart, tokEnd - tokStart, StandardCharsets.ISO_8859_1);
    }

    /** True if the current token is {@code s} (ASCII, ignoring case when asked). */
    boolean tokenIs(String s, boolean ignoreCase) {
        int n = tokEnd - tokStart;
        if (n != s.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            int a = buf[tokStart + i];
            int b = s.charAt(i);
            if (a != b && !(ignoreCase && Character.toLowerCase(a) == Character.toLowerCase(b))) {
                return false;
            }
        }
        return true;
    }

    /** True if the current token is {@code s} exactly. */
    boolean tokenIs(String s) {
        return tokenIs(s, false);
    }

    /** True if the current token contains any of the bytes of {@code chars}. */
    boolean tokenContainsAny(String chars) {
        for (int i = tokStart; i < tokEnd; i++) {
            if (chars.indexOf(buf[i]) >= 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * The current token as a float, correctly rounded. NaN and infinities ({@code nan}, {@code inf},
     * {@code Infinity}, any case) are returned as such, for the caller to reject with a message naming the vertex.
     */
    float parseFloat(String what) throws MeshFormatException {
        int i = tokStart;
        int end = tokEnd;
        boolean neg = false;
        if (i < end && (buf[i] == '-' || buf[i] == '+')) {
            neg = buf[i] == '-';
            i++;
        }
        long m = 0;
        int scale = 0;
        boolean digits = false;
        boolean dot = false;
        boolean small = true;
        for (; i < end; i++) {
            int c = buf[i];
            if (c >= '0' && c <= '9') {
                digits = true;
                if (m < (1L << 40)) {
                    m = m * 10 + (c - '0');
                    if (dot) {
                        scale++;
                    }
                } else {
                    small = false;
                    break;
                }
            } else if (c == '.' && !dot) {
                dot = true;
            } else {
                break;
            }
        }
        if (digits && small && i < end && (buf[i] == 'e' || buf[i] == 'E')) {
            int j = i + 1;
            boolean eneg = false;
            if (j < end && (buf[j] == '-' || buf[j] == '+')) {
                eneg = buf[j] == '-';
                j++;
            }
            int e = 0;
            boolean edigits = false;
            for (; j < end && buf[j] >= '0' && buf[j] <= '9' && e < 1000; j++) {
                e = e * 10 + (buf[j] - '0');
                edigits = true;
            }
            if (edigits) {
                scale += eneg ? e : -e;
                i = j;
            }
        }
        if (digits && small && i == end && m <= (1 << 24) && scale >= -10 && scale <= 10) {
            // m and 10^|scale| are exact floats, so one IEEE operation rounds correctly.
            float f = scale >= 0 ? m / POW10[scale] : m * POW10[-scale];
            return neg ? -f : f;
        }
        return (float) slowParse(what, true);
    }

    /** The current token as a double, correctly rounded (NaN and infinities as in {@link #parseFloat}). */
    double parseDouble(String what) throws MeshFormatException {
        return slowParse(what, false);
    }

    private double slowParse(String what, boolean asFloat) throws MeshFormatException {
        String s = tokenString();
        String lower = s.toLowerCase(java.util.Locale.ROOT);
        String body = lower.startsWith("-") || lower.startsWith("+") ? lower.substring(1) : lower;
        double sign = lower.startsWith("-") ? -1 : 1;
        if (body.equals("nan") || body.equals("-nan") || body.startsWith("nan(")) {
            return Double.NaN;
        }
        if (body.equals("inf") || body.equals("infinity") || body.equals("1.#inf")) {
            return sign * Double.POSITIVE_INFINITY;
        }
        boolean ok = !body.isEmpty();
        for (int i = 0; i < body.length() && ok; i++) {
            char c = body.charAt(i);
            ok = (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == '-' || c == '+';
        }
        if (ok) {
            try {
                return asFloat ? Float.parseFloat(s) : Double.parseDouble(s);
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw error("expected " + what + ", found '" + shorten(s) + "'");
    }

    /** The current token as a long integer (optional sign, decimal digits only). */
    long parseLong(String what) throws MeshFormatException {
        int i = tokStart;
        boolean neg = false;
        if (i < tokEnd && (buf[i] == '-' || buf[i] == '+')) {
            neg = buf[i] == '-';
            i++;
        }
        if (i == tokEnd) {
            throw error("expected " + what + ", found '" + shorten(tokenString()) + "'");
        }
        long v = 0;
        for (; i < tokEnd; i++) {
            int c = buf[i];
            if (c < '0' || c > '9' || v > (Long.MAX_VALUE - 9) / 10) {
                throw error("expected " + what + ", found '" + shorten(tokenString()) + "'");
            }
            v = v * 10 + (c - '0');
        }
        return neg ? -v : v;
    }

    /** The current token as an int; an error if it does not fit. */
    int parseInt(String what) throws MeshFormatException {
        long v = parseLong(what);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw error(what + " " + v + " is out of range");
        }
        return (int) v;
    }

    /** The position of the current token's first byte in the buffer, for the OBJ face parser. */
    int tokenStart() {
        return tokStart;
    }

    /** The position just past the current token's last byte in the buffer. */
    int tokenEnd() {
        return tokEnd;
    }

    /** The byte at buffer position {@code i} (inside the current token). */
    byte byteAt(int i) {
        return buf[i];
    }

    /** Narrows the current token to {@code buf[start..end)} (a part of it), so the parse methods see that part. */
    void narrowToken(int start, int end) {
        tokStart = start;
        tokEnd = end;
    }

    static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
