package dev.tessera.geometry;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.stream.IntStream;

/**
 * A balanced k-d tree over 3D points (Bentley 1975) for nearest-neighbour queries, with leaf buckets.
 *
 * <p>The tree is a complete binary tree stored in arrays: node {@code n} has children {@code 2n+1} and
 * {@code 2n+2}, every leaf sits at the same depth and holds {@code ⌊N/2^depth⌋} or {@code ⌈N/2^depth⌉} points.
 * Each inner node splits its points at the median of the widest side of its bounding box. The points are copied
 * into structure-of-arrays order so that a leaf's points are contiguous; inside a leaf they keep their original
 * order. Building is deterministic (no random pivots) and the result does not depend on the number of threads.
 *
 * <p>Build {@code O(N log N)}; a nearest-neighbour query is {@code O(log N)} on well-spread points. Queries are
 * thread-safe (the tree is immutable); {@link #nearest(float[])} answers a batch over all cores. Distances are
 * Euclidean, computed in double precision from the float coordinates; ties go to the lowest point index.
 */
public final class KdTree {
    /** Default number of points per leaf bucket. */
    public static final int DEFAULT_LEAF_SIZE = 16;

    private static final int PARALLEL_BATCH = 4096;
    private static final int PARALLEL_BUILD = 32_768;

    final int size;
    final int depth;
    /** Coordinates in tree order. */
    final float[] xs, ys, zs;
    /** Original index of the point at each tree position. */
    final int[] index;
    /** Point range {@code [lo, hi)} in tree order of each node. */
    final int[] lo, hi;
    /** Bounding box of each node's points (inverted for an empty node). */
    final float[] minX, minY, minZ, maxX, maxY, maxZ;

    private KdTree(float[] xyz, int leafSize, boolean parallel) {
        size = xyz.length / 3;
        int d = 0;
        while (((long) leafSize << d) < size) {
            d++;
        }
        depth = d;
        int nodes = (1 << (depth + 1)) - 1;
        lo = new int[nodes];
        hi = new int[nodes];
        minX = new float[nodes];
        minY = new float[nodes];
        minZ = new float[nodes];
        maxX = new float[nodes];
        maxY = new float[nodes];
        maxZ = new float[nodes];
        xs = new float[size];
        ys = new float[size];
        zs = new float[size];
        index = new int[size];
        for (int i = 0; i < size; i++) {
            xs[i] = xyz[3 * i];
            ys[i] = xyz[3 * i + 1];
            zs[i] = xyz[3 * i + 2];
            index[i] = i;
        }
        Build root = new Build(0, 0, size, 0, parallel);
        if (parallel && size >= PARALLEL_BUILD) {
            ForkJoinPool.commonPool().invoke(root);
        } else {
            root.compute();
        }
    }

    /**
     * Builds a tree over packed {@code xyz} points with {@link #DEFAULT_LEAF_SIZE} points per leaf, using all
     * cores for large inputs.
     *
     * @throws InvalidMeshException when the array is empty, not a multiple of 3 long, or holds a non-finite value
     */
    public static KdTree build(float[] xyz) {
        return build(xyz, DEFAULT_LEAF_SIZE);
    }

    /**
     * Builds a tree with at most about {@code leafSize} points per leaf (the leaves hold between
     * {@code leafSize/2} and {@code leafSize} points).
     *
     * @throws IllegalArgumentException when {@code leafSize < 1}
     * @throws InvalidMeshException when the points are empty or not finite
     */
    public static KdTree build(float[] xyz, int leafSize) {
        return build(xyz, leafSize, true);
    }

    static KdTree build(float[] xyz, int leafSize, boolean parallel) {
        if (leafSize < 1) {
            throw new IllegalArgumentException("leaf size must be ≥ 1, got " + leafSize);
        }
        checkPoints(xyz, "points");
        return new KdTree(xyz, leafSize, parallel);
    }

    /** Checks a packed point array: non-empty, length a multiple of 3, all coordinates finite. */
    static void checkPoints(float[] xyz, String what) {
        if (xyz.length % 3 != 0) {
            throw new InvalidMeshException(what + ": array length " + xyz.length + " is not a multiple of 3");
        }
        if (xyz.length == 0) {
            throw new InvalidMeshException(what + ": no points");
        }
        for (int i = 0; i < xyz.length; i++) {
            if (!Float.isFinite(xyz[i])) {
                throw new InvalidMeshException(what + ": point " + (i / 3) + " has a non-finite coordinate (" + xyz[i]
                        + "); remove or repair it");
            }
        }
    }

    /** Number of points. */
    public int size() {
        return size;
    }

    /** Number of levels below the root (0 when the whole set is one leaf). */
    public int depth() {
        return depth;
    }

    /** The index of the point nearest to {@code (x, y, z)}; ties go to the lowest index. */
    public int nearest(double x, double y, double z) {
        double[] best = {Double.POSITIVE_INFINITY, -1};
        search(0, x, y, z, best);
        return (int) best[1];
    }

    /** The Euclidean distance from {@code (x, y, z)} to the nearest point. */
    public double nearestDistance(double x, double y, double z) {
        double[] best = {Double.POSITIVE_INFINITY, -1};
        search(0, x, y, z, best);
        return Math.sqrt(best[0]);
    }

    /**
     * Nearest neighbours of a batch of packed query points, over all cores (fixed chunks, so the answer does not
     * depend on the thread count).
     *
     * @return for each query, the index of its nearest point and the Euclidean distance to it
     * @throws InvalidMeshException when the queries are not a multiple of 3 long or hold a non-finite value
     */
    public Neighbors nearest(float[] queries) {
        if (queries.length % 3 != 0) {
            throw new InvalidMeshException("queries: array length " + queries.length + " is not a multiple of 3");
        }
        for (int i = 0; i < queries.length; i++) {
            if (!Float.isFinite(queries[i])) {
                throw new InvalidMeshException("queries: point " + (i / 3) + " has a non-finite coordinate");
            }
        }
        int n = queries.length / 3;
        int[] idx = new int[n];
        float[] dist = new float[n];
        int chunks = (n + PARALLEL_BATCH - 1) / PARALLEL_BATCH;
        IntStream.range(0, chunks).parallel().forEach(c -> {
            double[] best = new double[2];
            int end = Math.min(n, (c + 1) * PARALLEL_BATCH);
            for (int q = c * PARALLEL_BATCH; q < end; q++) {
                best[0] = Double.POSITIVE_INFINITY;
                best[1] = -1;
                search(0, queries[3 * q], queries[3 * q + 1], queries[3 * q + 2], best);
                idx[q] = (int) best[1];
                dist[q] = (float) Math.sqrt(best[0]);
            }
        });
        return new Neighbors(idx, dist);
    }

    /**
     * The answer of a batch nearest-neighbour query.
     *
     * @param indices for each query, the original index of its nearest point
     * @param distances for each query, the Euclidean distance to that point
     */
    public record Neighbors(int[] indices, float[] distances) {}

    /** Squared distance from a point to node {@code n}'s box (0 inside), in double precision. */
    double boxDistance2(int n, double x, double y, double z) {
        double dx = Math.max(0, Math.max(minX[n] - x, x - maxX[n]));
        double dy = Math.max(0, Math.max(minY[n] - y, y - maxY[n]));
        double dz = Math.max(0, Math.max(minZ[n] - z, z - maxZ[n]));
        return dx * dx + dy * dy + dz * dz;
    }

    boolean isLeaf(int n) {
        return n >= (1 << depth) - 1;
    }

    private void search(int n, double x, double y, double z, double[] best) {
        if (isLeaf(n)) {
            double b = best[0];
            int bi = (int) best[1];
            for (int p = lo[n]; p < hi[n]; p++) {
                double dx = xs[p] - x, dy = ys[p] - y, dz = zs[p] - z;
                double d = dx * dx + dy * dy + dz * dz;
                if (d < b || (d == b && index[p] < bi)) {
                    b = d;
                    bi = index[p];
                }
            }
            best[0] = b;
            best[1] = bi;
            return;
        }
        int l = 2 * n + 1, r = l + 1;
        double dl = boxDistance2(l, x, y, z), dr = boxDistance2(r, x, y, z);
        int first = dl <= dr ? l : r, second = first == l ? r : l;
        double d1 = Math.min(dl, dr), d2 = Math.max(dl, dr);
        // ">" rather than ">=": an equally near point with a lower index must still be found.
        if (!(d1 > best[0])) {
            search(first, x, y, z, best);
        }
        if (!(d2 > best[0])) {
            search(second, x, y, z, best);
        }
    }

    /** Recursive, deterministic construction; forks the two halves of large nodes. */
    private final class Build extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final int node, from, to, level;
        private final boolean parallel;

        Build(int node, int from, int to, int level, boolean parallel) {
            this.node = node;
            this.from = from;
            this.to = to;
            this.level = level;
            this.parallel = parallel;
        }

        @Override
        protected void compute() {
            lo[node] = from;
            hi[node] = to;
            float x0 = Float.POSITIVE_INFINITY, y0 = x0, z0 = x0;
            float x1 = Float.NEGATIVE_INFINITY, y1 = x1, z1 = x1;
            for (int p = from; p < to; p++) {
                float x = xs[p], y = ys[p], z = zs[p];
                x0 = Math.min(x0, x);
                x1 = Math.max(x1, x);
                y0 = Math.min(y0, y);
                y1 = Math.max(y1, y);
                z0 = Math.min(z0, z);
                z1 = Math.max(z1, z);
            }
            minX[node] = x0;
            minY[node] = y0;
            minZ[node] = z0;
            maxX[node] = x1;
            maxY[node] = y1;
            maxZ[node] = z1;
            if (level == depth) {
                sortLeafByIndex(from, to);
                return;
            }
            float sx = x1 - x0, sy = y1 - y0, sz = z1 - z0;
            int axis = sx >= sy && sx >= sz ? 0 : (sy >= sz ? 1 : 2);
            int mid = (from + to) >>> 1;
            select(axis == 0 ? xs : axis == 1 ? ys : zs, from, to - 1, mid);
            Build left = new Build(2 * node + 1, from, mid, level + 1, parallel);
            Build right = new Build(2 * node + 2, mid, to, level + 1, parallel);
            if (parallel && to - from >= PARALLEL_BUILD) {
                invokeAll(left, right);
            } else {
                left.compute();
                right.compute();
            }
        }
    }

    private void swap(int i, int j) {
        float t = xs[i];
        xs[i] = xs[j];
        xs[j] = t;
        t = ys[i];
        ys[i] = ys[j];
        ys[j] = t;
        t = zs[i];
        zs[i] = zs[j];
        zs[j] = t;
        int u = index[i];
        index[i] = index[j];
        index[j] = u;
    }

    /** Puts a leaf's points back in their original order (insertion sort: leaves are small). */
    private void sortLeafByIndex(int from, int to) {
        if (to - from > 64) {
            long[] key = new long[to - from];
            for (int p = from; p < to; p++) {
                key[p - from] = ((long) index[p] << 32) | (p - from);
            }
            java.util.Arrays.sort(key);
            float[] x = java.util.Arrays.copyOfRange(xs, from, to);
            float[] y = java.util.Arrays.copyOfRange(ys, from, to);
            float[] z = java.util.Arrays.copyOfRange(zs, from, to);
            for (int q = 0; q < key.length; q++) {
                int src = (int) key[q];
                xs[from + q] = x[src];
                ys[from + q] = y[src];
                zs[from + q] = z[src];
                index[from + q] = (int) (key[q] >>> 32);
            }
            return;
        }
        for (int p = from + 1; p < to; p++) {
            for (int q = p; q > from && index[q - 1] > index[q]; q--) {
                swap(q - 1, q);
            }
        }
    }

    /**
     * Rearranges positions {@code left..right} so that position {@code k} holds the point of rank {@code k} by
     * {@code key} (one of the coordinate arrays), smaller-or-equal ones before it and greater-or-equal ones after
     * (Hoare's selection with a median-of-three pivot: deterministic).
     */
    private void select(float[] key, int left, int right, int k) {
        while (right > left) {
            int m = (left + right) >>> 1;
            float a = key[left], b = key[m], c = key[right];
            float pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
            int i = left, j = right;
            while (i <= j) {
                while (key[i] < pivot) {
                    i++;
                }
                while (key[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    swap(i, j);
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                right = j;
            } else if (k >= i) {
                left = i;
            } else {
                return;
            }
        }
    }
}
