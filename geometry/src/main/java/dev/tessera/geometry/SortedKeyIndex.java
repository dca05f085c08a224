package dev.tessera.geometry;

/**
 * Positions of keys in a sorted, duplicate-free array of non-negative {@code long} keys, found through a table of
 * bucket starts: the keys of bucket {@code b} are those in {@code [b·w, (b + 1)·w)}, and a lookup binary-searches one
 * bucket only. With lattice keys ({@code (i·ny + j)·nz + k}) and {@code w = nz} a bucket is one lattice row, so a
 * lookup reads a small table that stays in cache and a few neighbouring keys, where a binary search over millions of
 * keys misses the cache at each of its last steps. Immutable and safe to read from many threads.
 */
public final class SortedKeyIndex {
    /** Most buckets the table may have (64 MiB of starts); wider buckets are used beyond it. */
    private static final long MAX_BUCKETS = 1L << 24;

    private final long[] keys;
    private final long width;
    private final int[] start;

    /**
     * @param keys sorted ascending, no duplicates, no negative key (not copied: must not change afterwards)
     * @param width the bucket width asked for (≥ 1); widened when the keys would need more buckets than
     *     {@value #MAX_BUCKETS} or than four per key
     */
    public SortedKeyIndex(long[] keys, long width) {
        if (width < 1) {
            throw new IllegalArgumentException("bucket width must be ≥ 1, got " + width);
        }
        long last = keys.length == 0 ? 0 : keys[keys.length - 1];
        if (keys.length > 0 && keys[0] < 0) {
            throw new IllegalArgumentException("negative key " + keys[0]);
        }
        long w = Math.max(width, last / Math.min(MAX_BUCKETS - 1, 4L * keys.length + 1024) + 1);
        int buckets = (int) (last / w) + 1;
        int[] s = new int[buckets + 1];
        for (int p = 0, b = 0; b <= buckets; b++) { // start[b] = first position whose key is in bucket b or later
            while (p < keys.length && keys[p] / w < b) {
                p++;
            }
            s[b] = p;
        }
        this.keys = keys;
        this.width = w;
        this.start = s;
    }

    /** The position of {@code key} in the keys, or -1 when it is not there. */
    public int indexOf(long key) {
        if (key < 0) {
            return -1;
        }
        long b = key / width;
        if (b >= start.length - 1) {
            return -1;
        }
        int lo = start[(int) b], hi = start[(int) b + 1] - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long k = keys[mid];
            if (k < key) {
                lo = mid + 1;
            } else if (k > key) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /**
     * Merges two ascending, disjoint key lists with their values into {@code keys} and {@code values} (of the two
     * lengths' sum).
     */
    public static void merge(long[] a, float[] av, long[] b, float[] bv, long[] keys, float[] values) {
        for (int i = 0, j = 0, o = 0; o < keys.length; o++) {
            if (j >= b.length || (i < a.length && a[i] < b[j])) {
                keys[o] = a[i];
                values[o] = av[i++];
            } else {
                keys[o] = b[j];
                values[o] = bv[j++];
            }
        }
    }
}
