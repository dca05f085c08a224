package dev.tessera.geometry.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unit cube written by hand in every format reads as 8 vertices, 12 outward triangles, area 6, volume 1. */
class CubeFilesTest {
    @TempDir
    Path dir;

    static void assertUnitCube(TriangleMesh m) {
        assertThat(m.vertexCount()).isEqualTo(8);
        assertThat(m.triangleCount()).isEqualTo(12);
        assertThat(m.area()).isCloseTo(6.0, within(1e-6));
        assertThat(m.volume()).isCloseTo(1.0, within(1e-6));
    }

    private static String cornerLines(String prefix) {
        StringBuilder sb = new StringBuilder();
        float[] p = Fixtures.CUBE_POSITIONS;
        for (int i = 0; i < 8; i++) {
            sb.append(prefix)
                    .append((int) p[3 * i])
                    .append(' ')
                    .append((int) p[3 * i + 1])
                    .append(' ')
                    .append((int) p[3 * i + 2])
                    .append('\n');
        }
        return sb.toString();
    }

    @Test
    void off() throws IOException {
        StringBuilder sb = new StringBuilder("OFF\n# a cube\n8 6 12\n").append(cornerLines(""));
        for (int[] q : Fixtures.CUBE_QUADS) {
            sb.append("4 ").append(q[0]).append(' ').append(q[1]).append(' ');
            sb.append(q[2]).append(' ').append(q[3]).append('\n');
        }
        TriangleMesh m = MeshIO.read(Fixtures.write(dir, "cube.off", sb.toString()));
        assertUnitCube(m);
        assertThat(m.positions()).containsExactly(Fixtures.CUBE_POSITIONS);
    }

    @Test
    void coffWithColoursAndCountsOnTheHeaderLine() throws IOException {
        StringBuilder sb = new StringBuilder("COFF 8 12 0\n");
        float[] p = Fixtures.CUBE_POSITIONS;
        for (int i = 0; i < 8; i++) {
            sb.append(p[3 * i]).append(' ').append(p[3 * i + 1]).append(' ').append(p[3 * i + 2]);
            sb.append(i % 2 == 0 ? " 255 0 51 255\n" : " 0.5 1.0 0.0 1.0\n");
        }
        int[] t = Fixtures.cube().triangles();
        for (int f = 0; f < 12; f++) {
            sb.append("3 ")
                    .append(t[3 * f])
                    .append(' ')
                    .append(t[3 * f + 1])
                    .append(' ')
                    .append(t[3 * f + 2]);
            sb.append(" 255 0 0\n"); // a face colour, ignored
        }
        TriangleMesh m = MeshIO.read(Fixtures.write(dir, "cube.off", sb.toString()));
        assertUnitCube(m);
        assertThat(m.colors()).startsWith(1f, 0f, 0.2f, 0.5f, 1f, 0f);
    }

    @Test
    void obj() throws IOException {
        StringBuilder sb = new StringBuilder("# cube\no cube\n").append(cornerLines("v "));
        for (int[] q : Fixtures.CUBE_QUADS) {
            sb.append("f ").append(q[0] + 1).append(' ').append(q[1] + 1).append(' ');
            sb.append(q[2] + 1).append(' ').append(q[3] + 1).append('\n');
        }
        assertUnitCube(MeshIO.read(Fixtures.write(dir, "cube.obj", sb.toString())));
    }

    @Test
    void asciiPly() throws IOException {
        StringBuilder sb = new StringBuilder(
                "ply\nformat ascii 1.0\ncomment a cube\nelement vertex 8\nproperty float x\nproperty float y\n"
                        + "property float z\nelement face 6\nproperty list uchar int vertex_indices\nend_header\n");
        sb.append(cornerLines(""));
        for (int[] q : Fixtures.CUBE_QUADS) {
            sb.append("4 ").append(q[0]).append(' ').append(q[1]).append(' ');
            sb.append(q[2]).append(' ').append(q[3]).append('\n');
        }
        assertUnitCube(MeshIO.read(Fixtures.write(dir, "cube.ply", sb.toString())));
    }

    /**
     * Binary PLY with an unusual layout: z before x, a double coordinate, an extra property and element, an ushort
     * count with uint indices, big or little endian.
     */
    @Test
    void binaryPlyOfEitherEndianness() throws IOException {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            String header =
                    "ply\r\nformat " + (order == ByteOrder.LITTLE_ENDIAN ? "binary_little_endian" : "binary_big_endian")
                            + " 1.0\r\nelement vertex 8\r\nproperty float z\r\nproperty uchar quality\r\n"
                            + "property double x\r\nproperty float y\r\nelement material 1\r\nproperty list uchar float k\r\n"
                            + "element face 6\r\nproperty list ushort uint vertex_indices\r\nproperty int flags\r\n"
                            + "end_header\r\n";
            ByteBuffer b = ByteBuffer.allocate(1000).order(order);
            b.put(header.getBytes(StandardCharsets.US_ASCII));
            float[] p = Fixtures.CUBE_POSITIONS;
            for (int i = 0; i < 8; i++) {
                b.putFloat(p[3 * i + 2]).put((byte) 7).putDouble(p[3 * i]).putFloat(p[3 * i + 1]);
            }
            b.put((byte) 2).putFloat(1).putFloat(2);
            for (int[] q : Fixtures.CUBE_QUADS) {
                b.putShort((short) 4);
                for (int v : q) {
                    b.putInt(v);
                }
                b.putInt(-1);
            }
            byte[] bytes = new byte[b.position()];
            b.flip().get(bytes);
            TriangleMesh m = MeshIO.read(Fixtures.write(dir, "cube-" + order + ".ply", bytes));
            assertUnitCube(m);
            assertThat(m.positions()).containsExactly(Fixtures.CUBE_POSITIONS);
        }
    }

    /** Faces before vertices: legal PLY; indices are checked once the vertices are known. */
    @Test
    void plyWithFacesBeforeVertices() throws IOException {
        for (int bad : new int[] {0, 1}) {
            StringBuilder sb = new StringBuilder("ply\nformat ascii 1.0\nelement face 6\n"
                    + "property list uchar int vertex_indices\nelement vertex 8\nproperty float x\n"
                    + "property float y\nproperty float z\nend_header\n");
            for (int[] q : Fixtures.CUBE_QUADS) {
                sb.append("4 ").append(q[0]).append(' ').append(q[1]).append(' ');
                sb.append(q[2])
                        .append(' ')
                        .append(bad == 1 && q[3] == 7 ? 8 : q[3])
                        .append('\n');
            }
            sb.append(cornerLines(""));
            Path f = Fixtures.write(dir, "faces-first" + bad + ".ply", sb.toString());
            if (bad == 0) {
                assertUnitCube(MeshIO.read(f));
            } else {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> MeshIO.read(f))
                        .isInstanceOf(MeshFormatException.class)
                        .hasMessageContaining("refers to vertex 8 out of range (8 vertices)");
            }
        }
    }

    @Test
    void asciiStlWithUppercaseKeywordsWelds() throws IOException {
        TriangleMesh cube = Fixtures.cube();
        float[] p = cube.positions();
        int[] t = cube.triangles();
        StringBuilder sb = new StringBuilder("solid cube\n");
        for (int f = 0; f < 12; f++) {
            sb.append(f == 0 ? "FACET NORMAL 0 0 -1\n OUTER LOOP\n" : "facet normal 0 0 0\n outer loop\n");
            for (int k = 0; k < 3; k++) {
                int v = 3 * t[3 * f + k];
                sb.append("  vertex ")
                        .append(p[v])
                        .append(' ')
                        .append(p[v + 1])
                        .append(' ')
                        .append(p[v + 2]);
                sb.append('\n');
            }
            sb.append(" endloop\nendfacet\n");
        }
        sb.append("endsolid cube\n");
        assertUnitCube(MeshIO.read(Fixtures.write(dir, "cube.stl", sb.toString())));
    }

    /** A binary STL whose header starts with "solid", as many exporters write: told apart by its size. */
    @Test
    void binaryStlWhoseHeaderSaysSolid() throws IOException {
        TriangleMesh cube = Fixtures.cube();
        float[] p = cube.positions();
        int[] t = cube.triangles();
        ByteBuffer b = ByteBuffer.allocate(84 + 50 * 12).order(ByteOrder.LITTLE_ENDIAN);
        byte[] header = "solid cube exported by some CAD tool".getBytes(StandardCharsets.US_ASCII);
        b.put(header).position(80);
        b.putInt(12);
        for (int f = 0; f < 12; f++) {
            b.putFloat(0).putFloat(0).putFloat(0);
            for (int k = 0; k < 3; k++) {
                int v = 3 * t[3 * f + k];
                b.putFloat(p[v]).putFloat(p[v + 1]).putFloat(p[v + 2]);
            }
            b.putShort((short) 0);
        }
        Path file = Fixtures.write(dir, "cube.dat", b.array());
        assertThat(MeshIO.detect(file)).isEqualTo(MeshIO.Format.STL);
        assertUnitCube(MeshIO.read(file));
    }

    @Test
    void glbByHand() throws IOException {
        float[] p = Fixtures.CUBE_POSITIONS;
        int[] t = Fixtures.cube().triangles();
        ByteBuffer idx = ByteBuffer.allocate(72).order(ByteOrder.LITTLE_ENDIAN);
        for (int i : t) {
            idx.putShort((short) i);
        }
        byte[] bin = Fixtures.concat(Fixtures.floats(p), idx.array());
        String json = """
                {"asset":{"version":"2.0"},"scene":0,"scenes":[{"nodes":[0]}],"nodes":[{"mesh":0}],
                 "meshes":[{"primitives":[{"attributes":{"POSITION":0},"indices":1}]}],
                 "buffers":[{"byteLength":168}],
                 "bufferViews":[{"buffer":0,"byteOffset":0,"byteLength":96},
                                {"buffer":0,"byteOffset":96,"byteLength":72}],
                 "accessors":[{"bufferView":0,"componentType":5126,"count":8,"type":"VEC3",
                               "min":[0,0,0],"max":[1,1,1]},
                              {"bufferView":1,"componentType":5123,"count":36,"type":"SCALAR"}]}
                """;
        TriangleMesh m = MeshIO.read(Fixtures.write(dir, "cube.glb", Fixtures.glb(json, bin)));
        assertUnitCube(m);
    }
}
