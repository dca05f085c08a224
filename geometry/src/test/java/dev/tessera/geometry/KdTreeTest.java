package dev.tessera.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KdTreeTest {

    /** Brute force: index of the nearest point, lowest index on ties, and the distance. */
    static double[] brute(float[] p, double x, double y, double z) {
        double best = Double.POSITIVE_INFINITY;
        int bi = -1;
        for (int i = 0; i < p.length / 3; i++) {
            double dx = p[3 * i] - x, dy = p[3 * i + 1] - y, dz = p[3 * i + 2] - z;
            double d = dx * dx + dy * dy + dz * dz;
            if (d < best) {
                best = d;
                bi = i;
            }
        }
        return new double[] {bi, Math.sqrt(best)};
    }

    @ParameterizedTest(name = "n={0} leaf={1} lattice={2}")
    @CsvSource({
        "1, 16, false",
        "7, 1, false",
        "1000, 16, false",
        "20000, 4, false",
        "5000, 1000, false",
        "3000, 16, true",
        "3000, 1, true"
    })
    void nearestMatchesBruteForce(int n, int leaf, boolean lattice) {
        SplittableRandom r = new SplittableRandom(n + leaf);
        float[] p = lattice ? FarthestPointSamplerTest.lattice(n, 5, 5) : FarthestPointSamplerTest.uniform(n, 5);
        KdTree t = KdTree.build(p, leaf);
        int q = 2000;
        float[] queries = new float[3 * q];
        for (int i = 0; i < queries.length; i++) {
            queries[i] = lattice ? r.nextInt(-1, 6) * 0.25f : (float) r.nextDouble(-1.5, 1.5);
        }
        KdTree.Neighbors batch = t.nearest(queries);
        int wrong = 0;
        for (int i = 0; i < q; i++) {
            double[] b = brute(p, queries[3 * i], queries[3 * i + 1], queries[3 * i + 2]);
            int single = t.nearest(queries[3 * i], queries[3 * i + 1], queries[3 * i + 2]);
            wrong += single != (int) b[0] || batch.indices()[i] != (int) b[0] ? 1 : 0;
            wrong += Math.abs(batch.distances()[i] - b[1]) > 1e-6 ? 1 : 0;
        }
        assertThat(wrong).isZero();
        assertThat(t.size()).isEqualTo(n);
    }

    @org.junit.jupiter.api.Test
    void badInputIsRefusedClearly() {
        assertThatThrownBy(() -> KdTree.build(new float[0]))
                .isInstanceOf(InvalidMeshException.class)
                .hasMessageContaining("no points");
        assertThatThrownBy(() -> KdTree.build(new float[4])).hasMessageContaining("not a multiple of 3");
        assertThatThrownBy(() -> KdTree.build(new float[] {0, 0, Float.POSITIVE_INFINITY}))
                .hasMessageContaining("point 0 has a non-finite coordinate");
        assertThatThrownBy(() -> KdTree.build(new float[3], 0)).hasMessageContaining("leaf size must be ≥ 1");
        KdTree t = KdTree.build(new float[] {0, 0, 0, 1, 1, 1});
        assertThatThrownBy(() -> t.nearest(new float[] {Float.NaN, 0, 0}))
                .hasMessageContaining("point 0 has a non-finite coordinate");
    }
}
