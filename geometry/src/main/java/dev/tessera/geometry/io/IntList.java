package dev.tessera.geometry.io;

import java.util.Arrays;

/** A growable {@code int} array for readers that do not know their sizes in advance. */
final class IntList {
    private int[] a;
    private int n;

    IntList(int capacity) {
        a = new int[Math.max(capacity, 16)];
    }

    void add(int v) {
        if (n == a.length) {
            grow(n + 1);
        }
        a[n++] = v;
    }

    void add(int x, int y, int z) {
        if (n + 3 > a.length) {
            grow(n + 3);
        }
        a[n] = x;
        a[n + 1] = y;
        a[n + 2] = z;
        n += 3;
    }

    private void grow(int min) {
        long cap = Math.max(min, (long) a.length + (a.length >> 1) + 16);
        if (cap > Integer.MAX_VALUE - 16) {
            if (min > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("more than 2^31 indices; the mesh is too large for one array");
            }
            cap = Integer.MAX_VALUE - 16;
        }
        a = Arrays.copyOf(a, (int) cap);
    }

    int get(int i) {
        return a[i];
    }

    void set(int i, int v) {
        a[i] = v;
    }

    int size() {
        return n;
    }

    void clear() {
        n = 0;
    }

    /** The internal array (valid up to {@link #size()}). */
    int[] raw() {
        return a;
    }

    /** The values, trimmed to size. */
    int[] toArray() {
        return n == a.length ? a : Arrays.copyOf(a, n);
    }
}
