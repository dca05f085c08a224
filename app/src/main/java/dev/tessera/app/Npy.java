package dev.tessera.app;

import dev.tessera.geometry.io.AtomicFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format (version 1.0–3.0), the subset the CLI exchanges with Python: little-endian
 * {@code float32}/{@code float64} arrays in C order to read, {@code float32} and {@code uint8} arrays to write
 * (atomically). Anything else is refused with a message naming the file and what to convert it to.
 */
final class Npy {
    private Npy() {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** A float array read from a file, with its shape. */
    record Floats(float[] data, long[] shape) {}

    /** Whether {@code path} starts with the {@code .npy} magic bytes. */
    static boolean isNpy(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(MAGIC.length);
            ch.read(b, 0);
            return b.position() == MAGIC.length && java.util.Arrays.equals(b.array(), MAGIC);
        }
    }

    /**
     * Reads a little-endian {@code float32} or {@code float64} array in C order as floats.
     *
     * @throws IOException naming the file when it is not such an array, is truncated or too large
     */
    static Floats readFloats(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(pre, 0);
            if (pre.position() < 10 || !java.util.Arrays.equals(java.util.Arrays.copyOf(pre.array(), 6), MAGIC)) {
                throw new IOException(path + ": not a .npy file (no \\x93NUMPY magic at byte 0)");
            }
            int major = pre.get(6);
            long headerLen;
            int headerStart;
            if (major == 1) {
                headerLen = Short.toUnsignedInt(pre.getShort(8));
                headerStart = 10;
            } else if (major == 2 || major == 3) {
                if (pre.position() < 12) {
                    throw new IOException(path + ": truncated .npy header");
                }
                headerLen = Integer.toUnsignedLong(pre.getInt(8));
                headerStart = 12;
            } else {
                throw new IOException(path + ": .npy version " + major + " is not supported (1, 2 or 3)");
            }
            if (headerStart + headerLen > size || headerLen > 1 << 20) {
                throw new IOException(path + ": .npy header of " + headerLen + " bytes runs past the file end");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            ch.read(hb, headerStart);
            String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            String descr = find(DESCR, header, path, "descr");
            if (find(FORTRAN, header, path, "fortran_order").equals("True")) {
                throw new IOException(path + ": Fortran-ordered arrays are not supported; save with"
                        + " np.save(f, np.ascontiguousarray(a))");
            }
            int width;
            if (descr.equals("<f4") || descr.equals("|f4")) {
                width = 4;
            } else if (descr.equals("<f8")) {
                width = 8;
            } else {
                throw new IOException(path + ": dtype '" + descr + "' is not supported; save float32 or float64"
                        + " (a.astype(np.float32))");
            }
            String dims = find(SHAPE, header, path, "shape").trim();
            String[] parts = dims.isEmpty() ? new String[0] : dims.split("\\s*,\\s*");
            int rank = 0;
            long[] shape = new long[parts.length];
            long count = 1;
            for (String p : parts) {
                if (p.isEmpty()) {
                    continue;
                }
                try {
                    shape[rank] = Long.parseLong(p.trim());
                } catch (NumberFormatException e) {
                    throw new IOException(path + ": bad .npy shape '(" + dims + ")'");
                }
                if (shape[rank] < 0) {
                    throw new IOException(path + ": negative dimension in .npy shape '(" + dims + ")'");
                }
                count = Math.multiplyHigh(count, shape[rank]) != 0 ? Long.MAX_VALUE : count * shape[rank];
                rank++;
            }
            shape = java.util.Arrays.copyOf(shape, rank);
            long dataStart = headerStart + headerLen;
            if (count > (Integer.MAX_VALUE - 8) || count * width > size - dataStart) {
                throw new IOException(String.format(
                        Locale.ROOT,
                        "%s: the header's shape %s needs %d bytes of data, the file holds %d",
                        path,
                        java.util.Arrays.toString(shape),
                        count > Long.MAX_VALUE / 8 ? Long.MAX_VALUE : count * width,
                        size - dataStart));
            }
            ByteBuffer data = ByteBuffer.allocate((int) (count * width)).order(ByteOrder.LITTLE_ENDIAN);
            while (data.hasRemaining()) {
                if (ch.read(data, dataStart + data.position()) < 0) {
                    throw new IOException(path + ": truncated .npy data");
                }
            }
            data.flip();
            float[] out = new float[(int) count];
            if (width == 4) {
                data.asFloatBuffer().get(out);
            } else {
                var d = data.asDoubleBuffer();
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) d.get(i);
                }
            }
            return new Floats(out, shape);
        } catch (NoSuchFileException e) {
            throw new IOException(path + ": no such file", e);
        }
    }

    private static String find(Pattern p, String header, Path path, String key) throws IOException {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IOException(path + ": .npy header has no '" + key + "': " + header.strip());
        }
        return m.group(1);
    }

    /** Writes a {@code float32} array of the given shape, atomically. */
    static void writeFloats(Path path, float[] data, long... shape) throws IOException {
        ByteBuffer header = header("<f4", shape, data.length);
        AtomicFile.write(path, (FileChannel ch) -> {
            write(ch, header);
            ByteBuffer b = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < data.length; ) {
                b.clear();
                while (b.remaining() >= 4 && i < data.length) {
                    b.putFloat(data[i++]);
                }
                b.flip();
                write(ch, b);
            }
        });
    }

    /** Writes a {@code uint8} array of the given shape, atomically. */
    static void writeBytes(Path path, byte[] data, long... shape) throws IOException {
        ByteBuffer header = header("|u1", shape, data.length);
        AtomicFile.write(path, (FileChannel ch) -> {
            write(ch, header);
            write(ch, ByteBuffer.wrap(data));
        });
    }

    private static void write(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** A version 1.0 header padded so the data starts at a multiple of 64 bytes. */
    private static ByteBuffer header(String descr, long[] shape, long count) {
        long n = 1;
        StringBuilder dims = new StringBuilder();
        for (long s : shape) {
            n *= s;
            dims.append(s).append(", ");
        }
        if (n != count) {
            throw new IllegalArgumentException(
                    "shape " + java.util.Arrays.toString(shape) + " does not hold " + count + " values");
        }
        String d = shape.length == 1 ? dims.toString().trim() : dims.substring(0, Math.max(0, dims.length() - 2));
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + d + "), }";
        int total = MAGIC.length + 4 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String text = dict + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + text.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length());
        b.put(text.getBytes(StandardCharsets.ISO_8859_1));
        b.flip();
        return b;
    }

    /** Whether a file name ends in {@code .npy}. */
    static boolean hasNpyExtension(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy");
    }
}
