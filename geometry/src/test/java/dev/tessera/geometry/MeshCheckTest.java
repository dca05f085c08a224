package dev.tessera.geometry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.geometry.io.MeshIO;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MeshCheckTest {
    @Test
    void cubeIsClosedWithEulerTwoAndGenusZero() {
        MeshCheck c = MeshCheck.of(TriangleMeshTest.unitCube());
        assertThat(c.isClosed()).isTrue();
        assertThat(c.isOriented()).isTrue();
        assertThat(c.isWatertight()).isTrue();
        assertThat(c.eulerCharacteristic()).isEqualTo(2);
        assertThat(c.genus()).isZero();
        assertThat(c.components()).isEqualTo(1);
        assertThat(c.edges()).isEqualTo(18);
        assertThat(c.boundaryEdges()).isZero();
        assertThat(c.toString()).contains("genus                  0").contains("closed                 yes");
    }

    @Test
    void torusHasGenusOne() {
        TriangleMesh torus = TestSolids.torusAboutZ(1, 0.3, 24, 12, 0);
        assertThat(torus.volume()).isPositive();
        MeshCheck c = MeshCheck.of(torus);
        assertThat(c.isWatertight()).isTrue();
        assertThat(c.eulerCharacteristic()).isZero();
        assertThat(c.genus()).isEqualTo(1);
    }

    @Test
    void genusAddsUpOverComponents() {
        TriangleMesh a = TestSolids.torusAboutZ(1, 0.3, 16, 8, 0);
        TriangleMesh b = TestSolids.torusAboutZ(1, 0.3, 16, 8, 5);
        TriangleMesh cube = TriangleMeshTest.unitCube();
        MeshCheck c = MeshCheck.of(concat(concat(a, b), cube));
        assertThat(c.components()).isEqualTo(3);
        assertThat(c.eulerCharacteristic()).isEqualTo(2);
        assertThat(c.genus()).isEqualTo(2);
    }

    @Test
    void openDiscHasOneBoundaryLoop() {
        int n = 10;
        float[] p = new float[3 * (n + 1)];
        int[] t = new int[3 * n];
        for (int i = 0; i < n; i++) {
            p[3 * (i + 1)] = (float) Math.cos(2 * Math.PI * i / n);
            p[3 * (i + 1) + 1] = (float) Math.sin(2 * Math.PI * i / n);
            t[3 * i] = 0;
            t[3 * i + 1] = 1 + i;
            t[3 * i + 2] = 1 + (i + 1) % n;
        }
        MeshCheck c = MeshCheck.of(new TriangleMesh(p, t));
        assertThat(c.boundaryEdges()).isEqualTo(n);
        assertThat(c.boundaryLoops()).isEqualTo(1);
        assertThat(c.eulerCharacteristic()).isEqualTo(1);
        assertThat(c.isClosed()).isFalse();
        assertThat(c.isOriented()).isTrue();
        assertThat(c.genus()).isEqualTo(-1);
        assertThat(c.toString()).contains("10 in 1 loop\n").contains("undefined (not closed)");
    }

    @Test
    void threeTrianglesOnOneEdgeAreNonManifold() {
        float[] p = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 1};
        int[] t = {0, 1, 2, 1, 0, 3, 0, 1, 4};
        MeshCheck c = MeshCheck.of(new TriangleMesh(p, t));
        assertThat(c.nonManifoldEdges()).isEqualTo(1);
        assertThat(c.boundaryEdges()).isEqualTo(6);
        assertThat(c.isManifold()).isFalse();
        assertThat(c.isClosed()).isFalse();
    }

    @Test
    void bowTieVertexIsNonManifold() {
        float[] p = {0, 0, 0, 1, 0, 0, 1, 1, 0, -1, 0, 0, -1, -1, 0};
        int[] t = {0, 1, 2, 0, 3, 4};
        MeshCheck c = MeshCheck.of(new TriangleMesh(p, t));
        assertThat(c.nonManifoldVertices()).isEqualTo(1);
        assertThat(c.nonManifoldEdges()).isZero();
        assertThat(c.components()).isEqualTo(1);
    }

    @Test
    void aCubeWithOneFlippedTriangleIsNotOriented() {
        int[] t = TriangleMeshTest.unitCube().triangles();
        int s = t[1];
        t[1] = t[2];
        t[2] = s;
        MeshCheck c = MeshCheck.of(new TriangleMesh(TriangleMeshTest.unitCube().positions(), t));
        assertThat(c.isClosed()).isTrue();
        assertThat(c.isOriented()).isFalse();
        assertThat(c.genus()).isEqualTo(-1);
        assertThat(c.toString()).contains("undefined (not oriented)");
    }

    @Test
    void degenerateDuplicateAndUnreferencedAreCounted() {
        TriangleMesh cube = TriangleMeshTest.unitCube();
        float[] p = java.util.Arrays.copyOf(cube.positions(), 27); // vertex 8 is unreferenced
        int[] base = cube.triangles();
        int[] t = java.util.Arrays.copyOf(base, base.length + 9);
        // a flipped copy of triangle 0, a repeated-index triangle, a zero-area one (0, 1 and their midpoint 8)
        t[36] = base[0];
        t[37] = base[2];
        t[38] = base[1];
        t[39] = 3;
        t[40] = 3;
        t[41] = 5;
        p[24] = 0.5f;
        t[42] = 0;
        t[43] = 1;
        t[44] = 8;
        MeshCheck c = MeshCheck.of(new TriangleMesh(p, t));
        assertThat(c.duplicateFaces()).isEqualTo(1);
        assertThat(c.degenerateFaces()).isEqualTo(2);
        assertThat(c.unreferencedVertices()).isZero();
        assertThat(c.isClosed()).isFalse();
        MeshCheck d = MeshCheck.of(new TriangleMesh(p, base));
        assertThat(d.unreferencedVertices()).isEqualTo(1);
        assertThat(d.isWatertight()).isTrue();
        assertThat(d.toJson()).contains("\"genus\":0").contains("\"unreferenced_vertices\":1");
    }

    /** Note: despite the fixture README, bunny00.off has no boundary edges: it is a closed genus-0 surface. */
    @ParameterizedTest
    @CsvSource({
        "bunny00.off, true",
        "holes.off, false",
        "sphere.stl, true",
        "knot1.off, true",
    })
    void realMeshes(String name, boolean closed) throws IOException {
        MeshCheck c = MeshCheck.of(MeshIO.read(TestMeshes.mesh(name)));
        assertThat(c.isClosed()).as(c.toString()).isEqualTo(closed);
        if (!closed) {
            assertThat(c.boundaryEdges()).isPositive();
            assertThat(c.boundaryLoops()).isPositive();
        } else {
            assertThat(c.genus()).as(c.toString()).isEqualTo(name.startsWith("knot") ? 1 : 0);
        }
    }

    static TriangleMesh concat(TriangleMesh a, TriangleMesh b) {
        float[] p = new float[3 * (a.vertexCount() + b.vertexCount())];
        System.arraycopy(a.positions(), 0, p, 0, 3 * a.vertexCount());
        System.arraycopy(b.positions(), 0, p, 3 * a.vertexCount(), 3 * b.vertexCount());
        int[] t = new int[3 * (a.triangleCount() + b.triangleCount())];
        System.arraycopy(a.triangles(), 0, t, 0, 3 * a.triangleCount());
        int[] tb = b.triangles();
        for (int i = 0; i < tb.length; i++) {
            t[3 * a.triangleCount() + i] = tb[i] + a.vertexCount();
        }
        return new TriangleMesh(p, t);
    }
}
