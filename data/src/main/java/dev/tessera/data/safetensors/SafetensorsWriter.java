package dev.tessera.data.safetensors;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tessera.geometry.io.AtomicFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a safetensors file: add tensors and metadata, then {@link #write(Path)}. Tensor data is streamed to the
 * file in the order added (a {@link TensorData} source is asked for its bytes only then), the header is padded with
 * spaces to a multiple of 8 bytes, and the file appears atomically (temporary file + rename).
 *
 * <pre>{@code
 * new SafetensorsWriter()
 *     .metadata("format", "pt")
 *     .addFloats("points", points, n, 3)
 *     .write(Path.of("sample.safetensors"));
 * }</pre>
 */
public final class SafetensorsWriter {

    /** A source of one tensor's bytes, written when the file is written. */
    @FunctionalInterface
    public interface TensorData {
        /** Writes exactly the tensor's bytes (little endian) to {@code out}. */
        void writeTo(WritableByteChannel out) throws IOException;
    }

    private record Entry(String name, DType dtype, long[] shape, long bytes, TensorData data) {}

    /** Sorted by key: the same pairs give the same bytes whatever order they came in (Map.of's order varies per run). */
    private final Map<String, String> metadata = new java.util.TreeMap<>();

    private final List<Entry> entries = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    /** Adds a {@code __metadata__} string pair. */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds all pairs to {@code __metadata__}. */
    public SafetensorsWriter metadata(Map<String, String> pairs) {
        metadata.putAll(pairs);
        return this;
    }

    /** Adds a tensor whose bytes a source writes later. */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, TensorData data) {
        if (name == null || name.isEmpty() || name.equals("__metadata__")) {
            throw new IllegalArgumentException("invalid tensor name '" + name + "'");
        }
        if (!names.add(name)) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(
                        "tensor '" + name + "' has a negative dimension: " + Arrays.toString(shape));
            }
        }
        long bytes = Math.multiplyExact(TensorInfo.numel(shape), dtype.byteSize());
        entries.add(new Entry(name, dtype, shape.clone(), bytes, data));
        return this;
    }

    /** Adds a tensor from a little-endian buffer holding exactly its bytes (its remaining bytes are written). */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, ByteBuffer data) {
        ByteBuffer d = data.duplicate();
        long need = Math.multiplyExact(TensorInfo.numel(shape), dtype.byteSize());
        if (d.remaining() != need) {
            throw new IllegalArgumentException("tensor '" + name + "': " + dtype + " " + Arrays.toString(shape)
                    + " needs " + need + " bytes, buffer has " + d.remaining());
        }
        return add(name, dtype, shape, out -> {
            ByteBuffer b = d.duplicate();
            while (b.hasRemaining()) {
                out.write(b);
            }
        });
    }

    /** Adds raw little-endian bytes. */
    public SafetensorsWriter addBytes(String name, DType dtype, byte[] data, long... shape) {
        return add(name, dtype, shape, ByteBuffer.wrap(data));
    }

    /** Adds an F32 tensor. */
    public SafetensorsWriter addFloats(String name, float[] data, long... shape) {
        return addFloats(name, DType.F32, data, shape);
    }

    /** Adds floats stored as F32, F16, BF16 or F64 (rounded to nearest even where narrowed). */
    public SafetensorsWriter addFloats(String name, DType dtype, float[] data, long... shape) {
        checkCount(name, data.length, shape);
        ByteBuffer b = ByteBuffer.allocate(data.length * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> b.asFloatBuffer().put(data);
            case F64 -> {
                for (float f : data) {
                    b.putDouble(f);
                }
            }
            case F16 -> {
                for (float f : data) {
                    b.putShort(Float.floatToFloat16(f));
                }
            }
            case BF16 -> {
                for (float f : data) {
                    b.putShort(Conversions.floatToBf16(f));
                }
            }
            default -> throw new IllegalArgumentException("cannot store floats as " + dtype);
        }
        return add(name, dtype, shape, b.rewind());
    }

    /** Adds an F64 tensor. */
    public SafetensorsWriter addDoubles(String name, double[] data, long... shape) {
        checkCount(name, data.length, shape);
        ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(data);
        return add(name, DType.F64, shape, b);
    }

    /** Adds an I32 tensor. */
    public SafetensorsWriter addInts(String name, int[] data, long... shape) {
        checkCount(name, data.length, shape);
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(data);
        return add(name, DType.I32, shape, b);
    }

    /** Adds an I64 tensor. */
    public SafetensorsWriter addLongs(String name, long[] data, long... shape) {
        checkCount(name, data.length, shape);
        ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(data);
        return add(name, DType.I64, shape, b);
    }

    /** Adds a BOOL tensor. */
    public SafetensorsWriter addBooleans(String name, boolean[] data, long... shape) {
        checkCount(name, data.length, shape);
        byte[] b = new byte[data.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (data[i] ? 1 : 0);
        }
        return add(name, DType.BOOL, shape, ByteBuffer.wrap(b));
    }

    private static void checkCount(String name, int length, long[] shape) {
        long n = TensorInfo.numel(shape);
        if (n != length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " has " + n
                    + " elements, data has " + length);
        }
    }

    /** The header bytes, padded with spaces to a multiple of 8. */
    byte[] header() throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (JsonGenerator g = SafetensorsFile.JSON.getFactory().createGenerator(bos)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart("__metadata__");
                for (Map.Entry<String, String> e : metadata.entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            long offset = 0;
            for (Entry e : entries) {
                g.writeObjectFieldStart(e.name);
                g.writeStringField("dtype", e.dtype.headerName());
                g.writeArrayFieldStart("shape");
                for (long d : e.shape) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                g.writeNumber(offset + e.bytes);
                g.writeEndArray();
                g.writeEndObject();
                offset += e.bytes;
            }
            g.writeEndObject();
        }
        byte[] json = bos.toByteArray();
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** Writes the file atomically; on failure nothing is left at {@code path}'s temporary name and the target is untouched. */
    public void write(Path path) throws IOException {
        byte[] header = header();
        AtomicFile.write(path, (FileChannel ch) -> {
            ByteBuffer len =
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            writeFully(ch, len);
            writeFully(ch, ByteBuffer.wrap(header));
            for (Entry e : entries) {
                long before = ch.position();
                e.data.writeTo(new NonClosing(ch));
                long written = ch.position() - before;
                if (written != e.bytes) {
                    throw new IOException("tensor '" + e.name + "': its source wrote " + written + " bytes, " + e.dtype
                            + " " + Arrays.toString(e.shape) + " needs " + e.bytes);
                }
            }
        });
    }

    private static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Hands a source the file's channel without letting it close it. */
    private record NonClosing(FileChannel ch) implements WritableByteChannel {
        @Override
        public int write(ByteBuffer src) throws IOException {
            return ch.write(src);
        }

        @Override
        public boolean isOpen() {
            return ch.isOpen();
        }

        @Override
        public void close() {}
    }

    /** The header length the file would get, for tests. */
    static int headerLength(byte[] header) {
        return header.length;
    }

    static String headerString(SafetensorsWriter w) throws IOException {
        return new String(w.header(), StandardCharsets.UTF_8);
    }
}
