package dev.tessera.model.vecset;

import dev.tessera.geometry.DenseGrid;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * Decodes a field on every point of a lattice, in slabs of x layers (each slab one batch of queries), into a {@link
 * DenseGrid}: Hunyuan3D-2's {@code VanillaVolumeDecoder}. {@code (R + 1)³} queries; memory: the grid ({@code 4 (R +
 * 1)³} bytes of heap) plus one slab's points. The estimate is checked before anything is allocated.
 */
public final class DenseVolumeDecoder {
    /** Heap bytes per lattice point: the value, and marching cubes' working bits. */
    static final double BYTES_PER_POINT = 4.2;

    private DenseVolumeDecoder() {}

    /** Heap bytes a dense decode of {@code lattice} needs, with marching cubes on top (excluding the output mesh). */
    public static long estimateBytes(Lattice lattice) {
        long n = lattice.points();
        return (long) (BYTES_PER_POINT * lattice.size()) + 16L * n * n * 3;
    }

    /**
     * Checks that {@code bytes} fit in the heap still available; otherwise throws a {@link DecodeTooLargeException}
     * naming the estimate, what is available, and the fix.
     */
    static void checkMemory(String what, long bytes, String smaller) {
        Runtime rt = Runtime.getRuntime();
        long available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (bytes > 0.8 * available) {
            throw new DecodeTooLargeException(
                    String.format(
                            Locale.ROOT,
                            "%s needs about %s of Java heap, %s are available; %s, or raise the heap"
                                    + " (-Xmx, e.g. TESSERA_JAVA_OPTS=-Xmx16g)",
                            what,
                            human(bytes),
                            human(available),
                            smaller),
                    bytes,
                    available);
        }
    }

    static String human(long bytes) {
        return bytes >= 1L << 30
                ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.0f MiB", bytes / (double) (1L << 20));
    }

    /**
     * The field on every point of {@code lattice}, as a grid over its box.
     *
     * @param progress called with the number of points decoded so far (may be null)
     * @throws DecodeTooLargeException when the grid would not fit in the heap
     */
    public static DenseGrid decode(PointField field, Lattice lattice, LongConsumer progress) {
        int n = lattice.points();
        checkMemory(
                "a dense " + n + "³ decoding grid",
                estimateBytes(lattice),
                "lower the resolution or decode hierarchically");
        float[] values = new float[Math.toIntExact(lattice.size())];
        int plane = n * n;
        int layers = Math.max(1, 65_536 / plane);
        for (int i0 = 0; i0 < n; i0 += layers) {
            int i1 = Math.min(n, i0 + layers);
            float[] xyz = new float[3 * plane * (i1 - i0)];
            int p = 0;
            for (int i = i0; i < i1; i++) {
                float x = lattice.x(i);
                for (int j = 0; j < n; j++) {
                    float y = lattice.y(j);
                    for (int k = 0; k < n; k++) {
                        xyz[p++] = x;
                        xyz[p++] = y;
                        xyz[p++] = lattice.z(k);
                    }
                }
            }
            float[] v = field.values(xyz);
            System.arraycopy(v, 0, values, i0 * plane, v.length);
            if (progress != null) {
                progress.accept((long) i1 * plane);
            }
        }
        return DenseGrid.adopt(lattice.bounds(), n, n, n, values);
    }
}
