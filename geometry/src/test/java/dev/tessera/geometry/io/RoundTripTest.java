package dev.tessera.geometry.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Write then read gives the same mesh, for every writer; ASCII and binary encodings agree. */
class RoundTripTest {
    @TempDir
    Path dir;

    static Stream<Long> seeds() {
        return Stream.of(1L, 2L, 3L, 4L);
    }

    private static void assertNormalsClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).isCloseTo(expected[i], within(1e-6f));
        }
    }

    static Stream<Arguments> textFormatsAndSeeds() {
        return Stream.of("obj", "off").flatMap(ext -> seeds().map(seed -> Arguments.of(ext, seed)));
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("textFormatsAndSeeds")
    void objAndOffAreExact(String ext, long seed) throws IOException {
        TriangleMesh m = Fixtures.random(seed, 200, 500);
        Path f = dir.resolve("m." + ext);
        MeshIO.write(f, m);
        TriangleMesh r = MeshIO.read(f);
        assertThat(r.positions()).containsExactly(m.positions());
        assertThat(r.triangles()).containsExactly(m.triangles());
        assertThat(r.colors()).containsExactly(m.colors());
        assertNormalsClose(r.normals(), m.normals());
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void plyIsBitExactInEveryEncoding(long seed) throws IOException {
        TriangleMesh m = Fixtures.random(seed, 200, 500);
        for (PlyWriter.Encoding e : PlyWriter.Encoding.values()) {
            Path f = dir.resolve("m-" + e + ".ply");
            PlyWriter.write(f, m, e);
            TriangleMesh r = MeshIO.read(f);
            assertThat(r.positions()).as(e.toString()).containsExactly(m.positions());
            assertThat(r.triangles()).containsExactly(m.triangles());
            assertNormalsClose(r.normals(), m.normals());
            float[] c = r.colors();
            float[] c0 = m.colors();
            for (int i = 0; i < c0.length; i++) {
                assertThat(c[i]).isCloseTo(c0[i], within(0.5f / 255 + 1e-7f));
            }
        }
        // the three encodings read back to the same mesh
        TriangleMesh ascii = MeshIO.read(dir.resolve("m-ASCII.ply"));
        assertThat(MeshIO.read(dir.resolve("m-BINARY_LITTLE_ENDIAN.ply"))).isEqualTo(ascii);
        assertThat(MeshIO.read(dir.resolve("m-BINARY_BIG_ENDIAN.ply"))).isEqualTo(ascii);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void stlIsBitExactAndAsciiAgreesWithBinary(long seed) throws IOException {
        TriangleMesh m = Fixtures.random(seed, 200, 500);
        Path bin = dir.resolve("m.stl");
        Path ascii = dir.resolve("m-ascii.stl");
        MeshIO.write(bin, m);
        StlWriter.writeAscii(ascii, m);
        assertThat(Files.size(bin)).isEqualTo(84 + 50L * m.triangleCount());
        TriangleMesh rb = MeshIO.read(bin);
        TriangleMesh ra = MeshIO.read(ascii);
        // STL has no normals or colours; vertices come back in order of first use, which the fixture follows
        assertThat(rb.positions()).containsExactly(m.positions());
        assertThat(rb.triangles()).containsExactly(m.triangles());
        assertThat(ra).isEqualTo(rb);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void glbIsBitExact(long seed) throws IOException {
        TriangleMesh m = Fixtures.random(seed, 200, 500);
        Path f = dir.resolve("m.glb");
        MeshIO.write(f, m);
        assertThat(Files.size(f) % 4).isZero();
        TriangleMesh r = MeshIO.read(f);
        assertThat(r.positions()).containsExactly(m.positions());
        assertThat(r.triangles()).containsExactly(m.triangles());
        assertThat(r.colors()).containsExactly(m.colors());
        assertNormalsClose(r.normals(), m.normals());
    }

    /** Files of several 64 KiB buffers, ending without a newline, so tokens straddle every buffer boundary. */
    @ParameterizedTest
    @MethodSource("seeds")
    void largeTextFilesWithoutAFinalNewline(long seed) throws IOException {
        TriangleMesh m = Fixtures.random(seed, 3000, 6000);
        for (MeshIO.Format format : new MeshIO.Format[] {MeshIO.Format.OBJ, MeshIO.Format.OFF}) {
            Path f = dir.resolve("big." + format.extension());
            MeshIO.write(f, m);
            byte[] b = Files.readAllBytes(f);
            // drop the final newline and shift the content by a seed-dependent comment
            String text = "#" + "x".repeat((int) (seed * 7919 % 4000)) + "\n"
                    + new String(b, 0, b.length - 1, java.nio.charset.StandardCharsets.US_ASCII);
            if (format == MeshIO.Format.OFF) {
                text = text.substring(text.indexOf('\n') + 1); // OFF must start with its keyword
                text = text.replaceFirst("\n", "\n#" + "y".repeat((int) (seed * 7919 % 4000)) + "\n");
            }
            Files.writeString(f, text);
            assertThat(Files.size(f)).isGreaterThan(3 * 65536);
            TriangleMesh r = MeshIO.read(f);
            assertThat(r.positions()).as(format.toString()).containsExactly(m.positions());
            assertThat(r.triangles()).containsExactly(m.triangles());
        }
    }

    @Test
    void glbWithoutNormalsOrColours() throws IOException {
        TriangleMesh m = Fixtures.cube();
        Path f = dir.resolve("cube.glb");
        GlbWriter.write(f, m);
        TriangleMesh r = MeshIO.read(f);
        assertThat(r).isEqualTo(m);
    }

    @Test
    void everyWriterReplacesAnExistingFileAndLeavesNoTemporaryFile() throws IOException {
        TriangleMesh m = Fixtures.cube();
        for (MeshIO.Format format : MeshIO.Format.values()) {
            Path f = dir.resolve("cube." + format.extension());
            Files.writeString(f, "old content");
            MeshIO.write(f, m);
            assertThat(MeshIO.detect(f)).isEqualTo(format);
            TriangleMesh r = MeshIO.read(f);
            assertThat(r.vertexCount()).isEqualTo(8);
            assertThat(r.volume()).isCloseTo(1.0, within(1e-9)); // STL renumbers vertices, so compare shapes
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).allMatch(n -> n.startsWith("cube."));
        }
    }

    @Test
    void emptyMeshesRoundTrip() throws IOException {
        TriangleMesh empty = new TriangleMesh(new float[0], new int[0]);
        for (MeshIO.Format format : MeshIO.Format.values()) {
            Path f = dir.resolve("empty." + format.extension());
            MeshIO.write(f, empty);
            TriangleMesh r = MeshIO.read(f);
            assertThat(r.isEmpty()).as(format.toString()).isTrue();
            assertThat(r.vertexCount()).isZero();
        }
    }
}
