package dev.tessera.geometry.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tessera.geometry.Aabb;
import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GlbReaderTest {
    @TempDir
    Path dir;

    /** The cube's positions and u16 indices as one BIN chunk: positions at 0 (96 bytes), indices at 96 (72). */
    private static byte[] cubeBin() {
        ByteBuffer idx = ByteBuffer.allocate(72).order(ByteOrder.LITTLE_ENDIAN);
        for (int i : Fixtures.cube().triangles()) {
            idx.putShort((short) i);
        }
        return Fixtures.concat(Fixtures.floats(Fixtures.CUBE_POSITIONS), idx.array());
    }

    private static final String CUBE_BUFFERS = """
            "meshes":[{"primitives":[{"attributes":{"POSITION":0},"indices":1,"mode":4}]}],
            "buffers":[{"byteLength":168}],
            "bufferViews":[{"buffer":0,"byteOffset":0,"byteLength":96},{"buffer":0,"byteOffset":96,"byteLength":72}],
            "accessors":[{"bufferView":0,"componentType":5126,"count":8,"type":"VEC3","min":[0,0,0],"max":[1,1,1]},
                         {"bufferView":1,"componentType":5123,"count":36,"type":"SCALAR"}]
            """;

    @Test
    void nodeHierarchyWithTrsMatrixAndMirrorTransforms() throws IOException {
        double h = Math.sqrt(0.5);
        String json = "{\"asset\":{\"version\":\"2.0\"},\"scene\":0,\"scenes\":[{\"nodes\":[0,2]}],"
                + "\"nodes\":["
                + "{\"translation\":[10,0,0],\"children\":[1]},"
                + "{\"rotation\":[0,0," + h + "," + h + "],\"scale\":[2,2,2],\"mesh\":0},"
                // mirror in x, then move up by 5 (column-major)
                + "{\"matrix\":[-1,0,0,0, 0,1,0,0, 0,0,1,0, 0,5,0,1],\"mesh\":0},"
                + "{\"mesh\":0,\"translation\":[100,100,100]}" // not in the scene
                + "]," + CUBE_BUFFERS + "}";
        TriangleMesh m = MeshIO.read(Fixtures.write(dir, "tree.glb", Fixtures.glb(json, cubeBin())));
        assertThat(m.vertexCount()).isEqualTo(16);
        assertThat(m.triangleCount()).isEqualTo(24);
        // a 2-cube and a mirrored unit cube, both still outward-oriented
        assertThat(m.volume()).isCloseTo(9.0, within(1e-5));
        Aabb b = m.bounds();
        assertThat(b.minX()).isCloseTo(-1, within(1e-6));
        assertThat(b.maxX()).isCloseTo(10, within(1e-6));
        assertThat(b.maxY()).isCloseTo(6, within(1e-6));
        assertThat(b.maxZ()).isCloseTo(2, within(1e-6));
        // the rotated cube: x in [8, 10], y in [0, 2]
        float[] p = m.positions();
        for (int i = 0; i < 8; i++) {
            assertThat(p[3 * i]).isBetween(8 - 1e-5f, 10 + 1e-5f);
            assertThat(p[3 * i + 1]).isBetween(-1e-5f, 2 + 1e-5f);
        }
    }

    @Test
    void withoutAScenePropertyEveryRootNodeIsRead() throws IOException {
        String json = "{\"asset\":{\"version\":\"2.0\"},\"nodes\":[{\"children\":[1]},{\"mesh\":0},{\"mesh\":0}],"
                + CUBE_BUFFERS + "}";
        TriangleMesh m = MeshIO.read(Fixtures.write(dir, "roots.glb", Fixtures.glb(json, cubeBin())));
        assertThat(m.triangleCount()).isEqualTo(24); // node 1 via node 0, and node 2
    }

    @Test
    void stripsFansInterleavedColoursAndByteIndices() throws IOException {
        // 4 vertices interleaved: position (12 bytes) + normalised u8 RGBA colour (4 bytes), stride 16
        float[][] quad = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {1, 1, 0}};
        ByteBuffer v = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 4; i++) {
            v.putFloat(quad[i][0]).putFloat(quad[i][1]).putFloat(quad[i][2]);
            v.put((byte) 255).put((byte) (i * 85)).put((byte) 0).put((byte) 128);
        }
        // a fan: a regular hexagon around the origin at z = 1, non-indexed
        float[] hex = new float[3 * 6];
        for (int i = 0; i < 6; i++) {
            hex[3 * i] = (float) Math.cos(i * Math.PI / 3);
            hex[3 * i + 1] = (float) Math.sin(i * Math.PI / 3);
            hex[3 * i + 2] = 1;
        }
        byte[] strip = {0, 1, 2, 3};
        byte[] bin = Fixtures.concat(v.array(), strip, Fixtures.floats(hex));
        String json = """
                {"asset":{"version":"2.0"},"scenes":[{"nodes":[0]}],"nodes":[{"mesh":0}],
                 "meshes":[{"primitives":[
                    {"attributes":{"POSITION":0,"COLOR_0":1},"indices":2,"mode":5},
                    {"attributes":{"POSITION":3},"mode":6},
                    {"attributes":{"POSITION":3},"mode":1}]}],
                 "buffers":[{"byteLength":140}],
                 "bufferViews":[{"buffer":0,"byteOffset":0,"byteLength":64,"byteStride":16},
                                {"buffer":0,"byteOffset":64,"byteLength":4},
                                {"buffer":0,"byteOffset":68,"byteLength":72}],
                 "accessors":[{"bufferView":0,"componentType":5126,"count":4,"type":"VEC3"},
                              {"bufferView":0,"byteOffset":12,"componentType":5121,"normalized":true,
                               "count":4,"type":"VEC4"},
                              {"bufferView":1,"componentType":5121,"count":4,"type":"SCALAR"},
                              {"bufferView":2,"componentType":5126,"count":6,"type":"VEC3"}]}
                """;
        TriangleMesh m = MeshIO.read(Fixtures.write(dir, "strips.glb", Fixtures.glb(json, bin)));
        assertThat(m.vertexCount()).isEqualTo(10);
        assertThat(m.triangleCount()).isEqualTo(2 + 4); // the line primitive is skipped
        assertThat(m.area()).isCloseTo(1 + 3 * Math.sqrt(3) / 2, within(1e-5));
        float[] n = m.faceNormals();
        for (int f = 0; f < m.triangleCount(); f++) {
            assertThat(n[3 * f + 2]).as("triangle %d faces +z", f).isCloseTo(1f, within(1e-6f));
        }
        float[] c = m.colors();
        assertThat(c).startsWith(1f, 0f, 0f, 1f, 85 / 255f, 0f);
        assertThat(c[3 * 7]).isEqualTo(1f); // the uncoloured fan is white
    }

    @Test
    void anAccessorReachingBeyondItsViewIsRejectedBeforeAllocating() throws IOException {
        String json = CUBE_BUFFERS.replace("\"count\":8", "\"count\":1000000000");
        Path f = Fixtures.write(
                dir,
                "lying.glb",
                Fixtures.glb("{\"asset\":{\"version\":\"2.0\"},\"nodes\":[{\"mesh\":0}]," + json + "}", cubeBin()));
        assertThatThrownBy(() -> MeshIO.read(f))
                .isInstanceOf(MeshFormatException.class)
                .hasMessageContaining("lying.glb: accessors[0]")
                .hasMessageContaining("needs 12000000000 bytes of bufferViews[0], which has 96");
    }

    @Test
    void anIndexOutOfRangeIsNamed() throws IOException {
        byte[] bin = cubeBin();
        bin[96] = 9; // first index: vertex 9 of 8
        Path f = Fixtures.write(
                dir,
                "bad.glb",
                Fixtures.glb("{\"asset\":{\"version\":\"2.0\"},\"nodes\":[{\"mesh\":0}]," + CUBE_BUFFERS + "}", bin));
        assertThatThrownBy(() -> MeshIO.read(f))
                .isInstanceOf(MeshFormatException.class)
                .hasMessageContaining("meshes[0].primitives[0].indices")
                .hasMessageContaining("index 9 (element 0) out of range (8 vertices)");
    }

    @Test
    void dracoIsRejectedWithAHint() throws IOException {
        Path f = Fixtures.write(
                dir,
                "draco.glb",
                Fixtures.glb(
                        "{\"asset\":{\"version\":\"2.0\"},\"extensionsRequired\":[\"KHR_draco_mesh_compression\"]}",
                        null));
        assertThatThrownBy(() -> MeshIO.read(f))
                .isInstanceOf(MeshFormatException.class)
                .hasMessageContaining("KHR_draco_mesh_compression");
    }

    @Test
    void aTruncatedGlbNamesTheOffset() throws IOException {
        byte[] whole = Fixtures.glb(
                "{\"asset\":{\"version\":\"2.0\"},\"nodes\":[{\"mesh\":0}]," + CUBE_BUFFERS + "}", cubeBin());
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 40);
        Path f = Fixtures.write(dir, "cut.glb", cut);
        assertThatThrownBy(() -> MeshIO.read(f))
                .isInstanceOf(MeshFormatException.class)
                .hasMessageContaining("cut.glb: byte offset 8: the header says " + whole.length + " bytes");
    }
}
