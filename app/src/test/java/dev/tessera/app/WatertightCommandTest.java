package dev.tessera.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.geometry.MeshCheck;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.io.MeshIO;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatertightCommandTest {
    @TempDir
    Path dir;

    /** An open box: a unit cube without its top face, and a detached triangle beside it. */
    private Path openBoxAndTriangle() throws Exception {
        TriangleMesh m = new TriangleMesh(
                new float[] {
                    0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 2, 0, 0, 3, 0, 0, 2, 1, 0.5f
                },
                new int[] {
                    0, 2, 1, 0, 3, 2, // bottom
                    0, 1, 5, 0, 5, 4, // y = 0
                    1, 2, 6, 1, 6, 5, // x = 1
                    2, 3, 7, 2, 7, 6, // y = 1
                    3, 0, 4, 3, 4, 7, // x = 0
                    8, 9, 10 // the detached triangle
                });
        Path in = dir.resolve("open.obj");
        MeshIO.write(in, m);
        return in;
    }

    @Test
    void repairsAnOpenMeshKeepingDetachedParts() throws Exception {
        Path in = openBoxAndTriangle();
        Path out = dir.resolve("closed.ply");
        CliTest.Run r = CliTest.run("watertight", in.toString(), out.toString(), "--resolution", "48");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("watertight").contains("2 components").contains("48³");
        TriangleMesh closed = MeshIO.read(out);
        MeshCheck check = MeshCheck.of(closed);
        assertThat(check.isWatertight()).isTrue();
        assertThat(check.components()).isEqualTo(2);
        assertThat(closed.volume()).isPositive();
        CliTest.Run shrunk = CliTest.run("watertight", in.toString(), out.toString(), "-r", "32", "--shrink");
        assertThat(shrunk.code()).as(shrunk.err()).isZero();
        assertThat(shrunk.out()).contains("shrunk");
    }

    @Test
    void explainsBadInput() throws Exception {
        Path in = openBoxAndTriangle();
        CliTest.Run low =
                CliTest.run("watertight", in.toString(), dir.resolve("o.obj").toString(), "-r", "8");
        assertThat(low.code()).isEqualTo(2);
        assertThat(low.err()).contains("--resolution must be in [16, 1024], got 8");
        CliTest.Run ext =
                CliTest.run("watertight", in.toString(), dir.resolve("o.txt").toString());
        assertThat(ext.code()).isEqualTo(2);
        assertThat(ext.err()).contains("cannot tell the output format");
        Path cloud = dir.resolve("cloud.ply");
        Files.writeString(
                cloud,
                "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\n"
                        + "element face 0\nproperty list uchar int vertex_indices\nend_header\n0 0 0\n1 0 0\n0 1 0\n");
        CliTest.Run c =
                CliTest.run("watertight", cloud.toString(), dir.resolve("o.obj").toString());
        assertThat(c.code()).isEqualTo(1);
        assertThat(c.err()).contains("point cloud");
        assertThat(Files.exists(dir.resolve("o.obj"))).isFalse();
        CliTest.Run missing = CliTest.run("watertight", dir.resolve("nope.obj").toString(), "o.obj");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("nope.obj");
    }
}
