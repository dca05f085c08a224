package dev.tessera.geometry;

/**
 * An open-addressing hash map from {@code long} keys to non-negative {@code int} values (-1 when absent): edge and
 * vertex keys of the mesh checks, lattice keys of sparse grids. Not thread-safe.
 */
public final class LongIntMap {
    private long[] keys;
    private int[] values; // value + 1, 0 = empty slot
    private int size;

    /** A map sized for about {@code expected} keys (it grows past them). */
    public LongIntMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, 2 * expected) - 1) << 1;
        keys = new long[cap];
        values = new int[cap];
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        int mask = keys.length - 1;
        int i = (int) (h ^ (h >>> 29)) & mask;
        while (values[i] != 0 && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /** The value of {@code key}, or -1. */
    public int get(long key) {
        return values[slot(key)] - 1;
    }

    /** Sets the value (>= 0) of {@code key}. */
    public void put(long key, int value) {
        int i = slot(key);
        if (values[i] == 0) {
            keys[i] = key;
            values[i] = value + 1;
            if (2 * ++size > keys.length) {
                grow();
            }
        } else {
            values[i] = value + 1;
        }
    }

    private void grow() {
        long[] k = keys;
        int[] v = values;
        keys = new long[k.length * 2];
        values = new int[k.length * 2];
        for (int i = 0; i < k.length; i++) {
            if (v[i] != 0) {
                int s = slot(k[i]);
                keys[s] = k[i];
                values[s] = v[i];
            }
        }
    }
}
