package dev.tessera.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FarthestPointSamplerTest {

    static float[] uniform(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = new float[3 * n];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) r.nextDouble(-1, 1);
        }
        return p;
    }

    /** Points on a coarse lattice: many exact duplicates and many equal distances (ties). */
    static float[] lattice(int n, long seed, int levels) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = new float[3 * n];
        for (int i = 0; i < p.length; i++) {
            p[i] = r.nextInt(levels) * 0.25f;
        }
        return p;
    }

    /** Points clustered around a few centres with very different spreads. */
    static float[] clustered(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = new float[3 * n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(5);
            double s = Math.pow(10, -c);
            for (int a = 0; a < 3; a++) {
                p[3 * i + a] = (float) (c * 0.3 + s * r.nextGaussian());
            }
        }
        return p;
    }

    static Stream<Arguments> clouds() {
        return Stream.of(
                Arguments.of("uniform", 1, 1L, 1),
                Arguments.of("uniform", 2, 2L, 2),
                Arguments.of("uniform", 10, 3L, 10),
                Arguments.of("uniform", 1000, 4L, 200),
                Arguments.of("uniform", 5000, 5L, 5000),
                Arguments.of("uniform", 80_000, 6L, 300),
                Arguments.of("uniform", 80_000, 7L, 301),
                Arguments.of("lattice", 3000, 8L, 3000),
                Arguments.of("lattice", 70_000, 9L, 500),
                Arguments.of("lattice2", 500, 10L, 500),
                Arguments.of("clustered", 20_000, 11L, 700),
                Arguments.of("clustered", 70_000, 12L, 256));
    }

    static float[] cloud(String kind, int n, long seed) {
        return switch (kind) {
            case "uniform" -> uniform(n, seed);
            case "lattice" -> lattice(n, seed, 9);
            case "lattice2" -> lattice(n, seed, 2); // only 8 distinct points
            default -> clustered(n, seed);
        };
    }

    @ParameterizedTest(name = "{0} n={1} seed={2} k={3}")
    @MethodSource("clouds")
    void equalsTheNaiveLoopForEveryThreadCount(String kind, int n, long seed, int k) {
        float[] p = cloud(kind, n, seed);
        int start = new SplittableRandom(seed).nextInt(n);
        int[] expected = FarthestPointSampler.reference(p, k, start);
        for (int threads : new int[] {1, 2, 4}) {
            assertThat(FarthestPointSampler.sample(p, k, start, threads))
                    .as("threads=%d", threads)
                    .containsExactly(expected);
        }
    }

    @Test
    void duplicatesAreTakenOnceAndLast() {
        // 4 distinct points, each 3 times: after the 4 distinct ones, the duplicates in index order.
        float[] p = new float[3 * 12];
        for (int i = 0; i < 12; i++) {
            p[3 * i] = i % 4;
        }
        int[] s = FarthestPointSampler.sample(p, 12, 0);
        assertThat(s).containsExactly(0, 3, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11);
        assertThat(s).doesNotHaveDuplicates();
    }

    @Test
    void randomStartIsSeeded() {
        float[] p = uniform(2000, 1);
        assertThat(FarthestPointSampler.sampleRandomStart(p, 50, 42))
                .containsExactly(FarthestPointSampler.sampleRandomStart(p, 50, 42));
        assertThat(FarthestPointSampler.sampleRandomStart(p, 1, 42)[0])
                .isEqualTo(new SplittableRandom(42).nextInt(2000));
    }

    @Test
    void badInputIsRefusedClearly() {
        float[] p = uniform(10, 1);
        assertThatThrownBy(() -> FarthestPointSampler.sample(p, 11, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("k = 11 is more than the 10 points");
        assertThatThrownBy(() -> FarthestPointSampler.sample(p, 0, 0)).hasMessageContaining("k must be ≥ 1");
        assertThatThrownBy(() -> FarthestPointSampler.sample(p, -3, 0)).hasMessageContaining("k must be ≥ 1");
        assertThatThrownBy(() -> FarthestPointSampler.sample(p, 3, 10)).hasMessageContaining("start index 10");
        assertThatThrownBy(() -> FarthestPointSampler.sample(new float[0], 1, 0))
                .isInstanceOf(InvalidMeshException.class)
                .hasMessageContaining("no points");
        float[] nan = p.clone();
        nan[7] = Float.NaN;
        assertThatThrownBy(() -> FarthestPointSampler.sample(nan, 3, 0))
                .isInstanceOf(InvalidMeshException.class)
                .hasMessageContaining("point 2 has a non-finite coordinate");
    }
}
