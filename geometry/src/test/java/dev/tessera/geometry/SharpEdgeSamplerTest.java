package dev.tessera.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.tessera.geometry.io.MeshIO;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SharpEdgeSamplerTest {

    @Test
    void aBoxHasExactlyItsTwelveEdges() {
        SharpEdges e = SharpEdgeSampler.sharpEdges(Shapes.box(0, 0, 0, 3, 2, 1));
        assertThat(e.size()).isEqualTo(12);
        for (int i = 0; i < 12; i++) {
            assertThat(e.angles()[i]).isCloseTo(90f, offset(1e-3f));
            // an edge of the box changes exactly one coordinate
            int changed = 0;
            for (int k = 0; k < 3; k++) {
                changed += e.positions()[6 * i + k] != e.positions()[6 * i + 3 + k] ? 1 : 0;
            }
            assertThat(changed).isEqualTo(1);
        }
        assertThat(e.totalLength()).isCloseTo(4 * (3 + 2 + 1), offset(1e-9));
        // the diagonals of the faces (angle 0) are not sharp, nor at a 0° threshold
        assertThat(SharpEdgeSampler.sharpEdges(Shapes.box(0, 0, 0, 3, 2, 1), 0).size())
                .isEqualTo(12);
    }

    @Test
    void aTriangleSoupBoxIsWelded() {
        TriangleMesh box = Shapes.box(-1, -1, -1, 1, 1, 1);
        float[] p = new float[3 * 36];
        int[] t = new int[36];
        for (int i = 0; i < 36; i++) {
            int v = box.corner(i / 3, i % 3);
            p[3 * i] = box.x(v);
            p[3 * i + 1] = box.y(v);
            p[3 * i + 2] = box.z(v);
            t[i] = i;
        }
        assertThat(SharpEdgeSampler.sharpEdges(new TriangleMesh(p, t)).size()).isEqualTo(12);
    }

    @Test
    void aSphereHasNone() {
        TriangleMesh sphere = Shapes.icosphere(3, 1);
        assertThat(SharpEdgeSampler.sharpEdges(sphere).size()).isZero();
        SharpEdgeSamples s = SharpEdgeSampler.sample(sphere, 1000, 1);
        assertThat(s.isEmpty()).isTrue();
        assertThat(s.points()).isEmpty();
        // a coarse icosahedron is all sharp: 30 edges of about 41.8°
        SharpEdges ico = SharpEdgeSampler.sharpEdges(Shapes.icosphere(0, 1));
        assertThat(ico.size()).isEqualTo(30);
        assertThat(ico.angles()[0]).isCloseTo(41.81f, offset(0.01f));
    }

    @Test
    void samplesLieOnTheEdgesInProportionToLength() {
        TriangleMesh box = Shapes.box(0, 0, 0, 3, 2, 1);
        int n = 120_000;
        SharpEdgeSamples s = SharpEdgeSampler.sample(box, n, 15, 5);
        assertThat(s.size()).isEqualTo(n);
        float[] p = s.points(), nn = s.normals();
        int alongX = 0;
        boolean offEdge = false, badNormal = false;
        for (int i = 0; i < n; i++) {
            float x = p[3 * i], y = p[3 * i + 1], z = p[3 * i + 2];
            int onBounds = (x == 0 || x == 3 ? 1 : 0) + (y == 0 || y == 2 ? 1 : 0) + (z == 0 || z == 1 ? 1 : 0);
            offEdge |= onBounds < 2;
            if (!(x == 0 || x == 3)) {
                alongX++;
            }
            // normal: (±1, ±1, 0)/√2 etc, pointing out of the box
            double ex = x == 0 ? -1 : x == 3 ? 1 : 0, ey = y == 0 ? -1 : y == 2 ? 1 : 0;
            double ez = z == 0 ? -1 : z == 1 ? 1 : 0;
            double el = Math.sqrt(ex * ex + ey * ey + ez * ez);
            double dot = (ex * nn[3 * i] + ey * nn[3 * i + 1] + ez * nn[3 * i + 2]) / el;
            badNormal |= onBounds == 2 && Math.abs(dot - 1) > 1e-6;
        }
        assertThat(offEdge).isFalse();
        assertThat(badNormal).isFalse();
        // x-parallel edges: length 4·3 of 24; σ ≈ 173 points
        assertThat(alongX).isBetween(n / 2 - 1000, n / 2 + 1000);
        SharpEdgeSamples again = SharpEdgeSampler.sample(box, n, 15, 5);
        assertThat(Arrays.equals(again.points(), s.points())).isTrue();
    }

    static TriangleMesh read(String name) {
        try {
            return MeshIO.read(TestMeshes.mesh(name));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void fandiskHasSharpEdgesAndTheThresholdMatters() {
        TriangleMesh fandisk = read("fandisk.off");
        SharpEdges at15 = SharpEdgeSampler.sharpEdges(fandisk, 15);
        SharpEdges at60 = SharpEdgeSampler.sharpEdges(fandisk, 60);
        assertThat(at15.size()).isGreaterThan(100);
        assertThat(at60.size()).isLessThan(at15.size());
        for (float a : at15.angles()) {
            assertThat(a).isGreaterThan(15f);
        }
    }

    @Test
    void badInputIsRefusedClearly() {
        TriangleMesh box = Shapes.cube(1);
        assertThatThrownBy(() -> SharpEdgeSampler.sample(box, 0, 1)).hasMessageContaining("point count must be ≥ 1");
        assertThatThrownBy(() -> SharpEdgeSampler.sample(box, -1, 1)).hasMessageContaining("got -1");
        assertThatThrownBy(() -> SharpEdgeSampler.sharpEdges(box, 180)).hasMessageContaining("[0, 180)");
        assertThatThrownBy(() -> SharpEdgeSampler.sharpEdges(box, Double.NaN)).hasMessageContaining("[0, 180)");
    }
}
