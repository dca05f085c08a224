package dev.tessera.model.vecset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The spin augmentation on a box whose signed distance is known in closed form. */
class SpinAugmentationTest {
    static final double HX = 0.9, HY = 0.5, HZ = 0.3;

    /** The exact signed distance of the box {@code [−HX, HX] × [−HY, HY] × [−HZ, HZ]}. */
    static double boxSdf(double x, double y, double z) {
        double qx = Math.abs(x) - HX, qy = Math.abs(y) - HY, qz = Math.abs(z) - HZ;
        double outside = Math.sqrt(sq(Math.max(qx, 0)) + sq(Math.max(qy, 0)) + sq(Math.max(qz, 0)));
        return outside + Math.min(Math.max(qx, Math.max(qy, qz)), 0);
    }

    /** {@code n} rows of xyz + outward normal on the box's faces, with the 8 corners among them. */
    static float[] boxSurface(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] rows = new float[6 * n];
        for (int i = 0; i < n; i++) {
            double[] p = {HX * (2 * r.nextDouble() - 1), HY * (2 * r.nextDouble() - 1), HZ * (2 * r.nextDouble() - 1)};
            double[] h = {HX, HY, HZ};
            int axis = i < 8 ? 0 : r.nextInt(3);
            double side = i < 8 ? ((i & 1) == 0 ? -1 : 1) : (r.nextBoolean() ? 1 : -1);
            if (i < 8) { // a corner
                p[0] = side * HX;
                p[1] = ((i & 2) == 0 ? -1 : 1) * HY;
                p[2] = ((i & 4) == 0 ? -1 : 1) * HZ;
            } else {
                p[axis] = side * h[axis];
            }
            for (int k = 0; k < 3; k++) {
                rows[6 * i + k] = (float) p[k];
            }
            rows[6 * i + 3 + axis] = (float) side;
        }
        return rows;
    }

    @Test
    void labelsStayExactAndTheShapeKeepsItsBox() {
        float[] surface = boxSurface(4000, 1);
        SplittableRandom r = new SplittableRandom(2);
        int m = 2000;
        float[] xyz = new float[3 * m], sdf = new float[m];
        for (int j = 0; j < m; j++) {
            for (int k = 0; k < 3; k++) {
                xyz[3 * j + k] = (float) (2 * r.nextDouble() - 1);
            }
            sdf[j] = (float) boxSdf(xyz[3 * j], xyz[3 * j + 1], xyz[3 * j + 2]);
        }
        for (boolean mirror : new boolean[] {false, true}) {
            double angle = Math.PI / 5;
            SpinAugmentation t = SpinAugmentation.fit(angle, mirror, 6, surface);
            // turned by 36°, the footprint's half-sides are HX |cos| + HZ |sin| and HX |sin| + HZ |cos| (the corners
            // are among the points): the scale brings the longest back to HX
            double c = Math.abs(Math.cos(angle)), sn = Math.abs(Math.sin(angle));
            double longest = Math.max(HY, Math.max(HX * c + HZ * sn, HX * sn + HZ * c));
            assertThat(t.scale()).isCloseTo(HX / longest, within(1e-6));
            float[] s = surface.clone(), q = xyz.clone(), d = sdf.clone();
            t.applyToRows(s, 6);
            t.applyToQueries(q, d, 0, m);
            for (int j = 0; j < m; j++) {
                double[] back = t.inverse(q[3 * j], q[3 * j + 1], q[3 * j + 2]);
                assertThat(back[0]).isCloseTo(xyz[3 * j], within(1e-5));
                assertThat(back[2]).isCloseTo(xyz[3 * j + 2], within(1e-5));
                // the label is the exact distance to the transformed box
                assertThat((double) d[j]).isCloseTo(t.scale() * boxSdf(back[0], back[1], back[2]), within(1e-5));
            }
            double[] lo = {9, 9, 9}, hi = {-9, -9, -9};
            for (int i = 0; i < 4000; i++) {
                double nx = s[6 * i + 3], ny = s[6 * i + 4], nz = s[6 * i + 5];
                assertThat(Math.sqrt(nx * nx + ny * ny + nz * nz)).isCloseTo(1, within(1e-6));
                double[] o = t.inverse(s[6 * i], s[6 * i + 1], s[6 * i + 2]);
                assertThat(boxSdf(o[0], o[1], o[2])).isCloseTo(0, within(1e-5));
                // the normal is perpendicular to the turned face: a step along it leaves the box by that much
                double e = 0.01;
                double[] out = t.inverse(s[6 * i] + e * nx, s[6 * i + 1] + e * ny, s[6 * i + 2] + e * nz);
                if (i >= 8) {
                    assertThat(t.scale() * boxSdf(out[0], out[1], out[2])).isCloseTo(e, within(1e-5));
                }
                for (int k = 0; k < 3; k++) {
                    lo[k] = Math.min(lo[k], s[6 * i + k]);
                    hi[k] = Math.max(hi[k], s[6 * i + k]);
                }
            }
            // centred, and as long on its longest side as before
            for (int k = 0; k < 3; k++) {
                assertThat(lo[k] + hi[k]).isCloseTo(0, within(1e-5));
            }
            assertThat(Math.max(hi[0], Math.max(hi[1], hi[2]))).isCloseTo(HX, within(1e-5));
            assertThat(hi[1]).as("the up axis is not turned").isCloseTo(HY * t.scale(), within(1e-5));
        }
    }

    @Test
    void noTurnAndNoMirrorChangesNothing() {
        float[] surface = boxSurface(500, 3);
        SpinAugmentation t = SpinAugmentation.fit(0, false, 6, surface);
        assertThat(t.scale()).isCloseTo(1, within(1e-9));
        float[] s = surface.clone();
        t.applyToRows(s, 6);
        for (int i = 0; i < s.length; i++) {
            assertThat(s[i]).isCloseTo(surface[i], within(1e-6f));
        }
    }

    @Test
    void drawsAreSeededAndCoverTurnsAndMirrors() {
        float[] surface = boxSurface(200, 4);
        int mirrored = 0;
        double lo = 9, hi = -9;
        for (int i = 0; i < 200; i++) {
            SpinAugmentation a = SpinAugmentation.draw(new SplittableRandom(i), 6, surface);
            assertThat(SpinAugmentation.draw(new SplittableRandom(i), 6, surface))
                    .isEqualTo(a);
            mirrored += a.mirror() ? 1 : 0;
            lo = Math.min(lo, a.angle());
            hi = Math.max(hi, a.angle());
        }
        assertThat(mirrored).isBetween(70, 130);
        assertThat(lo).isLessThan(-2.8);
        assertThat(hi).isGreaterThan(2.8);
    }

    /** A run saved before the option existed resumes unspun, as it was trained. */
    @Test
    void settingsSavedWithoutTheOptionReadAsUnspun() throws Exception {
        var json = dev.tessera.model.Checkpoint.JSON;
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(
                json.writeValueAsBytes(VecsetTrainSettings.defaults().withSpin(true)));
        assertThat(tree.get("augment_spin").asBoolean()).isTrue();
        tree.remove("augment_spin");
        VecsetTrainSettings old = json.treeToValue(tree, VecsetTrainSettings.class);
        assertThat(old).isEqualTo(VecsetTrainSettings.defaults());
        assertThat(old.spin()).isFalse();
    }

    private static double sq(double a) {
        return a * a;
    }
}
