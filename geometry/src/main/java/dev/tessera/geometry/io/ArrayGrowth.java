package dev.tessera.geometry.io;

/** The growth rule of the readers' primitive lists ({@link FloatList}, {@link IntList}): 1.5× plus 16, capped. */
final class ArrayGrowth {
    private static final int MAX = Integer.MAX_VALUE - 16;

    private ArrayGrowth() {}

    /**
     * The new length for an array of {@code length} that must hold at least {@code min} entries.
     *
     * @throws IllegalStateException when {@code min} is beyond what one Java array holds
     */
    static int capacity(int length, int min, String unit) {
        if (min > MAX) {
            throw new IllegalStateException("more than 2^31 " + unit + "; the mesh is too large for one array");
        }
        return (int) Math.min(MAX, Math.max(min, (long) length + (length >> 1) + 16));
    }
}
