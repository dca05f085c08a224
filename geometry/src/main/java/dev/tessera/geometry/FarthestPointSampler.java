package dev.tessera.geometry;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Farthest point sampling (Eldar et al. 1997): picks {@code k} of {@code N} points, each next one the point whose
 * distance to the already picked set is largest.
 *
 * <p><b>Exact.</b> The result is, index for index, the one of the textbook {@code O(N·K)} loop given in
 * {@link #reference(float[], int, int)}: squared distances in {@code float} computed as
 * {@code dx*dx + dy*dy + dz*dz}, the running minimum distance of every point to the picked set, the next point the
 * not-yet-picked one with the largest minimum distance, <b>ties going to the lowest index</b>. Picked points are
 * never picked again, so duplicates are taken only once every point of positive distance has been taken, and the
 * {@code k} indices are always distinct.
 *
 * <p><b>Fast.</b> The points go into a {@link KdTree} whose leaves are buckets; each node keeps the largest
 * running distance of its points and where it is (the bucket idea of QuickFPS, Han et al. 2023, and of the
 * {@code fpsample} library's bucket FPS). When a point is picked, a node is visited only when the lower bound of
 * the distance from the new point to the node's box is smaller than the node's largest running distance, since
 * otherwise no distance in it can shrink; the next point is read off the root. The lower bound is computed in
 * {@code float} with the same operations as the distances, so by the monotonicity of rounding it never exceeds a
 * computed distance and the pruning changes nothing in the result. Expected cost about {@code O(N log K)} distance
 * evaluations instead of {@code N·K}. Large inputs are split into subtrees updated by several threads in lock
 * step; the result is the same for every thread count.
 */
public final class FarthestPointSampler {
    /** Points per bucket: small buckets prune more, large ones cost less per visit. */
    static final int LEAF_SIZE = 32;
    /** Below this many points one thread is faster than synchronising several per pick. */
    static final int PARALLEL_MIN_POINTS = 65_536;
    /** Subtrees per thread, claimed dynamically each round so that a slow thread holds up little. */
    static final int PARTS_PER_THREAD = 4;

    private static final long STOP = -1L;

    private FarthestPointSampler() {}

    /**
     * Picks {@code k} points by farthest point sampling, starting from point {@code start}, using up to all cores.
     *
     * @param xyz packed points {@code float[3N]}
     * @param k how many points to pick, {@code 1 ≤ k ≤ N}
     * @param start index of the first point picked
     * @return the indices of the picked points, in the order they were picked ({@code result[0] == start})
     * @throws IllegalArgumentException when {@code k} or {@code start} is out of range
     * @throws InvalidMeshException when the points are empty or hold a non-finite coordinate
     */
    public static int[] sample(float[] xyz, int k, int start) {
        return sample(xyz, k, start, Runtime.getRuntime().availableProcessors());
    }

    /**
     * As {@link #sample(float[], int, int)}, from a start point drawn uniformly with {@code new
     * SplittableRandom(seed)}.
     */
    public static int[] sampleRandomStart(float[] xyz, int k, long seed) {
        if (xyz.length < 3) {
            KdTree.checkPoints(xyz, "farthest point sampling");
        }
        return sample(xyz, k, new SplittableRandom(seed).nextInt(xyz.length / 3));
    }

    /** The picked points of a cloud (with their normals, if any), starting from point {@code start}. */
    public static PointCloud sample(PointCloud cloud, int k, int start) {
        return cloud.select(sample(cloud.positions(), k, start));
    }

    /**
     * As {@link #sample(float[], int, int)} with at most {@code threads} threads (no more than the available
     * processors; one thread below {@value #PARALLEL_MIN_POINTS} points). The threads build the tree together, then
     * work in lock step, one short round per pick, each round sharing out subtrees. The result does not depend on
     * {@code threads}.
     */
    public static int[] sample(float[] xyz, int k, int start, int threads) {
        check(xyz, k, start);
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
        }
        int n = xyz.length / 3;
        KdTree tree = KdTree.build(xyz, LEAF_SIZE, threads > 1);
        int usable = n < PARALLEL_MIN_POINTS
                ? 1
                : Math.min(threads, Runtime.getRuntime().availableProcessors());
        int parts = 1;
        while (parts < PARTS_PER_THREAD * usable && parts * 2 <= (1 << tree.depth)) {
            parts *= 2;
        }
        return new Run(tree, parts, usable == 1 || parts == 1 ? 1 : usable).pick(k, start);
    }

    /**
     * The textbook {@code O(N·K)} loop, the definition the fast sampler reproduces exactly: for every pick, update
     * every point's running minimum squared distance ({@code float}, {@code dx*dx + dy*dy + dz*dz}) to the
     * picked point, then take the not-yet-picked point with the largest one, the lowest index on ties. Single
     * threaded; meant for tests and benchmarks.
     */
    public static int[] reference(float[] xyz, int k, int start) {
        check(xyz, k, start);
        int n = xyz.length / 3;
        float[] dist = new float[n];
        java.util.Arrays.fill(dist, Float.POSITIVE_INFINITY);
        int[] out = new int[k];
        int cur = start;
        for (int s = 0; s < k; s++) {
            out[s] = cur;
            dist[cur] = -1f; // picked: never the largest again
            float qx = xyz[3 * cur], qy = xyz[3 * cur + 1], qz = xyz[3 * cur + 2];
            float best = Float.NEGATIVE_INFINITY;
            int arg = -1;
            for (int i = 0; i < n; i++) {
                float dx = xyz[3 * i] - qx, dy = xyz[3 * i + 1] - qy, dz = xyz[3 * i + 2] - qz;
                float d = dx * dx + dy * dy + dz * dz;
                if (d < dist[i]) {
                    dist[i] = d;
                }
                if (dist[i] > best) {
                    best = dist[i];
                    arg = i;
                }
            }
            cur = arg;
        }
        return out;
    }

    private static void check(float[] xyz, int k, int start) {
        KdTree.checkPoints(xyz, "farthest point sampling");
        int n = xyz.length / 3;
        if (k < 1) {
            throw new IllegalArgumentException("farthest point sampling: k must be ≥ 1, got " + k);
        }
        if (k > n) {
            throw new IllegalArgumentException(
                    "farthest point sampling: k = " + k + " is more than the " + n + " points; ask for k ≤ " + n);
        }
        if (start < 0 || start >= n) {
            throw new IllegalArgumentException(
                    "farthest point sampling: start index " + start + " out of range (" + n + " points)");
        }
    }

    /** The state of one sampling: running distances in tree order and the largest one of every node. */
    private static final class Run {
        private final KdTree t;
        private final float[] dist;
        private final float[] nodeMax;
        private final int[] nodeArg;
        private final int parts;
        private final int threads;

        Run(KdTree t, int parts, int threads) {
            this.t = t;
            this.parts = parts;
            this.threads = threads;
            int nodes = t.lo.length;
            dist = new float[t.size];
            java.util.Arrays.fill(dist, Float.POSITIVE_INFINITY);
            nodeMax = new float[nodes];
            nodeArg = new int[nodes];
            for (int n = 0; n < nodes; n++) {
                boolean empty = t.lo[n] == t.hi[n];
                nodeMax[n] = empty ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
                nodeArg[n] = empty ? Integer.MAX_VALUE : t.index[t.lo[n]];
            }
        }

        int[] pick(int k, int start) {
            int[] pos = new int[t.size]; // tree position of each original index
            for (int p = 0; p < t.size; p++) {
                pos[t.index[p]] = p;
            }
            int[] out = new int[k];
            if (threads == 1) {
                int cur = start;
                for (int s = 0; s < k; s++) {
                    out[s] = cur;
                    if (s == k - 1) {
                        break;
                    }
                    int p = pos[cur];
                    markPicked(p);
                    update(0, t.xs[p], t.ys[p], t.zs[p]);
                    cur = nodeArg[0];
                }
                return out;
            }
            return pickParallel(k, start, pos, out);
        }

        /**
         * Picks with {@code threads} threads over {@code parts} subtrees. Each round (one pick) the subtrees are
         * claimed one by one from an atomic counter by whichever thread is free: the main thread never waits for a
         * worker that has not started (a descheduled worker simply takes no part), only for parts already claimed.
         */
        private int[] pickParallel(int k, int start, int[] pos, int[] out) {
            int firstPart = parts - 1;
            // claim = round << 32 | next unclaimed part; finished = parts done in the current round.
            AtomicLong claim = new AtomicLong(0L | parts);
            AtomicInteger finished = new AtomicInteger();
            float[] query = new float[3];
            Thread[] workers = new Thread[threads - 1];
            for (int w = 0; w < workers.length; w++) {
                workers[w] = Thread.ofPlatform().daemon().name("fps-" + (w + 1)).start(() -> {
                    int idle = 0;
                    while (true) {
                        long c = claim.get();
                        if (c == STOP) {
                            return;
                        }
                        if ((int) c < parts) {
                            if (claim.compareAndSet(c, c + 1)) {
                                update(firstPart + (int) c, query[0], query[1], query[2]);
                                finished.incrementAndGet();
                            }
                            idle = 0;
                        } else {
                            idle = backOff(idle);
                        }
                    }
                });
            }
            try {
                int cur = start;
                for (int s = 0; s < k; s++) {
                    out[s] = cur;
                    if (s == k - 1) {
                        break;
                    }
                    int p = pos[cur];
                    markPicked(p);
                    query[0] = t.xs[p];
                    query[1] = t.ys[p];
                    query[2] = t.zs[p];
                    finished.set(0);
                    long round = (long) (s + 1) << 32;
                    claim.set(round); // volatile write: publishes the query and the marked distances
                    while (true) {
                        long c = claim.get();
                        if ((int) c >= parts) {
                            break;
                        }
                        if (claim.compareAndSet(c, c + 1)) {
                            update(firstPart + (int) c, query[0], query[1], query[2]);
                            finished.incrementAndGet();
                        }
                    }
                    int spins = 0;
                    while (finished.get() != parts) {
                        spins = backOff(spins);
                    }
                    for (int n = firstPart - 1; n >= 0; n--) {
                        combine(n);
                    }
                    cur = nodeArg[0];
                }
            } finally {
                claim.set(STOP);
                for (Thread w : workers) {
                    LockSupport.unpark(w);
                    try {
                        w.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            return out;
        }

        /** Marks the point at tree position {@code p} picked and refreshes the maxima on its leaf's path. */
        private void markPicked(int p) {
            dist[p] = -1f;
            int n = 0;
            while (!t.isLeaf(n)) {
                n = p < t.hi[2 * n + 1] ? 2 * n + 1 : 2 * n + 2;
            }
            scanLeaf(n);
            while (n > 0) {
                n = (n - 1) / 2;
                combine(n);
            }
        }

        /** Shrinks the running distances of node {@code n}'s points by the new pick {@code q}, where they can. */
        private void update(int n, float qx, float qy, float qz) {
            float gx = qx < t.minX[n] ? t.minX[n] - qx : (qx > t.maxX[n] ? qx - t.maxX[n] : 0f);
            float gy = qy < t.minY[n] ? t.minY[n] - qy : (qy > t.maxY[n] ? qy - t.maxY[n] : 0f);
            float gz = qz < t.minZ[n] ? t.minZ[n] - qz : (qz > t.maxZ[n] ? qz - t.maxZ[n] : 0f);
            float bound = gx * gx + gy * gy + gz * gz;
            if (bound >= nodeMax[n]) {
                return; // every point's computed distance to q is ≥ bound ≥ its running distance
            }
            if (t.isLeaf(n)) {
                float[] xs = t.xs, ys = t.ys, zs = t.zs, d = dist;
                float best = Float.NEGATIVE_INFINITY;
                int arg = t.lo[n];
                for (int p = t.lo[n], end = t.hi[n]; p < end; p++) {
                    float dx = xs[p] - qx, dy = ys[p] - qy, dz = zs[p] - qz;
                    float e = dx * dx + dy * dy + dz * dz;
                    float c = d[p];
                    if (e < c) {
                        c = e;
                        d[p] = e;
                    }
                    if (c > best) {
                        best = c;
                        arg = p;
                    }
                }
                nodeMax[n] = best;
                nodeArg[n] = t.index[arg];
                return;
            }
            update(2 * n + 1, qx, qy, qz);
            update(2 * n + 2, qx, qy, qz);
            combine(n);
        }

        private void scanLeaf(int n) {
            float best = Float.NEGATIVE_INFINITY;
            int arg = -1;
            for (int p = t.lo[n]; p < t.hi[n]; p++) {
                if (dist[p] > best) {
                    best = dist[p];
                    arg = p;
                }
            }
            nodeMax[n] = best;
            nodeArg[n] = arg < 0 ? Integer.MAX_VALUE : t.index[arg];
        }

        /** The largest running distance of an inner node from its children's, lowest index on ties. */
        private void combine(int n) {
            int l = 2 * n + 1, r = l + 1;
            float ml = nodeMax[l], mr = nodeMax[r];
            if (ml > mr || (ml == mr && nodeArg[l] < nodeArg[r])) {
                nodeMax[n] = ml;
                nodeArg[n] = nodeArg[l];
            } else {
                nodeMax[n] = mr;
                nodeArg[n] = nodeArg[r];
            }
        }
    }

    /** Waiting: spin briefly, then yield, then sleep in short naps. */
    private static int backOff(int spins) {
        if (spins < 20_000) {
            Thread.onSpinWait();
        } else if (spins < 20_100) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(50_000);
        }
        return spins + 1;
    }
}
