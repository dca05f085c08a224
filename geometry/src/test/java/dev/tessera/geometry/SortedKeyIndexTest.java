package dev.tessera.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SortedKeyIndexTest {
    /** Every key present and absent is found exactly where a binary search over the whole array finds it. */
    private static void agreesWithBinarySearch(long[] keys, long width, long maxKey, SplittableRandom random) {
        SortedKeyIndex index = new SortedKeyIndex(keys, width);
        for (int p = 0; p < keys.length; p++) {
            assertThat(index.indexOf(keys[p])).isEqualTo(p);
        }
        for (int q = 0; q < 20_000; q++) {
            long key = random.nextLong(maxKey + 10);
            int expected = Arrays.binarySearch(keys, key);
            assertThat(index.indexOf(key)).as("key %d", key).isEqualTo(expected >= 0 ? expected : -1);
        }
        assertThat(index.indexOf(-1)).isEqualTo(-1);
        assertThat(index.indexOf(Long.MAX_VALUE)).isEqualTo(-1);
    }

    private static long[] randomKeys(int n, long max, SplittableRandom random) {
        return Arrays.stream(random.longs(n, 0, max).toArray())
                .sorted()
                .distinct()
                .toArray();
    }

    @Test
    void latticeRowsAsBuckets() {
        SplittableRandom random = new SplittableRandom(1);
        long nz = 257;
        agreesWithBinarySearch(randomKeys(50_000, nz * nz * nz, random), nz, nz * nz * nz, random);
        agreesWithBinarySearch(randomKeys(50_000, 3 * nz * nz * nz, random), 3 * nz, 3 * nz * nz * nz, random);
    }

    @Test
    void keysSpanningFarMoreBucketsThanKeysWidenTheBuckets() {
        SplittableRandom random = new SplittableRandom(2);
        long max = 1L << 50;
        agreesWithBinarySearch(randomKeys(1000, max, random), 1, max, random);
    }

    @Test
    void emptyAndSingleKeys() {
        SplittableRandom random = new SplittableRandom(3);
        agreesWithBinarySearch(new long[0], 4, 100, random);
        agreesWithBinarySearch(new long[] {0}, 4, 100, random);
        agreesWithBinarySearch(new long[] {99}, 1, 100, random);
        assertThatThrownBy(() -> new SortedKeyIndex(new long[] {1}, 0)).hasMessageContaining("width");
    }
}
