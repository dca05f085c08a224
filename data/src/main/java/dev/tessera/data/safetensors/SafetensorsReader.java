package dev.tessera.data.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Read access to the tensors of one safetensors file or of a sharded checkpoint. Headers are parsed and validated
 * once, at open; tensor bytes are memory-mapped lazily and never copied onto the Java heap unless a conversion to a
 * Java array is asked for.
 *
 * <p>Close the reader when done; buffers obtained from it must not be used after that.
 */
public interface SafetensorsReader extends AutoCloseable {

    /**
     * Opens {@code path}: a {@code .safetensors} file, a Hugging Face {@code model.safetensors.index.json}, or a
     * directory holding either {@code model.safetensors} or {@code model.safetensors.index.json}.
     *
     * @throws SafetensorsFormatException when a file is malformed (the message says where and how)
     * @throws IOException when a file cannot be read
     */
    static SafetensorsReader open(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            Path index = path.resolve("model.safetensors.index.json");
            Path single = path.resolve("model.safetensors");
            if (Files.exists(index)) {
                return ShardedSafetensors.open(index);
            }
            if (Files.exists(single)) {
                return SafetensorsFile.open(single);
            }
            throw new java.nio.file.NoSuchFileException(
                    path.toString(), null, "directory has neither model.safetensors nor model.safetensors.index.json");
        }
        if (path.getFileName().toString().endsWith(".index.json")) {
            return ShardedSafetensors.open(path);
        }
        return SafetensorsFile.open(path);
    }

    /** The path this reader was opened on. */
    Path path();

    /** The {@code __metadata__} of the file (of the index, for a sharded checkpoint); empty when absent. */
    Map<String, String> metadata();

    /** Tensor names, in the order of their data in the file(s). */
    List<String> names();

    /** True when a tensor of that name exists. */
    boolean contains(String name);

    /**
     * The header entry of a tensor.
     *
     * @throws IllegalArgumentException when there is no such tensor (the message lists close names)
     */
    TensorInfo info(String name);

    /** The file that holds a tensor (differs per shard in a sharded checkpoint). */
    Path fileOf(String name);

    /**
     * The tensor's bytes as a read-only, little-endian buffer over the memory-mapped file (no copy). Tensors of 2 GiB
     * or more cannot be one buffer: read them with {@link #read(String, long, ByteBuffer)}.
     */
    ByteBuffer buffer(String name) throws IOException;

    /** Copies the tensor's bytes starting at byte {@code offset} of the tensor into {@code dst} until it is full. */
    void read(String name, long offset, ByteBuffer dst) throws IOException;

    /** The tensor as floats: F32 as is, F16/BF16/F64/F8 converted; integer types are refused. */
    default float[] floats(String name) throws IOException {
        return Conversions.toFloats(info(name), buffer(name));
    }

    /** The tensor as doubles (any floating-point type). */
    default double[] doubles(String name) throws IOException {
        return Conversions.toDoubles(info(name), buffer(name));
    }

    /** The tensor as ints: I32 as is; I8/I16/U8/U16/BOOL widened; I64/U32/U64 narrowed with a range check. */
    default int[] ints(String name) throws IOException {
        return Conversions.toInts(info(name), buffer(name));
    }

    /** The tensor as longs (any integer type or BOOL). */
    default long[] longs(String name) throws IOException {
        return Conversions.toLongs(info(name), buffer(name));
    }

    /** The tensor's raw little-endian bytes, copied. */
    default byte[] bytes(String name) throws IOException {
        ByteBuffer b = buffer(name);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** A BOOL or U8 tensor as booleans (non-zero is true). */
    default boolean[] booleans(String name) throws IOException {
        return Conversions.toBooleans(info(name), buffer(name));
    }

    @Override
    void close() throws IOException;
}
