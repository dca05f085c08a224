package dev.tessera.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MeshDistanceTest {

    /** How far the faces of an icosphere dip below the sphere: 1 minus the smallest distance from a face to 0. */
    static double sag(TriangleMesh sphere, double radius) {
        MeshDistance md = MeshDistance.of(sphere);
        return radius - md.unsigned(0, 0, 0);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void sphereSdfAgreesWithTheAnalyticOneWithinTheMeshError(long seed) {
        TriangleMesh sphere = DistanceFixtures.icosphere(1, 4); // 5120 faces
        MeshDistance md = MeshDistance.of(sphere);
        double eps = sag(sphere, 1);
        assertThat(eps).isBetween(1e-4, 2e-3);
        float[] q = DistanceFixtures.points(4000, 1.6, seed);
        float[] sd = md.signed(q);
        for (int i = 0; i < 4000; i++) {
            double x = q[3 * i], y = q[3 * i + 1], z = q[3 * i + 2];
            double analytic = Math.sqrt(x * x + y * y + z * z) - 1;
            assertThat((double) sd[i]).isCloseTo(analytic, within(eps + 1e-5));
            assertThat(md.signed(x, y, z)).isCloseTo(sd[i], within(1e-5));
        }
    }

    @Test
    void boxSdfIsTheAnalyticBoxSdf() {
        double hx = 0.8, hy = 0.5, hz = 0.3;
        TriangleMesh box = DistanceFixtures.box(hx, hy, hz, 5, false);
        MeshDistance md = MeshDistance.of(box);
        float[] q = DistanceFixtures.points(5000, 1.2, 4);
        float[] sd = md.signed(q);
        for (int i = 0; i < 5000; i++) {
            double x = q[3 * i], y = q[3 * i + 1], z = q[3 * i + 2];
            double qx = Math.abs(x) - hx, qy = Math.abs(y) - hy, qz = Math.abs(z) - hz;
            double outside = Math.sqrt(sq(Math.max(qx, 0)) + sq(Math.max(qy, 0)) + sq(Math.max(qz, 0)));
            double analytic = outside + Math.min(Math.max(qx, Math.max(qy, qz)), 0);
            assertThat((double) sd[i]).isCloseTo(analytic, within(2e-6));
        }
    }

    @Test
    void batchSignsEqualPointByPointWindingSigns() {
        // an open box: the sign shortcut must respect the film across the opening
        TriangleMesh open = DistanceFixtures.box(1, 1, 1, 4, true);
        MeshDistance md = MeshDistance.of(open);
        float[] q = DistanceFixtures.points(20000, 2, 7);
        float[] sd = md.signed(q);
        float[] w = md.windingNumber(q);
        float[] ud = md.unsigned(q);
        for (int i = 0; i < 20000; i++) {
            assertThat(Math.abs(sd[i])).isEqualTo(ud[i]);
            if (Math.abs(w[i] - 0.5) > 1e-3) {
                assertThat(sd[i] < 0).as("point %d, w = %s", i, w[i]).isEqualTo(w[i] >= 0.5);
            }
        }
    }

    @Test
    void unsignedAtPointsMatchesBruteForce() {
        TriangleMesh torus = TestSolids.torusAboutZ(1, 0.3, 24, 12, 0);
        MeshDistance md = MeshDistance.of(torus);
        float[] q = DistanceFixtures.points(500, 1.6, 3);
        float[] d = md.unsigned(q);
        for (int i = 0; i < 500; i++) {
            double ref = DistanceFixtures.referenceDistance(q[3 * i], q[3 * i + 1], q[3 * i + 2], torus);
            assertThat((double) d[i]).isCloseTo(ref, within(1e-5));
        }
    }

    /**
     * The grid against a point-by-point evaluation at every grid point: equal (to float rounding) within the band,
     * never below and within a quarter of a spacing elsewhere (nine points in ten within a hundredth), and the signs
     * those of the winding number.
     */
    @ParameterizedTest
    @ValueSource(strings = {"torus", "open box", "soup"})
    void gridsEqualPointQueries(String shape) {
        TriangleMesh mesh = switch (shape) {
            case "torus" -> TestSolids.torusAboutZ(0.6, 0.2, 32, 16, 0);
            case "open box" -> DistanceFixtures.box(0.6, 0.5, 0.4, 4, true);
            default -> DistanceFixtures.soup(60, 11, 0.25);
        };
        MeshDistance md = MeshDistance.of(mesh);
        int r = 37;
        Aabb box = new Aabb(-1, -0.9, -0.8, 1.1, 1, 0.9);
        DenseGrid ug = md.unsignedGrid(box, r);
        DenseGrid sg = md.signedGrid(box, r);
        double h = Math.max(ug.spacingX(), Math.max(ug.spacingY(), ug.spacingZ()));
        float[] pts = points(ug);
        float[] exact = md.unsigned(pts);
        float[] w = md.windingNumber(pts);
        int off = 0;
        for (int n = 0; n < exact.length; n++) {
            float g = ug.get(n);
            assertThat(Math.abs(sg.get(n))).isEqualTo(g);
            assertThat(g).isGreaterThanOrEqualTo(exact[n] - 1e-6f);
            if (exact[n] <= MeshDistance.BAND_CELLS * h) {
                assertThat(g).as("band point %d", n).isCloseTo(exact[n], within(1e-6f));
            } else {
                assertThat((double) g).as("far point %d", n).isCloseTo(exact[n], within(0.25 * h));
                off += g > exact[n] + 0.01 * h ? 1 : 0;
            }
            if (Math.abs(w[n] - 0.5) > WindingSignFill.MARGIN) {
                assertThat(sg.get(n) < 0).as("sign at %d, w = %s", n, w[n]).isEqualTo(w[n] >= 0.5);
            }
        }
        assertThat(off).isLessThan(exact.length / 10);
    }

    /**
     * A mesh much finer than the grid (81 920 faces, 37³ points: each band point lies in the grown boxes of hundreds
     * of triangles) takes its band from tree queries at the points the triangles mark: every point within the band
     * must still be exact, and every other point of the band grid +∞.
     */
    @Test
    void bandFoundByTreeQueriesIsExact() {
        TriangleMesh sphere = DistanceFixtures.icosphere(0.7, 6);
        MeshDistance md = MeshDistance.of(sphere);
        int r = 37;
        Aabb box = new Aabb(-1, -0.9, -0.8, 1.1, 1, 0.9);
        DenseGrid band = md.unsignedBand(box, r, MeshDistance.BAND_CELLS);
        double h = Math.max(band.spacingX(), Math.max(band.spacingY(), band.spacingZ()));
        float[] pts = points(band);
        float[] exact = md.unsigned(pts);
        int inBand = 0;
        for (int n = 0; n < exact.length; n++) {
            if (exact[n] <= MeshDistance.BAND_CELLS * h * (1 - 1e-6)) {
                inBand++;
                assertThat(band.get(n)).as("band point %d", n).isCloseTo(exact[n], within(1e-6f));
            } else if (exact[n] > MeshDistance.BAND_CELLS * h * (1 + 1e-6)) {
                assertThat(band.get(n)).as("point %d outside the band", n).isEqualTo(Float.POSITIVE_INFINITY);
            }
        }
        assertThat(inBand).isGreaterThan(5000);
    }

    /** The grid's points as {@code [x, y, z, …]} in its index order. */
    private static float[] points(DenseGrid g) {
        int nx = g.nx(), ny = g.ny(), nz = g.nz();
        float[] pts = new float[3 * nx * ny * nz];
        for (int i = 0; i < nx; i++) {
            for (int j = 0; j < ny; j++) {
                for (int k = 0; k < nz; k++) {
                    int o = 3 * ((i * ny + j) * nz + k);
                    pts[o] = (float) g.x(i);
                    pts[o + 1] = (float) g.y(j);
                    pts[o + 2] = (float) g.z(k);
                }
            }
        }
        return pts;
    }

    @Test
    void gridWhoseBoxCutsTheMeshIsStillExactNearTheFaces() {
        TriangleMesh sphere = DistanceFixtures.icosphere(1, 3);
        MeshDistance md = MeshDistance.of(sphere);
        Aabb box = new Aabb(-0.3, -0.3, -0.3, 0.3, 0.3, 1.5); // the sphere reaches far outside
        DenseGrid g = md.unsignedGrid(box, 20);
        for (int i = 0; i < 20; i++) {
            for (int j = 0; j < 20; j++) {
                for (int k = 0; k < 20; k++) {
                    double e = md.unsigned(g.x(i), g.y(j), g.z(k));
                    assertThat((double) g.get(i, j, k)).isCloseTo(e, within(0.25 * g.spacingZ() + 1e-6));
                }
            }
        }
    }

    @Test
    void absurdGridsAreRefusedBeforeAllocating() {
        MeshDistance md = MeshDistance.of(DistanceFixtures.icosphere(1, 1));
        assertThatThrownBy(() -> md.unsignedGrid(Aabb.cube(1), 1)).hasMessageContaining("at least 2");
        assertThatThrownBy(() -> md.signedGrid(Aabb.cube(1), 100_000)).hasMessageContaining("maximum");
        long heap = Runtime.getRuntime().maxMemory();
        int tooBig = (int) Math.min(MeshDistance.MAX_RESOLUTION, Math.cbrt(heap / 8.0) * 1.3 + 2);
        if (MeshDistance.gridBytes(tooBig) > heap) {
            assertThatThrownBy(() -> md.unsignedGrid(Aabb.cube(1), tooBig))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("MiB of heap")
                    .hasMessageContaining("-Xmx");
        }
        assertThat(MeshDistance.gridBytes(512)).isEqualTo(9L << 27);
    }

    @Test
    void nonFiniteQueriesAreRejected() {
        MeshDistance md = MeshDistance.of(DistanceFixtures.icosphere(1, 1));
        assertThatThrownBy(() -> md.signed(new float[] {0, Float.NaN, 0})).hasMessageContaining("point 0");
        assertThatThrownBy(() -> md.unsigned(Double.POSITIVE_INFINITY, 0, 0)).hasMessageContaining("non-finite");
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() throws Exception {
        TriangleMesh torus = TestSolids.torusAboutZ(1, 0.3, 24, 12, 0);
        MeshDistance md = MeshDistance.of(torus);
        float[] q = DistanceFixtures.points(30000, 1.5, 1);
        float[] a = md.signed(q);
        DenseGrid g = md.signedGrid(Aabb.cube(1.5), 24);
        java.util.concurrent.ForkJoinPool one = new java.util.concurrent.ForkJoinPool(1);
        try {
            float[] b = one.submit(() -> md.signed(q)).get();
            DenseGrid g1 = one.submit(() -> md.signedGrid(Aabb.cube(1.5), 24)).get();
            assertThat(b).isEqualTo(a);
            assertThat(g1.values()).isEqualTo(g.values());
        } finally {
            one.shutdown();
        }
        // a grid with many planes and row chunks per sweep, on 1, 3 and the common pool's threads
        DenseGrid big = md.unsignedGrid(Aabb.cube(1.5), 80);
        for (int threads : new int[] {1, 3}) {
            java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(threads);
            try {
                assertThat(pool.submit(() -> md.unsignedGrid(Aabb.cube(1.5), 80))
                                .get()
                                .values())
                        .as("%d threads", threads)
                        .isEqualTo(big.values());
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void bunnySignsFromTheBatchShortcutMatchDirectWindingNumbers() throws Exception {
        TriangleMesh bunny = DistanceFixtures.bunny();
        MeshDistance md = MeshDistance.of(bunny);
        float[] q = DistanceFixtures.points(20000, 1, 42);
        float[] sd = md.signed(q);
        float[] w = md.windingNumber(q);
        int disagree = 0;
        for (int i = 0; i < w.length; i++) {
            disagree += (sd[i] < 0) != (w[i] >= 0.5) ? 1 : 0;
        }
        assertThat(disagree).isZero();
        SplittableRandom r = new SplittableRandom(2);
        for (int k = 0; k < 50; k++) {
            int i = r.nextInt(20000);
            assertThat((double) Math.abs(sd[i]))
                    .isCloseTo(
                            DistanceFixtures.referenceDistance(q[3 * i], q[3 * i + 1], q[3 * i + 2], bunny),
                            within(1e-5));
        }
    }

    private static double sq(double v) {
        return v * v;
    }
}
