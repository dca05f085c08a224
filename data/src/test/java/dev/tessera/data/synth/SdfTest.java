package dev.tessera.data.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tessera.geometry.ScalarField;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SdfTest {
    @Test
    void primitivesAreExactDistances() {
        assertThat(Sdf.sphere(0.5).value(1, 0, 0)).isCloseTo(0.5, within(1e-12));
        assertThat(Sdf.sphere(0.5).value(0, 0, 0)).isCloseTo(-0.5, within(1e-12));
        ScalarField box = Sdf.box(0.5, 0.25, 0.125);
        assertThat(box.value(1, 0, 0)).isCloseTo(0.5, within(1e-12));
        assertThat(box.value(0, 0, 0)).isCloseTo(-0.125, within(1e-12));
        assertThat(box.value(1, 1, 0)).isCloseTo(Math.hypot(0.5, 0.75), within(1e-12)); // to the edge
        ScalarField cyl = Sdf.cylinder(0.5, 1);
        assertThat(cyl.value(0, 2, 0)).isCloseTo(1, within(1e-12));
        assertThat(cyl.value(0.8, 0, 0.6)).isCloseTo(0.5, within(1e-12));
        assertThat(Sdf.torus(0.6, 0.2).value(0.6, 0, 0)).isCloseTo(-0.2, within(1e-12));
        assertThat(Sdf.torus(0.6, 0.2).value(0, 0, 0)).isCloseTo(0.4, within(1e-12));
        assertThat(Sdf.capsule(0.3, 0.5).value(0, 1.3, 0)).isCloseTo(0.5, within(1e-12));
        // cone: base radius 0.5 at y=-1, apex at y=1
        ScalarField cone = Sdf.cone(0.5, 1);
        assertThat(cone.value(0, -2, 0)).isCloseTo(1, within(1e-12));
        assertThat(cone.value(0, 1.5, 0)).isCloseTo(0.5, within(1e-12));
        assertThat(cone.value(0, -0.9, 0)).isLessThan(0); // inside, near the axis
        assertThat(cone.value(0, -0.9, 0)).isCloseTo(-0.1, within(1e-12)); // nearest is the base
        ScalarField round = Sdf.roundBox(0.5, 0.5, 0.5, 0.1);
        assertThat(round.value(1, 0, 0)).isCloseTo(0.5, within(1e-12));
        assertThat(round.value(1, 1, 1)).isCloseTo(Math.sqrt(3) * 0.6 - 0.1, within(1e-12));
    }

    @Test
    void unionAndSubtractionAreMinAndMax() {
        ScalarField a = Sdf.sphere(0.5), b = Sdf.translate(Sdf.sphere(0.5), 0.6, 0, 0);
        assertThat(Sdf.union(a, b).value(0.3, 0, 0)).isCloseTo(Math.min(-0.2, -0.2), within(1e-12));
        assertThat(Sdf.subtract(a, b).value(0.3, 0, 0)).isCloseTo(0.2, within(1e-12));
        assertThat(Sdf.scale(a, 2).value(2, 0, 0)).isCloseTo(1, within(1e-12));
    }

    /** Every class fits the box: positive on the faces of [-1, 1]³ and negative somewhere inside. */
    @ParameterizedTest
    @EnumSource(ShapeClass.class)
    void everyClassFitsTheUnitBoxAndHasAnInside(ShapeClass c) {
        for (int draw = 0; draw < 20; draw++) {
            ScalarField f = c.draw(new SplittableRandom(draw * 31L + c.ordinal()));
            int n = 24;
            boolean inside = false;
            for (int i = 0; i <= n; i++) {
                for (int j = 0; j <= n; j++) {
                    for (int k = 0; k <= n; k++) {
                        double x = -1 + 2.0 * i / n, y = -1 + 2.0 * j / n, z = -1 + 2.0 * k / n;
                        double v = f.value(x, y, z);
                        boolean face = i == 0 || j == 0 || k == 0 || i == n || j == n || k == n;
                        if (face) {
                            assertThat(v)
                                    .as("%s draw %d at (%f, %f, %f)", c, draw, x, y, z)
                                    .isGreaterThan(0);
                        }
                        inside |= v < 0;
                    }
                }
            }
            assertThat(inside).as("%s draw %d has an inside", c, draw).isTrue();
        }
    }

    @Test
    void labelsRoundTrip() {
        for (ShapeClass c : ShapeClass.values()) {
            assertThat(ShapeClass.ofLabel(c.label())).isEqualTo(c);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ShapeClass.ofLabel("spaceship"))
                .hasMessageContaining("known: sphere, box");
    }
}
