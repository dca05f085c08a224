package dev.tessera.geometry.io;

/**
 * Exact vertex welding for formats that repeat coordinates per triangle (STL): equal positions (bit for bit, with
 * {@code -0} equal to {@code +0}) get one index. An open-addressing hash table over the positions; amortised O(1)
 * per vertex, no boxing.
 */
final class VertexWelder {
    private final FloatList positions;
    private int[] table; // vertex index + 1, 0 = empty
    private int count;

    VertexWelder(int expectedVertices) {
        positions = new FloatList(3 * Math.max(16, expectedVertices));
        int cap = Integer.highestOneBit(Math.max(64, expectedVertices * 2) - 1) << 1;
        table = new int[cap];
    }

    private static int hash(float x, float y, float z) {
        int h = Float.floatToIntBits(x + 0.0f);
        h = h * 0x9E3779B1 + Float.floatToIntBits(y + 0.0f);
        h = h * 0x9E3779B1 + Float.floatToIntBits(z + 0.0f);
        return h ^ (h >>> 15);
    }

    /** The index of the vertex at (x, y, z), adding it if new. */
    int add(float x, float y, float z) {
        if (2 * (count + 1) > table.length) {
            rehash();
        }
        int mask = table.length - 1;
        int i = hash(x, y, z) & mask;
        while (true) {
            int e = table[i];
            if (e == 0) {
                table[i] = count + 1;
                positions.add(x, y, z);
                return count++;
            }
            int p = 3 * (e - 1);
            if (positions.get(p) == x && positions.get(p + 1) == y && positions.get(p + 2) == z) {
                return e - 1;
            }
            i = (i + 1) & mask;
        }
    }

    private void rehash() {
        int[] t = new int[table.length * 2];
        int mask = t.length - 1;
        for (int v = 0; v < count; v++) {
            int i = hash(positions.get(3 * v), positions.get(3 * v + 1), positions.get(3 * v + 2)) & mask;
            while (t[i] != 0) {
                i = (i + 1) & mask;
            }
            t[i] = v + 1;
        }
        table = t;
    }

    int vertexCount() {
        return count;
    }

    FloatList positions() {
        return positions;
    }
}
