package dev.tessera.data.safetensors;

import java.util.Locale;

/** The element types of the safetensors format, with their names as written in the header. */
public enum DType {
    F64(8, true),
    F32(4, true),
    F16(2, true),
    BF16(2, true),
    I64(8, false),
    I32(4, false),
    I16(2, false),
    I8(1, false),
    U64(8, false),
    U32(4, false),
    U16(2, false),
    U8(1, false),
    BOOL(1, false),
    F8_E4M3(1, true),
    F8_E5M2(1, true);

    private final int byteSize;
    private final boolean floating;

    DType(int byteSize, boolean floating) {
        this.byteSize = byteSize;
        this.floating = floating;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** True for the floating-point types. */
    public boolean isFloatingPoint() {
        return floating;
    }

    /** The header name ({@code "F32"}, {@code "BOOL"}...). */
    public String headerName() {
        return name();
    }

    /** Parses a header dtype name, or returns {@code null} when it is not one of the format's types. */
    public static DType parse(String name) {
        if (name == null) {
            return null;
        }
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
