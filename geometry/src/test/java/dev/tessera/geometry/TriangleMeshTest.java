package dev.tessera.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TriangleMeshTest {
    /** The unit cube [0,1]³, 12 outward triangles. */
    static TriangleMesh unitCube() {
        float[] p = {0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1};
        int[] t = {
            0, 2, 1, 0, 3, 2, // z = 0, normal -z
            4, 5, 6, 4, 6, 7, // z = 1
            0, 1, 5, 0, 5, 4, // y = 0
            2, 3, 7, 2, 7, 6, // y = 1
            1, 2, 6, 1, 6, 5, // x = 1
            0, 4, 7, 0, 7, 3 // x = 0
        };
        return new TriangleMesh(p, t);
    }

    @Test
    void cubeHasAreaSixAndVolumeOne() {
        TriangleMesh cube = unitCube();
        assertThat(cube.area()).isCloseTo(6.0, within(1e-9));
        assertThat(cube.volume()).isCloseTo(1.0, within(1e-9));
        assertThat(cube.flipped().volume()).isCloseTo(-1.0, within(1e-9));
    }

    @Test
    void normalisationFitsTheBox() {
        TriangleMesh m = unitCube().normalized(0.9);
        Aabb b = m.bounds();
        assertThat(b.minX()).isCloseTo(-0.9, within(1e-6));
        assertThat(b.maxZ()).isCloseTo(0.9, within(1e-6));
        assertThat(m.volume()).isCloseTo(1.8 * 1.8 * 1.8, within(1e-5));
    }

    @Test
    void rejectsOutOfRangeIndexAndNaN() {
        assertThatThrownBy(() -> new TriangleMesh(new float[] {0, 0, 0, 1, 0, 0, 0, 1, 0}, new int[] {0, 1, 3}))
                .isInstanceOf(InvalidMeshException.class)
                .hasMessageContaining("triangle 0 refers to vertex 3 out of range (3 vertices)");
        assertThatThrownBy(() -> new TriangleMesh(new float[] {0, Float.NaN, 0}, new int[0]))
                .isInstanceOf(InvalidMeshException.class)
                .hasMessageContaining("vertex 0");
    }

    @Test
    void isImmutable() {
        float[] p = {0, 0, 0, 1, 0, 0, 0, 1, 0};
        TriangleMesh m = new TriangleMesh(p, new int[] {0, 1, 2});
        p[0] = 5;
        m.positions()[1] = 7;
        assertThat(m.x(0)).isEqualTo(0f);
        assertThat(m.y(0)).isEqualTo(0f);
    }
}
