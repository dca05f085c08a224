package dev.tessera.geometry.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed files fail with a MeshFormatException naming the file and the line or byte offset. */
class BadInputTest {
    @TempDir
    Path dir;

    private static String pad(String text, int size) {
        StringBuilder sb = new StringBuilder(text);
        while (sb.length() < size) {
            sb.append("0 0 0\n");
        }
        return sb.toString();
    }

    // ---- a header claiming 10^9 vertices in a 1 KB file ----

    @Test
    void offClaimingABillionVertices() throws IOException {
        Path f = Fixtures.write(dir, "huge.off", pad("OFF\n1000000000 1 0\n", 1024));
        assertThatThrownBy(() -> MeshIO.read(f))
                .isInstanceOf(MeshFormatException.class)
                .hasMessageStartingWith(f + ":2: the header claims 1000000000 vertices and 1 faces")
                .hasMessageContaining("the counts are wrong or the file is truncated");
    }

    @Test
    void plyClaimingABillionVertices() throws IOException {
        for (String format : new String[] {"ascii", "binary_little_endian"}) {
            Path f = Fixtures.write(
                    dir,
                    "huge-" + format + ".ply",
                    pad(
                            "ply\nformat " + format + " 1.0\nelement vertex 1000000000\nproperty float x\n"
                                    + "property float y\nproperty float z\nend_header\n",
                            1024));
            assertThatThrownBy(() -> MeshIO.read(f))
                    .isInstanceOf(MeshFormatException.class)
                    .hasMessageStartingWith(f + ":3: the header claims 1000000000 vertex elements");
        }
    }

    @Test
    void binaryStlClaimingABillionTriangles() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        b.position(80);
        b.putInt(1_000_000_000);
        Path f = Fixtures.write(dir, "huge.stl", b.array());
        assertThatThrownBy(() -> MeshIO.read(f))
                .isInstanceOf(MeshFormatException.class)
                .hasMessage(f + ": byte offset 80: the header claims 1000000000 triangles, which need 50000000084"
                        + " bytes, but the file has 1024; the count is wrong or the file is truncated");
    }

    @Test
    void binaryPlyListLongerThanTheFile() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(200).order(ByteOrder.LITTLE_ENDIAN);
        b.put(("ply\nformat binary_little_endian 1.0\nelement vertex 0\nproperty float x\nproperty float y\n"
                        + "property float z\nelement face 1\nproperty list uint int vertex_indices\nend_header\n")
                .getBytes(StandardCharsets.US_ASCII));
        int body = b.position();
        b.putInt(2_000_000_000);
        Path f = Fixtures.write(dir, "list.ply", Arrays.copyOf(b.array(), body + 8));
        assertThatThrownBy(() -> MeshIO.read(f))
                .isInstanceOf(MeshFormatException.class)
                .hasMessage(f + ": byte offset " + body
                        + ": list vertex_indices of face 0 has a length of 2000000000, which is longer than the rest"
                        + " of the file (truncated or corrupt)");
    }

    // ---- truncated files ----

    @Test
    void truncatedFilesOfEveryFormat() throws IOException {
        TriangleMesh m = Fixtures.random(5, 50, 100);
        for (MeshIO.Format format : MeshIO.Format.values()) {
            Path whole = dir.resolve("whole." + format.extension());
            MeshIO.write(whole, m);
            byte[] bytes = Files.readAllBytes(whole);
            Path cut = Fixtures.write(dir, "cut." + format.extension(), Arrays.copyOf(bytes, bytes.length * 2 / 3));
            if (format == MeshIO.Format.OBJ) {
                continue; // OBJ has no counts: a cut OBJ is a smaller valid mesh (or a broken last line)
            }
            assertThatThrownBy(() -> MeshIO.read(cut))
                    .as(format.toString())
                    .isInstanceOf(MeshFormatException.class)
                    .hasMessageStartingWith(cut.toString());
        }
    }

    @Test
    void truncatedBinaryPlyNamesTheOffset() throws IOException {
        TriangleMesh m = Fixtures.cube();
        Path whole = dir.resolve("cube.ply");
        PlyWriter.write(whole, m);
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = Fixtures.write(dir, "cut.ply", Arrays.copyOf(bytes, bytes.length - 10));
        assertThatThrownBy(() -> MeshIO.read(cut))
                .isInstanceOf(MeshFormatException.class)
                .hasMessageContaining("cut.ply: byte offset ")
                .hasMessageContaining("truncated");
    }

    @Test
    void truncatedOffNamesTheLine() throws IOException {
        Path f = Fixtures.write(dir, "cut.off", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1\n");
        assertThatThrownBy(() -> MeshIO.read(f))
                .isInstanceOf(MeshFormatException.class)
                .hasMessage(
                        f + ":6: expected as many vertex indices as the face count says, found the end of the line");
    }

    // ---- indices out of range, with file:line ----

    @Test
    void objIndexOutOfRange() throws IOException {
        Path f = Fixtures.write(dir, "bunny.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\nf 1 2 -4\n");
        assertThatThrownBy(() -> MeshIO.read(f))
                .isInstanceOf(MeshFormatException.class)
                .hasMessage(f + ":5: face index -4 out of range (3 vertices)");
        Path g = Fixtures.write(dir, "bunny2.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\n# c\nf 1 2 70001\n");
        assertThatThrownBy(() -> MeshIO.read(g))
                .isInstanceOf(MeshFormatException.class)
                .hasMessage(g + ":5: face index 70001 out of range (3 vertices)");
        Path h = Fixtures.write(dir, "zero.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 0 1 2\n");
        assertThatThrownBy(() -> MeshIO.read(h)).hasMessageStartingWith(h + ":4: face index 0 is invalid");
    }

    @Test
    void offIndexOutOfRange() throws IOException {
        Path f = Fixtures.write(dir, "t.off", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 3\n");
        assertThatThrownBy(() -> MeshIO.read(f))
                .isInstanceOf(MeshFormatException.class)
                .hasMessage(f + ":6: face 0: vertex index 3 out of range (3 vertices)");
    }

    @Test
    void asciiPlyIndexOutOfRange() throws IOException {
        Path f = Fixtures.write(
                dir,
                "t.ply",
                "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\n"
                        + "element face 1\nproperty list uchar int vertex_indices\nend_header\n"
                        + "0 0 0\n1 0 0\n0 1 0\n3 0 1 7\n");
        assertThatThrownBy(() -> MeshIO.read(f))
                .isInstanceOf(MeshFormatException.class)
                .hasMessage(f + ":13: face 0: vertex index 7 out of range (3 vertices)");
    }

    // ---- non-finite coordinates ----

    @Test
    void nanAndInfiniteCoordinatesNameTheVertex() throws IOException {
        Path obj = Fixtures.write(dir, "nan.obj", "v 0 0 0\nv 1 nan 0\nv 0 1 0\nf 1 2 3\n");
        assertThatThrownBy(() -> MeshIO.read(obj))
                .isInstanceOf(MeshFormatException.class)
                .hasMessage(obj + ":2: vertex 2 has a non-finite coordinate (NaN)");
        Path off = Fixtures.write(dir, "inf.off", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 -Infinity 0\n3 0 1 2\n");
        assertThatThrownBy(() -> MeshIO.read(off))
                .isInstanceOf(MeshFormatException.class)
                .hasMessage(off + ":5: vertex 2 has a non-finite coordinate (-Infinity)");
        Path big = Fixtures.write(dir, "big.off", "OFF\n3 1 0\n0 0 0\n1e39 0 0\n0 1 0\n3 0 1 2\n");
        assertThatThrownBy(() -> MeshIO.read(big))
                .hasMessage(big + ":4: vertex 1 has a non-finite coordinate (Infinity)");
        ByteBuffer b = ByteBuffer.allocate(84 + 50).order(ByteOrder.LITTLE_ENDIAN);
        b.position(80);
        b.putInt(1).putFloat(0).putFloat(0).putFloat(0); // count, normal
        b.putFloat(0).putFloat(0).putFloat(0).putFloat(1).putFloat(Float.NaN).putFloat(0);
        Path stl = Fixtures.write(dir, "nan.stl", b.array());
        assertThatThrownBy(() -> MeshIO.read(stl))
                .isInstanceOf(MeshFormatException.class)
                .hasMessage(
                        stl + ": byte offset 108: corner 1 of triangle 0 has a non-finite coordinate (1.0, NaN, 0.0)");
    }

    @Test
    void notANumber() throws IOException {
        Path f = Fixtures.write(dir, "t.obj", "v 0 0 0\nv 1 0x10 0\n");
        assertThatThrownBy(() -> MeshIO.read(f)).hasMessage(f + ":2: expected a vertex coordinate, found '0x10'");
        Path g = Fixtures.write(dir, "t2.obj", "v 0 0 0\nv 1 2f 0\n");
        assertThatThrownBy(() -> MeshIO.read(g)).hasMessage(g + ":2: expected a vertex coordinate, found '2f'");
    }

    // ---- unknown and empty ----

    @Test
    void unknownFormat() throws IOException {
        Path f = Fixtures.write(dir, "notes.txt", "Dear diary, today I made a mesh.\n");
        assertThatThrownBy(() -> MeshIO.read(f))
                .isInstanceOf(MeshFormatException.class)
                .hasMessage(f + ": unknown mesh format: the content is not OBJ, PLY, STL, OFF or GLB and the"
                        + " extension does not name one (first bytes: 'Dear diary, toda')");
    }

    @Test
    void gltfJsonIsNamed() throws IOException {
        Path f = Fixtures.write(dir, "scene.gltf", "{\"asset\":{\"version\":\"2.0\"}}");
        assertThatThrownBy(() -> MeshIO.read(f)).hasMessageContaining("glTF JSON (.gltf) is not supported");
    }

    @Test
    void emptyFile() throws IOException {
        for (String name : new String[] {"empty.obj", "empty.stl", "empty"}) {
            Path f = Fixtures.write(dir, name, "");
            assertThatThrownBy(() -> MeshIO.read(f))
                    .isInstanceOf(MeshFormatException.class)
                    .hasMessage(f + ": the file is empty");
        }
    }

    @Test
    void wrongExtensionIsIgnoredWhenTheContentIsClear() throws IOException {
        Path f = Fixtures.write(dir, "really-an-off.obj", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n");
        assertThat(MeshIO.detect(f)).isEqualTo(MeshIO.Format.OFF);
        assertThat(MeshIO.read(f).triangleCount()).isEqualTo(1);
    }

    @Test
    void degenerateTrianglesAreKeptByReaders() throws IOException {
        Path f = Fixtures.write(dir, "d.off", "OFF\n3 2 0\n0 0 0\n1 0 0\n2 0 0\n3 0 1 2\n3 0 0 1\n");
        TriangleMesh m = MeshIO.read(f);
        assertThat(m.triangleCount()).isEqualTo(2);
        assertThat(m.area()).isZero();
    }

    @Test
    void plyHeaderErrorsNameTheLine() throws IOException {
        Path f =
                Fixtures.write(dir, "t.ply", "ply\nformat ascii 1.0\nelement vertex 1\nproperty flaot x\nend_header\n");
        assertThatThrownBy(() -> MeshIO.read(f)).hasMessage(f + ":4: unknown property type 'flaot'");
        Path g = Fixtures.write(dir, "t2.ply", "ply\nformat ascii 1.0\nelement vertex 1\n");
        assertThatThrownBy(() -> MeshIO.read(g))
                .hasMessage(g + ":4: the file ends inside the header (no 'end_header' line)");
    }

    @Test
    void writerRejectsAnUnknownExtension() {
        assertThatThrownBy(() -> MeshIO.write(dir.resolve("x.fbx"), Fixtures.cube()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("use .obj, .ply, .stl, .off or .glb");
    }
}
