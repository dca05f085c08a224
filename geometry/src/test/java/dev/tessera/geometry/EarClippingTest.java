package dev.tessera.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EarClippingTest {
    /**
     * Random star-shaped polygons (non-convex) placed in a random plane: the triangles cover exactly the polygon's
     * area, all facing the polygon's side.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void starPolygonsInRandomPlanes(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = r.nextInt(4, 40);
        double[] ux = unit(r), vx;
        double[] w = unit(r);
        // v = normalise(w - (w·u)u)
        double d = ux[0] * w[0] + ux[1] * w[1] + ux[2] * w[2];
        vx = normalise(new double[] {w[0] - d * ux[0], w[1] - d * ux[1], w[2] - d * ux[2]});
        double[] normal = {ux[1] * vx[2] - ux[2] * vx[1], ux[2] * vx[0] - ux[0] * vx[2], ux[0] * vx[1] - ux[1] * vx[0]};
        double[] xyz = new double[3 * n];
        double area2d = 0;
        double[] px = new double[n], py = new double[n];
        for (int i = 0; i < n; i++) {
            double a = 2 * Math.PI * i / n;
            double rad = r.nextDouble(0.2, 1.0);
            px[i] = rad * Math.cos(a);
            py[i] = rad * Math.sin(a);
        }
        for (int i = 0; i < n; i++) {
            int j = (i + 1) % n;
            area2d += 0.5 * (px[i] * py[j] - px[j] * py[i]);
            for (int k = 0; k < 3; k++) {
                xyz[3 * i + k] = px[i] * ux[k] + py[i] * vx[k] + 5;
            }
        }
        int[] tri = EarClipping.triangulate(xyz, n);
        assertThat(tri).hasSize(3 * (n - 2));
        double area = 0;
        for (int f = 0; f < n - 2; f++) {
            int a = tri[3 * f], b = tri[3 * f + 1], c = tri[3 * f + 2];
            double[] e1 = new double[3], e2 = new double[3];
            for (int k = 0; k < 3; k++) {
                e1[k] = xyz[3 * b + k] - xyz[3 * a + k];
                e2[k] = xyz[3 * c + k] - xyz[3 * a + k];
            }
            double cx = e1[1] * e2[2] - e1[2] * e2[1], cy = e1[2] * e2[0] - e1[0] * e2[2];
            double cz = e1[0] * e2[1] - e1[1] * e2[0];
            double signed = 0.5 * (cx * normal[0] + cy * normal[1] + cz * normal[2]);
            assertThat(signed).as("triangle %d faces the polygon's side", f).isGreaterThanOrEqualTo(-1e-12);
            area += signed;
        }
        assertThat(area).isCloseTo(area2d, within(1e-9));
    }

    private static double[] unit(SplittableRandom r) {
        return normalise(new double[] {r.nextDouble(-1, 1), r.nextDouble(-1, 1), r.nextDouble(-1, 1)});
    }

    private static double[] normalise(double[] a) {
        double l = Math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
        return new double[] {a[0] / l, a[1] / l, a[2] / l};
    }
}
