package dev.tessera.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

class SurfaceSamplerTest {

    @Test
    void cubeIsCounterClockwise() {
        assertThat(Shapes.cube(1).volume()).isCloseTo(8, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(Shapes.icosphere(3, 1).volume()).isPositive();
    }

    @Test
    void unitSpherePointsLieOnTheSphereWithRadialNormals() {
        TriangleMesh sphere = Shapes.icosphere(6, 1);
        double tol = Shapes.icosphereTolerance(sphere);
        assertThat(tol).isLessThan(1e-3);
        SurfaceSamples s = SurfaceSampler.sample(sphere, 50_000, 7);
        float[] p = s.points(), n = s.normals();
        double minR = 2, maxR = 0, minLen = 2, maxLen = 0, minCos = 1;
        for (int i = 0; i < s.size(); i++) {
            double x = p[3 * i], y = p[3 * i + 1], z = p[3 * i + 2];
            double r = Math.sqrt(x * x + y * y + z * z);
            minR = Math.min(minR, r);
            maxR = Math.max(maxR, r);
            double nn = Math.sqrt(n[3 * i] * n[3 * i] + n[3 * i + 1] * n[3 * i + 1] + n[3 * i + 2] * n[3 * i + 2]);
            minLen = Math.min(minLen, nn);
            maxLen = Math.max(maxLen, nn);
            minCos = Math.min(minCos, (x * n[3 * i] + y * n[3 * i + 1] + z * n[3 * i + 2]) / r);
        }
        assertThat(minR).isGreaterThan(1 - tol - 1e-6);
        assertThat(maxR).isLessThan(1 + 1e-6);
        assertThat(minLen).isGreaterThan(1 - 1e-5);
        assertThat(maxLen).isLessThan(1 + 1e-5);
        assertThat(Math.toDegrees(Math.acos(Math.min(1, minCos))))
                .as("largest angle between a normal and the radial direction, degrees")
                .isLessThan(1);
    }

    @Test
    void pointsAreAreaUniformAndOnTheirFace() {
        // A 2×1×1 box: the two 2×1... faces get area 2 each, the 1×1 faces area 1 each; total area 10.
        TriangleMesh box = Shapes.box(0, 0, 0, 2, 1, 1);
        int n = 200_000;
        SurfaceSamples s = SurfaceSampler.sample(box, n, 3);
        int onX0 = 0;
        boolean wrongFace = false;
        float[] p = s.points();
        for (int i = 0; i < n; i++) {
            int f = s.faces()[i];
            if (p[3 * i] == 0f) {
                onX0++;
                wrongFace |= f > 1;
            }
        }
        assertThat(wrongFace).isFalse();
        assertThat(java.util.Arrays.stream(s.faces()).allMatch(f -> f >= 0 && f < 12))
                .isTrue();
        // x = 0 face: area 1 of 10; binomial standard deviation ≈ 134 points.
        assertThat(onX0).isBetween(n / 10 - 700, n / 10 + 700);
    }

    @Test
    void sameSeedSameResultWhateverTheThreads() throws Exception {
        TriangleMesh sphere = Shapes.icosphere(3, 1);
        SurfaceSamples a = SurfaceSampler.sample(sphere, 100_000, 11);
        SurfaceSamples b = new ForkJoinPool(1)
                .submit(() -> SurfaceSampler.sample(sphere, 100_000, 11))
                .get();
        assertThat(Arrays.equals(b.points(), a.points())).isTrue();
        assertThat(Arrays.equals(b.faces(), a.faces())).isTrue();
        SurfaceSamples c = SurfaceSampler.sample(sphere, 100_000, 12);
        assertThat(Arrays.equals(c.points(), a.points())).isFalse();
        assertThat(SurfaceSampler.sample(sphere, 10, 11, false).faces()).isNull();
    }

    @Test
    void degenerateTrianglesAreNeverPicked() {
        // One real triangle and one of zero area.
        TriangleMesh m =
                new TriangleMesh(new float[] {0, 0, 0, 1, 0, 0, 0, 1, 0, 2, 0, 0}, new int[] {0, 1, 3, 0, 1, 2});
        SurfaceSamples s = SurfaceSampler.sample(m, 1000, 1);
        assertThat(s.faces()).containsOnly(1);
    }

    @Test
    void badInputIsRefusedClearly() {
        TriangleMesh sphere = Shapes.icosphere(1, 1);
        assertThatThrownBy(() -> SurfaceSampler.sample(sphere, 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("point count must be ≥ 1, got 0");
        assertThatThrownBy(() -> SurfaceSampler.sample(sphere, -5, 1)).hasMessageContaining("got -5");
        TriangleMesh flat = new TriangleMesh(new float[] {0, 0, 0, 1, 1, 1, 2, 2, 2}, new int[] {0, 1, 2});
        assertThatThrownBy(() -> SurfaceSampler.sample(flat, 10, 1))
                .isInstanceOf(InvalidMeshException.class)
                .hasMessageContaining("zero or non-finite total area");
        TriangleMesh empty = new TriangleMesh(new float[] {0, 0, 0}, new int[0]);
        assertThatThrownBy(() -> SurfaceSampler.sample(empty, 10, 1))
                .isInstanceOf(InvalidMeshException.class)
                .hasMessageContaining("no triangles");
        assertThatThrownBy(() -> new TriangleMesh(new float[] {0, Float.NaN, 0, 1, 1, 1, 2, 2, 2}, new int[] {0, 1, 2}))
                .isInstanceOf(InvalidMeshException.class)
                .hasMessageContaining("non-finite");
    }
}
