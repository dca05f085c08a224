package dev.tessera.geometry;

import java.util.Arrays;

/** A growable stack of {@code long}s, for flood fills over lattice keys. Not thread-safe. */
public final class LongStack {
    private long[] items = new long[1024];
    private int size;

    public void push(long x) {
        if (size == items.length) {
            items = Arrays.copyOf(items, 2 * size);
        }
        items[size++] = x;
    }

    /** The last value pushed, removed. */
    public long pop() {
        return items[--size];
    }

    public boolean isEmpty() {
        return size == 0;
    }
}
