package dev.tessera.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CameraTest {
    private static void assertVec(double[] actual, double x, double y, double z) {
        assertThat(actual[0]).isCloseTo(x, within(1e-12));
        assertThat(actual[1]).isCloseTo(y, within(1e-12));
        assertThat(actual[2]).isCloseTo(z, within(1e-12));
    }

    @Test
    void orbitAxesFollowTheDocumentedConvention() {
        Camera front = Camera.orbit(0, 0, 2, 40);
        assertVec(front.eye(), 0, 0, 2);
        assertVec(front.forward(), 0, 0, -1);
        assertVec(front.right(), 1, 0, 0);
        assertVec(front.up(), 0, 1, 0);
        Camera side = Camera.orbit(90, 0, 2, 40);
        assertVec(side.eye(), 2, 0, 0);
        assertVec(side.right(), 0, 0, -1);
        Camera top = Camera.orbit(0, 90, 2, 40);
        assertVec(top.eye(), 0, 2, 0);
        assertVec(top.forward(), 0, -1, 0);
        assertVec(top.up(), 0, 0, -1); // continuing the orbit over the top: image-up points away from the viewer
        Camera below = Camera.orbit(0, -30, 2, 40);
        assertThat(below.eye()[1]).isNegative();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void basisIsOrthonormalAndRightHanded(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < 50; i++) {
            Camera c = Camera.orbit(
                    rnd.nextDouble(-10, 10),
                    rnd.nextDouble(-10, 10),
                    rnd.nextDouble(-10, 10),
                    rnd.nextDouble(-720, 720),
                    rnd.nextDouble(-90, 90),
                    rnd.nextDouble(0.1, 50),
                    rnd.nextDouble(5, 120));
            double[] r = c.right(), u = c.up(), f = c.forward();
            assertThat(dot(r, r)).isCloseTo(1, within(1e-12));
            assertThat(dot(u, u)).isCloseTo(1, within(1e-12));
            assertThat(dot(r, u)).isCloseTo(0, within(1e-12));
            assertThat(dot(r, f)).isCloseTo(0, within(1e-12));
            // right × up = back = −forward
            double[] b = {r[1] * u[2] - r[2] * u[1], r[2] * u[0] - r[0] * u[2], r[0] * u[1] - r[1] * u[0]};
            assertVec(b, -f[0], -f[1], -f[2]);
        }
    }

    @Test
    void lookAtAgreesWithOrbit() {
        Camera o = Camera.orbit(1, 2, 3, 70, 25, 5, 40);
        double[] e = o.eye();
        Camera l = Camera.lookAt(e[0], e[1], e[2], 1, 2, 3, 0, 1, 0, 40);
        for (int k = 0; k < 3; k++) {
            assertThat(l.right()[k]).isCloseTo(o.right()[k], within(1e-12));
            assertThat(l.up()[k]).isCloseTo(o.up()[k], within(1e-12));
        }
    }

    @Test
    void projectionPutsTheTargetAtTheCentreAndScalesByTheFocalLength() {
        Camera c = Camera.orbit(0, 0, 4, 90);
        double[] p = c.project(0, 0, 0, 200, 100);
        assertThat(p).containsExactly(new double[] {100, 50, 4}, within(1e-12));
        // at 90° vertical field of view the top edge of the image is at 45°
        double[] top = c.project(0, 4, 0, 200, 100);
        assertThat(top[1]).isCloseTo(0, within(1e-9));
        assertThat(c.focalPixels(100)).isCloseTo(50, within(1e-9));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 30, 90, 200, 315})
    void zUpOrbitMatchesTheYUpOrbitOfABlenderImportedMesh(double yaw) {
        // Blender imports glTF (x, y, z) as (x, −z, y); the TRELLIS camera orbitZUp(yaw) on the imported mesh sees
        // what orbit(180° − yaw) sees on the glTF mesh
        Camera zUp = Camera.orbitZUp(yaw, 20, 2, 40);
        Camera yUp = Camera.orbit(180 - yaw, 20, 2, 40);
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 20; i++) {
            double x = rnd.nextDouble(-0.5, 0.5), y = rnd.nextDouble(-0.5, 0.5), z = rnd.nextDouble(-0.5, 0.5);
            double[] a = yUp.project(x, y, z, 512, 512);
            double[] b = zUp.project(x, -z, y, 512, 512);
            assertThat(b).containsExactly(a, within(1e-9));
        }
        // and its eye follows the TRELLIS formula r·(sin yaw cos pitch, cos yaw cos pitch, sin pitch)
        double yr = Math.toRadians(yaw), pr = Math.toRadians(20);
        assertVec(zUp.eye(), 2 * Math.sin(yr) * Math.cos(pr), 2 * Math.cos(yr) * Math.cos(pr), 2 * Math.sin(pr));
        assertVec(zUp.up(), -Math.sin(pr) * Math.sin(yr), -Math.sin(pr) * Math.cos(yr), Math.cos(pr));
    }

    @Test
    void framingFitsTheBoundingSphere() {
        // TRELLIS' conditioning views: r = (√3/2) / sin(fov/2) for the cube [-0.5, 0.5]³
        Camera c = Camera.framing(Aabb.cube(0.5), 0, 0, 40, 1);
        double[] e = c.eye();
        assertThat(e[2]).isCloseTo(Math.sqrt(3) / 2 / Math.sin(Math.toRadians(20)), within(1e-12));
    }

    private static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    }
}
