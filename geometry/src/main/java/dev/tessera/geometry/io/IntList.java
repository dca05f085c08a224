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
        a = Arrays.copyOf(a, ArrayGrowth.capacity(a.length, min, "indices"));
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
