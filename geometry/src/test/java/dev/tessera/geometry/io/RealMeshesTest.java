package dev.tessera.geometry.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.geometry.TestMeshes;
import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every mesh of {@code testdata/meshes} loads, with the counts its header announces. */
class RealMeshesTest {
    static Stream<String> meshes() throws IOException {
        try (Stream<Path> files = Files.list(TestMeshes.testdata().resolve("meshes"))) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> !n.endsWith(".md"))
                    .sorted()
                    .toList();
            assertThat(names).hasSizeGreaterThanOrEqualTo(16);
            return names.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("meshes")
    void loadsWithTheHeaderCounts(String name) throws IOException {
        Path path = TestMeshes.mesh(name);
        TriangleMesh mesh = MeshIO.read(path);
        assertThat(MeshIO.detect(path).extension()).isEqualTo(name.substring(name.lastIndexOf('.') + 1));
        if (name.endsWith(".off")) {
            String[] counts = offCounts(path);
            assertThat(mesh.vertexCount()).isEqualTo(Integer.parseInt(counts[0]));
            // these files hold triangles only
            assertThat(mesh.triangleCount()).isEqualTo(Integer.parseInt(counts[1]));
        } else if (name.endsWith(".stl")) {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
            int n = b.getInt(80);
            assertThat(mesh.triangleCount()).isEqualTo(n);
            // welded: a closed triangle mesh of genus g has V = F/2 + 2 - 2g vertices, far fewer than 3F
            assertThat(mesh.vertexCount()).isLessThan(n);
        } else if (name.equals("b9.ply")) {
            assertThat(mesh.vertexCount()).isEqualTo(22300);
            assertThat(mesh.triangleCount()).isZero();
        }
        assertThat(mesh.vertexCount()).isPositive();
    }

    private static String[] offCounts(Path path) throws IOException {
        try (Stream<String> lines = Files.lines(path)) {
            return lines.skip(1)
                    .map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .findFirst()
                    .orElseThrow()
                    .split("\\s+");
        }
    }
}
