package dev.tessera.data.dataset;

import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws fixed-size random subsets of a sample's point sets, the way vecset VAEs train: every step sees a fresh
 * random selection of {@code n} rows of each array. Rows are gathered straight from the memory-mapped file, so only
 * the drawn rows are read.
 */
public final class PointBatcher {
    private PointBatcher() {}

    /**
     * {@code n} rows of the float array {@code name} (shape {@code [N, columns]} or {@code [N]}), drawn without
     * replacement when {@code N ≥ n}, with replacement otherwise, packed into {@code out} at row {@code offset}.
     * Several arrays can be drawn with the same rows by passing the same {@code rows}.
     *
     * @return the number of rows the array has
     */
    public static int gather(SafetensorsReader sample, String name, int[] rows, float[] out, int offset)
            throws IOException {
        TensorInfo info = sample.info(name);
        long[] shape = info.shape();
        int columns = shape.length == 1 ? 1 : (int) shape[1];
        FloatBuffer b = sample.buffer(name).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        int base = offset * columns;
        for (int i = 0; i < rows.length; i++) {
            b.get(rows[i] * columns, out, base + i * columns, columns);
        }
        return (int) shape[0];
    }

    /** {@code n} row indices of an array with {@code count} rows: without replacement when possible. */
    public static int[] draw(int count, int n, SplittableRandom random) {
        if (count <= 0) {
            throw new IllegalArgumentException("cannot draw " + n + " rows from an empty array");
        }
        int[] rows = new int[n];
        if (count >= n) {
            // partial Fisher–Yates over a virtual identity permutation (sparse swaps)
            java.util.HashMap<Integer, Integer> swapped = new java.util.HashMap<>();
            for (int i = 0; i < n; i++) {
                int j = i + random.nextInt(count - i);
                int vi = swapped.getOrDefault(i, i), vj = swapped.getOrDefault(j, j);
                rows[i] = vj;
                swapped.put(j, vi);
            }
        } else {
            for (int i = 0; i < n; i++) {
                rows[i] = random.nextInt(count);
            }
        }
        return rows;
    }

    /**
     * One batch of subsets: for each sample, {@code n} random rows of each named array (arrays in the same group
     * share rows, e.g. points with their normals or SDF).
     *
     * @param samples open sample files
     * @param groups groups of array names that are drawn with the same rows, each with its size
     * @return one float array per array name, {@code [B · n · columns]}, in the order of the groups
     */
    public static float[][] batch(List<SafetensorsReader> samples, List<Group> groups, SplittableRandom random)
            throws IOException {
        int total = 0;
        for (Group g : groups) {
            total += g.names().size();
        }
        float[][] out = new float[total][];
        int k = 0;
        for (Group g : groups) {
            for (String name : g.names()) {
                long[] shape = samples.isEmpty()
                        ? new long[] {0}
                        : samples.get(0).info(name).shape();
                int columns = shape.length == 1 ? 1 : (int) shape[1];
                out[k++] = new float[samples.size() * g.size() * columns];
            }
        }
        for (int b = 0; b < samples.size(); b++) {
            SafetensorsReader s = samples.get(b);
            k = 0;
            for (Group g : groups) {
                int count = (int) s.info(g.names().get(0)).shape()[0];
                int[] rows = draw(count, g.size(), random);
                for (String name : g.names()) {
                    gather(s, name, rows, out[k++], b * g.size());
                }
            }
        }
        return out;
    }

    /** Arrays drawn with the same rows, and how many rows per sample. */
    public record Group(int size, List<String> names) {}
}
