package dev.tessera.data.safetensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Element conversions between safetensors bytes (little endian) and Java arrays. */
public final class Conversions {
    private Conversions() {}

    /** bfloat16 bits to float (exact). */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** float to bfloat16 bits, rounding to nearest even (NaN stays NaN). */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** float8 e4m3fn bits to float (no infinities; 0x7F/0xFF are NaN). */
    public static float e4m3ToFloat(byte b) {
        int s = (b >> 7) & 1, e = (b >> 3) & 0xF, m = b & 7;
        float v;
        if (e == 15 && m == 7) {
            v = Float.NaN;
        } else if (e == 0) {
            v = m / 8f * (float) Math.pow(2, -6);
        } else {
            v = (1 + m / 8f) * (float) Math.pow(2, e - 7);
        }
        return s == 1 ? -v : v;
    }

    /** float8 e5m2 bits to float (the top half of an IEEE half). */
    public static float e5m2ToFloat(byte b) {
        return Float.float16ToFloat((short) ((b & 0xFF) << 8));
    }

    private static int count(TensorInfo t) {
        long n = t.numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "tensor '" + t.name() + "' has " + n + " elements, too many for a Java array");
        }
        return (int) n;
    }

    static float[] toFloats(TensorInfo t, ByteBuffer b) {
        b = b.order(ByteOrder.LITTLE_ENDIAN);
        int n = count(t);
        float[] out = new float[n];
        switch (t.dtype()) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(8 * i);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.float16ToFloat(b.getShort(2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = bf16ToFloat(b.getShort(2 * i));
                }
            }
            case F8_E4M3 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = e4m3ToFloat(b.get(i));
                }
            }
            case F8_E5M2 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = e5m2ToFloat(b.get(i));
                }
            }
            default ->
                throw new IllegalArgumentException("tensor '" + t.name() + "' is " + t.dtype()
                        + ", not a floating-point type; read it with ints() or longs()");
        }
        return out;
    }

    static double[] toDoubles(TensorInfo t, ByteBuffer b) {
        if (t.dtype() == DType.F64) {
            double[] out = new double[count(t)];
            b.order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
            return out;
        }
        float[] f = toFloats(t, b);
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    static long[] toLongs(TensorInfo t, ByteBuffer b) {
        b = b.order(ByteOrder.LITTLE_ENDIAN);
        int n = count(t);
        long[] out = new long[n];
        switch (t.dtype()) {
            case I64, U64 -> b.asLongBuffer().get(out);
            case I32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getInt(4 * i);
                }
            }
            case U32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Integer.toUnsignedLong(b.getInt(4 * i));
                }
            }
            case I16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getShort(2 * i);
                }
            }
            case U16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Short.toUnsignedInt(b.getShort(2 * i));
                }
            }
            case I8 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.get(i);
                }
            }
            case U8, BOOL -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Byte.toUnsignedInt(b.get(i));
                }
            }
            default ->
                throw new IllegalArgumentException(
                        "tensor '" + t.name() + "' is " + t.dtype() + ", not an integer type; read it with floats()");
        }
        return out;
    }

    static int[] toInts(TensorInfo t, ByteBuffer b) {
        if (t.dtype() == DType.I32) {
            int[] out = new int[count(t)];
            b.order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
            return out;
        }
        long[] l = toLongs(t, b);
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            if (l[i] < Integer.MIN_VALUE || l[i] > Integer.MAX_VALUE) {
                throw new ArithmeticException("tensor '" + t.name() + "' element " + i + " = " + l[i]
                        + " does not fit an int; read it with longs()");
            }
            out[i] = (int) l[i];
        }
        return out;
    }

    static boolean[] toBooleans(TensorInfo t, ByteBuffer b) {
        if (t.dtype() != DType.BOOL && t.dtype() != DType.U8) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' is " + t.dtype() + ", not BOOL or U8");
        }
        boolean[] out = new boolean[count(t)];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i) != 0;
        }
        return out;
    }
}
