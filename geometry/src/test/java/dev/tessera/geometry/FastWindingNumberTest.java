package dev.tessera.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fast winding number against exact solid-angle sums and closed forms. At the default β = 2 the far-field
 * expansions are coarse (errors up to a few hundredths of a turn within a node's radius of the surface, see
 * {@code docs/geometry.md}), so exact comparisons use β = 6 and the default is held to {@link #COARSE}.
 */
class FastWindingNumberTest {
    /** Error allowed at the default accuracy (β = 2, order 2). */
    static final double COARSE = 0.06;
    /** Error allowed at β = 6. */
    static final double FINE = 5e-3;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void closedSphereIsOneInsideZeroOutsideAndMatchesTheExactSum(long seed) {
        TriangleMesh sphere = DistanceFixtures.icosphere(1, 3);
        FastWindingNumber fwn = FastWindingNumber.build(sphere);
        FastWindingNumber fine = FastWindingNumber.build(sphere, Bvh.build(sphere), 2, 6);
        assertThat(fwn.isClosed()).isTrue();
        assertThat(fwn.boundaryLength()).isZero();
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 300; i++) {
            double x = r.nextDouble(-2, 2), y = r.nextDouble(-2, 2), z = r.nextDouble(-2, 2);
            double rad = Math.sqrt(x * x + y * y + z * z);
            double w = fwn.windingNumber(x, y, z);
            double exact = DistanceFixtures.referenceWinding(x, y, z, sphere);
            assertThat(w).isCloseTo(exact, within(COARSE));
            assertThat(fine.windingNumber(x, y, z)).isCloseTo(exact, within(FINE));
            if (rad < 0.95) {
                assertThat(w).isCloseTo(1, within(COARSE));
                assertThat(exact).isCloseTo(1, within(1e-9));
            } else if (rad > 1.05) {
                assertThat(w).isCloseTo(0, within(COARSE));
                assertThat(exact).isCloseTo(0, within(1e-9));
            }
        }
    }

    @Test
    void torusIsOneInTheTubeAndZeroInTheHole() {
        TriangleMesh torus = TestSolids.torusAboutZ(1, 0.3, 48, 24, 0);
        FastWindingNumber fwn = FastWindingNumber.build(torus);
        assertThat(fwn.isClosed()).isTrue();
        assertThat(fwn.windingNumber(1, 0, 0)).isCloseTo(1, within(COARSE));
        assertThat(fwn.windingNumber(0, -1, 0.1)).isCloseTo(1, within(COARSE));
        assertThat(fwn.windingNumber(0, 0, 0)).isCloseTo(0, within(COARSE)); // the hole
        assertThat(fwn.windingNumber(0, 0, 0.5)).isCloseTo(0, within(COARSE));
        assertThat(fwn.windingNumber(2, 2, 0)).isCloseTo(0, within(COARSE));
        // and it is the surface's own: the exact sum agrees everywhere
        FastWindingNumber fine = FastWindingNumber.build(torus, Bvh.build(torus), 2, 6);
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 100; i++) {
            double x = r.nextDouble(-1.5, 1.5), y = r.nextDouble(-1.5, 1.5), z = r.nextDouble(-0.5, 0.5);
            double exact = DistanceFixtures.referenceWinding(x, y, z, torus);
            assertThat(fwn.windingNumber(x, y, z)).isCloseTo(exact, within(COARSE));
            assertThat(fine.windingNumber(x, y, z)).isCloseTo(exact, within(FINE));
        }
    }

    /**
     * The cube {@code [-1, 1]³} without its top face. On the axis, inside, the winding number is the closed cube's 1
     * minus the missing face's solid angle over 4π; a square of half-side 1 seen from distance {@code d} on its axis
     * subtends {@code 4 asin(1 / (1 + d²))}. So {@code w(0, 0, z) = 1 − asin(1 / (1 + (1 − z)²)) / π} for
     * {@code −1 < z ≤ 1}, {@code asin(1 / (1 + (z − 1)²)) / π} above the opening and
     * {@code −asin(1 / (1 + (1 − z)²)) / π} below the bottom; exactly ½ across the whole opening.
     */
    @Test
    void openBoxIsOneHalfOnItsOpeningAndFollowsTheClosedForm() {
        TriangleMesh open = DistanceFixtures.box(1, 1, 1, 6, true);
        FastWindingNumber fwn = FastWindingNumber.build(open, Bvh.build(open), 2, 6);
        assertThat(fwn.isClosed()).isFalse();
        assertThat(fwn.boundaryLength()).isCloseTo(8, within(1e-5));
        assertThat(fwn.boundaryEdgeCount()).isEqualTo(24);
        for (double[] p : new double[][] {{0, 0, 1}, {0.5, -0.3, 1}, {-0.9, 0.9, 1}, {0.1, 0.7, 1}}) {
            assertThat(fwn.windingNumber(p[0], p[1], p[2])).isCloseTo(0.5, within(FINE));
            assertThat(DistanceFixtures.referenceWinding(p[0], p[1], p[2], open))
                    .isCloseTo(0.5, within(1e-9));
        }
        for (double z = -3; z <= 3; z += 0.125) {
            if (Math.abs(z + 1) < 1e-9) {
                continue; // on the bottom face
            }
            double expected;
            if (z > 1) {
                expected = Math.asin(1 / (1 + (z - 1) * (z - 1))) / Math.PI;
            } else if (z > -1) {
                expected = 1 - Math.asin(1 / (1 + (1 - z) * (1 - z))) / Math.PI;
            } else {
                expected = -Math.asin(1 / (1 + (1 - z) * (1 - z))) / Math.PI;
            }
            assertThat(DistanceFixtures.referenceWinding(0, 0, z, open))
                    .as("z = %s", z)
                    .isCloseTo(expected, within(1e-9));
            assertThat(fwn.windingNumber(0, 0, z)).as("z = %s", z).isCloseTo(expected, within(FINE));
        }
    }

    @Test
    void duplicatedFlippedAndOverlappingFacesKeepTheInsideTest() {
        TriangleMesh sphere = DistanceFixtures.icosphere(1, 3);
        int f = sphere.triangleCount();
        float[] p = sphere.positions();
        int[] t = sphere.triangles();
        // every face twice: w = 2 inside, still ≥ ½
        int[] twice = new int[2 * t.length];
        System.arraycopy(t, 0, twice, 0, t.length);
        System.arraycopy(t, 0, twice, t.length, t.length);
        FastWindingNumber doubled = FastWindingNumber.build(new TriangleMesh(p, twice));
        assertThat(doubled.windingNumber(0.1, 0.2, 0.3)).isCloseTo(2, within(2 * COARSE));
        assertThat(doubled.windingNumber(1.5, 0.2, 0.3)).isCloseTo(0, within(2 * COARSE));
        // a tenth of the faces duplicated (non-manifold edges): the sign far from those faces is unchanged
        int extra = f / 10;
        int[] some = java.util.Arrays.copyOf(t, t.length + 3 * extra);
        System.arraycopy(t, 0, some, t.length, 3 * extra);
        FastWindingNumber dup = FastWindingNumber.build(new TriangleMesh(p, some));
        assertThat(dup.isClosed()).isFalse();
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 200; i++) {
            double x = r.nextDouble(-2, 2), y = r.nextDouble(-2, 2), z = r.nextDouble(-2, 2);
            double rad = Math.sqrt(x * x + y * y + z * z);
            if (rad < 0.8) {
                assertThat(dup.windingNumber(x, y, z)).isGreaterThanOrEqualTo(0.5);
            } else if (rad > 1.25) {
                assertThat(dup.windingNumber(x, y, z)).isLessThan(0.5);
            }
        }
        // each face also present flipped: the pairs cancel exactly, leaving the sphere
        int[] flipped = java.util.Arrays.copyOf(t, t.length + 3 * extra);
        for (int i = 0; i < extra; i++) {
            flipped[t.length + 3 * i] = t[3 * i];
            flipped[t.length + 3 * i + 1] = t[3 * i + 2];
            flipped[t.length + 3 * i + 2] = t[3 * i + 1];
        }
        TriangleMesh withFlipped = new TriangleMesh(p, flipped);
        FastWindingNumber fl = FastWindingNumber.build(withFlipped);
        assertThat(fl.windingNumber(0.2, 0.1, 0)).isCloseTo(1, within(COARSE));
        assertThat(fl.windingNumber(0.2, 1.4, 0)).isCloseTo(0, within(COARSE));
        // two overlapping spheres as one soup: the union is inside
        TriangleMesh a = DistanceFixtures.icosphere(1, 3);
        float[] pb = a.positions();
        for (int i = 0; i < pb.length; i += 3) {
            pb[i] += 1.2f;
        }
        int v = a.vertexCount();
        float[] both = java.util.Arrays.copyOf(a.positions(), 2 * pb.length);
        System.arraycopy(pb, 0, both, pb.length, pb.length);
        int[] tb = java.util.Arrays.copyOf(t, 2 * t.length);
        for (int i = 0; i < t.length; i++) {
            tb[t.length + i] = t[i] + v;
        }
        FastWindingNumber union = FastWindingNumber.build(new TriangleMesh(both, tb));
        assertThat(union.windingNumber(0.6, 0, 0)).isCloseTo(2, within(2 * COARSE));
        assertThat(union.windingNumber(-0.5, 0, 0)).isCloseTo(1, within(2 * COARSE));
        assertThat(union.windingNumber(1.8, 0, 0)).isCloseTo(1, within(2 * COARSE));
        assertThat(union.windingNumber(0.6, 1.5, 0)).isCloseTo(0, within(2 * COARSE));
    }

    @Test
    void holesDoNotFlipTheInside() {
        TriangleMesh sphere = DistanceFixtures.icosphere(1, 3);
        int[] t = sphere.triangles();
        // drop every 7th face: dozens of holes
        int[] kept = new int[t.length];
        int w = 0;
        for (int i = 0; i < t.length / 3; i++) {
            if (i % 7 != 0) {
                System.arraycopy(t, 3 * i, kept, w, 3);
                w += 3;
            }
        }
        TriangleMesh holey = new TriangleMesh(sphere.positions(), java.util.Arrays.copyOf(kept, w));
        FastWindingNumber fwn = FastWindingNumber.build(holey);
        assertThat(fwn.isClosed()).isFalse();
        // about 6/7 of the sphere is left around the centre
        assertThat(DistanceFixtures.referenceWinding(0, 0, 0, holey)).isBetween(0.8, 0.9);
        assertThat(fwn.windingNumber(0, 0, 0))
                .isCloseTo(DistanceFixtures.referenceWinding(0, 0, 0, holey), within(COARSE));
        assertThat(fwn.windingNumber(0.3, -0.4, 0.2)).isGreaterThan(0.5);
        assertThat(fwn.windingNumber(1.6, 0, 0)).isLessThan(0.2);
    }

    @Test
    void batchMatchesSingleAndOrderOneIsCloseToo() {
        TriangleMesh torus = TestSolids.torusAboutZ(1, 0.3, 32, 16, 0);
        FastWindingNumber two = FastWindingNumber.build(torus);
        FastWindingNumber one = FastWindingNumber.build(torus, Bvh.build(torus), 1, 2);
        FastWindingNumber precise = FastWindingNumber.build(torus, Bvh.build(torus), 2, 6);
        float[] q = DistanceFixtures.points(2000, 1.5, 8);
        float[] batch = two.windingNumbers(q);
        double err1 = 0, err2 = 0;
        for (int i = 0; i < 2000; i++) {
            double ref = DistanceFixtures.referenceWinding(q[3 * i], q[3 * i + 1], q[3 * i + 2], torus);
            assertThat((double) batch[i])
                    .isCloseTo(two.windingNumber(q[3 * i], q[3 * i + 1], q[3 * i + 2]), within(1e-6));
            err1 = Math.max(err1, Math.abs(one.windingNumber(q[3 * i], q[3 * i + 1], q[3 * i + 2]) - ref));
            err2 = Math.max(err2, Math.abs(two.windingNumber(q[3 * i], q[3 * i + 1], q[3 * i + 2]) - ref));
            assertThat(precise.windingNumber(q[3 * i], q[3 * i + 1], q[3 * i + 2]))
                    .isCloseTo(ref, within(FINE));
        }
        assertThat(err2).isLessThan(COARSE);
        assertThat(err1).isLessThan(2 * COARSE);
    }

    @Test
    void badParametersAreRejected() {
        TriangleMesh sphere = DistanceFixtures.icosphere(1, 1);
        Bvh bvh = Bvh.build(sphere);
        assertThatThrownBy(() -> FastWindingNumber.build(sphere, bvh, 3, 2)).hasMessageContaining("order");
        assertThatThrownBy(() -> FastWindingNumber.build(sphere, bvh, 2, 0.5)).hasMessageContaining("beta");
        assertThatThrownBy(() -> FastWindingNumber.build(DistanceFixtures.icosphere(1, 2), bvh, 2, 2))
                .hasMessageContaining("same mesh");
    }
}
