package dev.tessera.model;

import dev.tessera.data.safetensors.DType;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.safetensors.SafetensorsWriter;
import dev.tessera.data.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Moving data between Java, safetensors files and libtorch tensors.
 *
 * <p>Reading is zero-copy where it can be: {@link #view(SafetensorsReader, String)} wraps the memory-mapped bytes of a
 * tensor in a {@code Tensor} without copying them (the view borrows the mapping: keep the reader open while it or any
 * tensor derived from it without a copy lives). {@link #read(SafetensorsReader, String)} returns an owned tensor, one
 * memcpy from the mapping and no Java heap use.
 */
public final class Tensors {
    static {
        Torch.load();
    }

    private Tensors() {}

    /** The libtorch scalar type of a safetensors dtype. */
    public static ScalarType scalarType(DType dtype) {
        return switch (dtype) {
            case F64 -> ScalarType.Double;
            case F32 -> ScalarType.Float;
            case F16 -> ScalarType.Half;
            case BF16 -> ScalarType.BFloat16;
            case I64 -> ScalarType.Long;
            case I32 -> ScalarType.Int;
            case I16 -> ScalarType.Short;
            case I8 -> ScalarType.Char;
            case U8 -> ScalarType.Byte;
            case BOOL -> ScalarType.Bool;
            case U16 -> ScalarType.UInt16;
            case F8_E4M3 -> ScalarType.Float8_e4m3fn;
            case F8_E5M2 -> ScalarType.Float8_e5m2;
            case U32, U64 -> throw new IllegalArgumentException(dtype + " has no libtorch equivalent on this build");
        };
    }

    /** The safetensors dtype of a libtorch scalar type. */
    public static DType dtype(ScalarType type) {
        return switch (type.intern()) {
            case Double -> DType.F64;
            case Float -> DType.F32;
            case Half -> DType.F16;
            case BFloat16 -> DType.BF16;
            case Long -> DType.I64;
            case Int -> DType.I32;
            case Short -> DType.I16;
            case Char -> DType.I8;
            case Byte -> DType.U8;
            case Bool -> DType.BOOL;
            case UInt16 -> DType.U16;
            case Float8_e4m3fn -> DType.F8_E4M3;
            case Float8_e5m2 -> DType.F8_E5M2;
            default ->
                throw new IllegalArgumentException("scalar type " + type.intern() + " cannot be stored in safetensors");
        };
    }

    /** The shape of a tensor as a Java array. */
    public static long[] shape(Tensor t) {
        long[] s = new long[(int) t.dim()];
        for (int i = 0; i < s.length; i++) {
            s[i] = t.size(i);
        }
        return s;
    }

    /**
     * A tensor over the memory-mapped bytes of {@code name}, without copying. The reader must stay open while the
     * view (or any view of it) is used; do not write to it (the mapping is read-only).
     */
    public static Tensor view(SafetensorsReader reader, String name) throws IOException {
        TensorInfo info = reader.info(name);
        ByteBuffer buf = reader.buffer(name);
        long[] shape = info.shape();
        TensorOptions options = new TensorOptions(scalarType(info.dtype()));
        if (info.byteSize() == 0) {
            return torch.empty(shape, options, new org.bytedeco.pytorch.MemoryFormatOptional());
        }
        return torch.from_blob(new BytePointer(buf), shape, options);
    }

    /** An owned tensor with the contents of {@code name} (one copy from the mapping; no Java heap use). */
    public static Tensor read(SafetensorsReader reader, String name) throws IOException {
        TensorInfo info = reader.info(name);
        if (info.byteSize() > Integer.MAX_VALUE) {
            Tensor out = torch.empty(
                    info.shape(),
                    new TensorOptions(scalarType(info.dtype())),
                    new org.bytedeco.pytorch.MemoryFormatOptional());
            Pointer base = out.data_ptr();
            long chunk = 1L << 30;
            for (long off = 0; off < info.byteSize(); off += chunk) {
                long n = Math.min(chunk, info.byteSize() - off);
                ByteBuffer dst =
                        new BytePointer(base).position(off).limit(off + n).asByteBuffer();
                reader.read(name, off, dst);
            }
            return out;
        }
        Tensor v = view(reader, name);
        return v.clone();
    }

    /** A float32 CPU tensor with a copy of {@code data}. */
    public static Tensor fromFloats(float[] data, long... shape) {
        checkCount(data.length, shape);
        Tensor t = torch.empty(
                shape, new TensorOptions(ScalarType.Float), new org.bytedeco.pytorch.MemoryFormatOptional());
        if (data.length > 0) {
            new FloatPointer(t.data_ptr()).capacity(data.length).put(data);
        }
        return t;
    }

    /** An int64 CPU tensor with a copy of {@code data}. */
    public static Tensor fromLongs(long[] data, long... shape) {
        checkCount(data.length, shape);
        Tensor t =
                torch.empty(shape, new TensorOptions(ScalarType.Long), new org.bytedeco.pytorch.MemoryFormatOptional());
        if (data.length > 0) {
            new LongPointer(t.data_ptr()).capacity(data.length).put(data);
        }
        return t;
    }

    /** An int32 CPU tensor with a copy of {@code data}. */
    public static Tensor fromInts(int[] data, long... shape) {
        checkCount(data.length, shape);
        Tensor t =
                torch.empty(shape, new TensorOptions(ScalarType.Int), new org.bytedeco.pytorch.MemoryFormatOptional());
        if (data.length > 0) {
            new IntPointer(t.data_ptr()).capacity(data.length).put(data);
        }
        return t;
    }

    /** A uint8 CPU tensor with a copy of {@code data}. */
    public static Tensor fromBytes(byte[] data) {
        Tensor t = torch.empty(
                new long[] {data.length},
                new TensorOptions(ScalarType.Byte),
                new org.bytedeco.pytorch.MemoryFormatOptional());
        if (data.length > 0) {
            new BytePointer(t.data_ptr()).capacity(data.length).put(data);
        }
        return t;
    }

    /** The raw bytes of a CPU tensor's storage, in row-major order. */
    public static byte[] toBytes(Tensor t) {
        Tensor c = t.detach().cpu().contiguous();
        byte[] out = new byte[Math.toIntExact(c.nbytes())];
        if (out.length > 0) {
            new BytePointer(c.data_ptr()).capacity(out.length).get(out);
        }
        return out;
    }

    /** The elements of any real tensor as floats, in row-major order (copied to the CPU, converted). */
    public static float[] toFloats(Tensor t) {
        Tensor c = t.detach()
                .to(new org.bytedeco.pytorch.Device("cpu"), ScalarType.Float)
                .contiguous();
        float[] out = new float[Math.toIntExact(c.numel())];
        if (out.length > 0) {
            new FloatPointer(c.data_ptr()).capacity(out.length).get(out);
        }
        return out;
    }

    /** The elements of any integer or bool tensor as longs, in row-major order. */
    public static long[] toLongs(Tensor t) {
        Tensor c = t.detach()
                .to(new org.bytedeco.pytorch.Device("cpu"), ScalarType.Long)
                .contiguous();
        long[] out = new long[Math.toIntExact(c.numel())];
        if (out.length > 0) {
            new LongPointer(c.data_ptr()).capacity(out.length).get(out);
        }
        return out;
    }

    /**
     * Adds a tensor to a safetensors writer; its bytes are streamed from native memory when the file is written (a
     * contiguous CPU copy is made then if needed). The tensor must stay alive until the writer has written.
     */
    public static void add(SafetensorsWriter writer, String name, Tensor t) {
        DType dtype = dtype(t.scalar_type());
        long[] shape = shape(t);
        writer.add(name, dtype, shape, (WritableByteChannel out) -> {
            Tensor c = t.detach().cpu().contiguous();
            long n = c.nbytes();
            if (n == 0) {
                return;
            }
            BytePointer p = new BytePointer(c.data_ptr()).capacity(n);
            long chunk = 1L << 30;
            for (long off = 0; off < n; off += chunk) {
                ByteBuffer b = p.position(off).limit(Math.min(n, off + chunk)).asByteBuffer();
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
        });
    }

    private static void checkCount(int length, long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " has " + n + " elements, data has " + length);
        }
    }
}
