package dev.tessera.geometry.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjReaderTest {
    @TempDir
    Path dir;

    @Test
    void negativeIndicesSlashFormsQuadsAndSeveralObjects() throws IOException {
        String text = """
                mtllib cube.mtl
                o bottom
                v 0 0 0
                v 1 0 0
                v 1 1 0
                v 0 1 0
                vt 0 0
                vn 0 0 -1
                g bottom_face
                usemtl grey
                s off
                f -4/1/1 -1/1/1 -2/1/1 -3/1/1
                o top
                v 0 0 1
                v 1 0 1
                v 1 1 1
                v 0 1 1
                vn 0 0 1
                f 5//2 6//2 7//2 8//2
                # the four sides, with v/vt and plain forms mixed
                f 1/1 2/1 6/1 5/1
                f 3 4 8 7
                f 2 3 7 6
                f 1 5 8 4
                l 1 2
                """;
        TriangleMesh m = MeshIO.read(Fixtures.write(dir, "cube.obj", text));
        CubeFilesTest.assertUnitCube(m);
        // normals are on some corners only: dropped rather than half-defined
        assertThat(m.hasNormals()).isFalse();
    }

    @Test
    void consistentCornerNormalsBecomeVertexNormalsAndColoursAreRead() throws IOException {
        String text = """
                v 0 0 0 1 0 0
                v 1 0 0 0 1 0
                v 0 1 0 0 0 1
                vn 0 0 2
                f 1//1 2//1 3//1
                """;
        TriangleMesh m = MeshIO.read(Fixtures.write(dir, "tri.obj", text));
        assertThat(m.normals()).containsExactly(0, 0, 1, 0, 0, 1, 0, 0, 1);
        assertThat(m.colors()).containsExactly(1, 0, 0, 0, 1, 0, 0, 0, 1);
    }

    @Test
    void conflictingCornerNormalsAreDropped() throws IOException {
        String text = """
                v 0 0 0
                v 1 0 0
                v 0 1 0
                v 0 0 1
                vn 0 0 -1
                vn 0 -1 0
                f 1//1 3//1 2//1
                f 1//2 2//2 4//2
                """;
        assertThat(MeshIO.read(Fixtures.write(dir, "t.obj", text)).hasNormals()).isFalse();
    }

    /** An L-shaped hexagon (non-convex) in a tilted plane: ear clipping covers exactly its area, same orientation. */
    @Test
    void nonConvexPolygonIsEarClippedInItsPlane() throws IOException {
        double[][] l2d = {{0, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 2}, {0, 2}}; // area 3
        // the plane spanned by u = (1, 0, 1)/√2 and v = (0, 1, 0): normal (-1, 0, 1)/√2
        StringBuilder sb = new StringBuilder();
        double s = Math.sqrt(0.5);
        for (double[] q : l2d) {
            sb.append("v ")
                    .append((float) (q[0] * s))
                    .append(' ')
                    .append((float) q[1])
                    .append(' ');
            sb.append((float) (q[0] * s)).append('\n');
        }
        // start the polygon at the reflex corner, where a naive fan would go outside
        sb.append("f 4 5 6 1 2 3\n");
        TriangleMesh m = MeshIO.read(Fixtures.write(dir, "l.obj", sb.toString()));
        assertThat(m.triangleCount()).isEqualTo(4);
        assertThat(m.area()).isCloseTo(3, within(1e-5));
        float[] n = m.faceNormals();
        for (int f = 0; f < 4; f++) {
            assertThat(n[3 * f]).isCloseTo((float) -s, within(1e-5f));
            assertThat(n[3 * f + 2]).isCloseTo((float) s, within(1e-5f));
        }
    }

    @Test
    void forwardReferencesAreAccepted() throws IOException {
        String text = "f 1 2 3\nv 0 0 0\nv 1 0 0\nv 0 1 0\n";
        assertThat(MeshIO.read(Fixtures.write(dir, "fwd.obj", text)).triangleCount())
                .isEqualTo(1);
    }
}
