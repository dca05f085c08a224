package dev.tessera.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.geometry.MeshCheck;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.io.MeshIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tessera convert} and {@code tessera check}, run in-process. */
class MeshCommandsTest {
    @TempDir
    Path dir;

    static CliTest.Run run(String... args) {
        return CliTest.run(args);
    }

    static Path testMesh(String name) {
        String p = System.getProperty("tessera.testdata");
        return (p != null ? Path.of(p) : Path.of("..", "testdata"))
                .resolve("meshes")
                .resolve(name);
    }

    @Test
    void checkPrintsTheReport() {
        CliTest.Run r = run("check", testMesh("holes.off").toString());
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .contains("format                 off")
                .contains("boundary edges         304 in 7 loops")
                .contains("closed                 no");
    }

    @Test
    void checkJsonAndStrict() {
        CliTest.Run r =
                run("check", "--json", "--strict", testMesh("sphere.stl").toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("{\"file\":").contains("\"genus\":0").contains("\"watertight\":true");
        CliTest.Run open = run("check", "--strict", testMesh("holes.off").toString());
        assertThat(open.code()).isEqualTo(Cli.FAILED);
        assertThat(open.err()).startsWith("tessera check: ").contains("is not watertight (304 boundary edges");
    }

    @Test
    void checkFailsWithOneLineOnUnreadableFiles() throws IOException {
        Path bad = dir.resolve("bad.off");
        Files.writeString(bad, "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 9\n");
        CliTest.Run r = run("check", bad.toString());
        assertThat(r.code()).isEqualTo(Cli.FAILED);
        assertThat(r.err())
                .isEqualTo("tessera check: " + bad + ":6: face 0: vertex index 9 out of range (3 vertices)"
                        + System.lineSeparator());
        CliTest.Run missing = run("check", dir.resolve("nothing.obj").toString());
        assertThat(missing.code()).isEqualTo(Cli.FAILED);
        assertThat(missing.err()).contains("nothing.obj: no such file").doesNotContain("\n\n");
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello\n");
        assertThat(run("check", text.toString()).err()).contains("unknown mesh format");
    }

    @Test
    void convertBetweenEveryPairOfFormats() throws IOException {
        Path src = testMesh("knot1.off");
        TriangleMesh original = MeshIO.read(src);
        Path prev = src;
        for (MeshIO.Format f : MeshIO.Format.values()) {
            Path out = dir.resolve("knot." + f.extension());
            CliTest.Run r = run("convert", prev.toString(), out.toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).startsWith("wrote " + out + ": 3200 vertices, 6400 triangles");
            TriangleMesh m = MeshIO.read(out);
            assertThat(m.triangleCount()).isEqualTo(original.triangleCount());
            assertThat(m.area()).isCloseTo(original.area(), org.assertj.core.api.Assertions.within(1e-6));
            assertThat(MeshCheck.of(m).genus()).isEqualTo(1);
            prev = out;
        }
    }

    @Test
    void convertCleansAndWritesAscii() throws IOException {
        Path out = dir.resolve("pig.ply");
        CliTest.Run r = run("convert", "--clean", "--ascii", testMesh("pig.stl").toString(), out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("(merged 0 vertices, removed 0 degenerate");
        assertThat(Files.readString(out)).startsWith("ply\nformat ascii 1.0\n");
    }

    @Test
    void convertRejectsUnknownOutputFormatsAsUsageErrors() {
        CliTest.Run r = run(
                "convert",
                testMesh("cow.off").toString(),
                dir.resolve("cow.fbx").toString());
        assertThat(r.code()).isEqualTo(Cli.USAGE);
        assertThat(r.err()).contains("cannot tell the output format");
        assertThat(dir.resolve("cow.fbx")).doesNotExist();
        CliTest.Run withTo = run(
                "convert",
                "--to",
                "obj",
                testMesh("cow.off").toString(),
                dir.resolve("cow.mesh").toString());
        assertThat(withTo.code()).isZero();
    }
}
