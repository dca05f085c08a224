package dev.tessera.geometry.io;

import java.util.Arrays;

/** A growable {@code float} array for readers that do not know their sizes in advance. */
final class FloatList {
    private float[] a;
    private int n;

    FloatList(int capacity) {
        a = new float[Math.max(capacity, 16)];
    }

    void add(float v) {
        if (n == a.length) {
            grow(n + 1);
        }
        a[n++] = v;
    }

    void add(float x, float y, float z) {
        if (n + 3 > a.length) {
            grow(n + 3);
        }
        a[n] = x;
        a[n + 1] = y;
        a[n + 2] = z;
        n += 3;
    }

    private void grow(int min) {
        a = Arrays.copyOf(a, ArrayGrowth.capacity(a.length, min, "values"));
    }

    float get(int i) {
        return a[i];
    }

    void set(int i, float v) {
        a[i] = v;
    }

    int size() {
        return n;
    }

    /** The values, trimmed to size (the internal array itself when it is exactly full). */
    float[] toArray() {
        return n == a.length ? a : Arrays.copyOf(a, n);
    }

    /** Makes {@code values} (all of it, adopted without a copy) the content of this list. */
    void adoptArray(float[] values) {
        a = values;
        n = values.length;
    }
}
