package dev.tessera.model.sparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link SparseSdfMesh}'s outer-shell flood against a plain breadth-first flood, and its input checks. */
class SparseSdfMeshTest {
    /**
     * Random walls (valued points below the level) in lattices whose rows do and do not fill whole 64-bit words:
     * the scanline flood turns exactly the points a point-by-point breadth-first flood from the faces cannot reach.
     */
    @ParameterizedTest
    @ValueSource(ints = {5, 63, 64, 65, 130})
    void theScanlineFloodReachesWhatABreadthFirstFloodReaches(int r) {
        SplittableRandom random = new SplittableRandom(r);
        for (double wallShare : new double[] {0.2, 0.45, 0.6}) {
            int n = r * r * r;
            long[] keys = new long[n / 3];
            float[] values = new float[keys.length];
            boolean[] taken = new boolean[n];
            boolean[] blocked = new boolean[n];
            for (int v = 0; v < keys.length; v++) {
                int key;
                do {
                    key = random.nextInt(n);
                } while (taken[key]);
                taken[key] = true;
                keys[v] = key;
                values[v] = random.nextDouble() < wallShare ? -0.5f - random.nextFloat() : 0.5f + random.nextFloat();
                blocked[key] = values[v] < 0;
            }
            // plain breadth-first flood through unblocked points from every face point
            boolean[] reached = new boolean[n];
            ArrayDeque<Integer> queue = new ArrayDeque<>();
            for (int q = 0; q < n; q++) {
                int i = q / (r * r), j = q / r % r, k = q % r;
                boolean face = i == 0 || j == 0 || k == 0 || i == r - 1 || j == r - 1 || k == r - 1;
                if (face && !blocked[q]) {
                    reached[q] = true;
                    queue.add(q);
                }
            }
            int[][] steps = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
            while (!queue.isEmpty()) {
                int q = queue.poll();
                int i = q / (r * r), j = q / r % r, k = q % r;
                for (int[] s : steps) {
                    int a = i + s[0], b = j + s[1], c = k + s[2];
                    if (a >= 0 && b >= 0 && c >= 0 && a < r && b < r && c < r) {
                        int p = (a * r + b) * r + c;
                        if (!blocked[p] && !reached[p]) {
                            reached[p] = true;
                            queue.add(p);
                        }
                    }
                }
            }
            float[] shelled = values.clone();
            SparseSdfMesh.keepOuterShell(keys, shelled, keys.length, r, 0f);
            int turned = 0;
            for (int v = 0; v < keys.length; v++) {
                boolean shouldTurn = values[v] >= 0 && !reached[(int) keys[v]];
                assertThat(shelled[v] < 0).as("r %d, point %d", r, keys[v]).isEqualTo(values[v] < 0 || shouldTurn);
                turned += shouldTurn ? 1 : 0;
            }
            if (r >= 63 && wallShare >= 0.6) {
                assertThat(turned).as("walls this dense enclose pockets").isPositive();
            }
        }
    }

    @Test
    void badVoxelsAreRefusedByName() {
        assertThatThrownBy(() -> SparseSdfMesh.extract(new int[] {0, 0, 8}, new float[] {0f}, 8, 0f))
                .hasMessageContaining("voxel 0 at (0, 0, 8) is outside the 8³ grid");
        assertThatThrownBy(() -> SparseSdfMesh.extract(new int[] {1, 2, 3, 1, 2, 3}, new float[] {0f, 1f}, 8, 0f))
                .hasMessageContaining("repeats the coordinates");
        assertThatThrownBy(() -> SparseSdfMesh.extract(new int[] {1, 2}, new float[] {0f}, 8, 0f))
                .hasMessageContaining("1 values");
    }
}
