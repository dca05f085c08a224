package dev.tessera.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.data.safetensors.SafetensorsWriter;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.io.MeshIO;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class McCommandTest {
    @TempDir
    Path dir;

    private static float[] sphere(int r, double radius, double lo, double hi) {
        float[] v = new float[r * r * r];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < r; j++) {
                for (int k = 0; k < r; k++) {
                    double x = lo + (hi - lo) * i / (r - 1), y = lo + (hi - lo) * j / (r - 1);
                    double z = lo + (hi - lo) * k / (r - 1);
                    v[(i * r + j) * r + k] = (float) (Math.sqrt(x * x + y * y + z * z) - radius);
                }
            }
        }
        return v;
    }

    @Test
    void extractsTheZeroLevelOfAnSdfGrid() throws Exception {
        Path grid = dir.resolve("g.safetensors");
        new SafetensorsWriter()
                .addFloats("sdf", sphere(24, 1.0, -2, 2), 24, 24, 24)
                .addFloats("bounds", new float[] {-2, -2, -2, 2, 2, 2}, 6)
                .write(grid);
        Path out = dir.resolve("s.ply");
        CliTest.Run r = CliTest.run("mc", grid.toString(), out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("24×24×24").contains("triangles");
        TriangleMesh m = MeshIO.read(out);
        assertThat(m.volume()).isBetween(0.97 * 4 / 3 * Math.PI, 1.01 * 4 / 3 * Math.PI);
        CliTest.Run shifted = CliTest.run("mc", grid.toString(), out.toString(), "--level", "0.5");
        assertThat(shifted.code()).isZero();
        assertThat(MeshIO.read(out).volume()).isGreaterThan(4 / 3.0 * Math.PI * 3);
    }

    @Test
    void explainsBadGrids() throws Exception {
        Path grid = dir.resolve("flat.safetensors");
        new SafetensorsWriter().addFloats("sdf", new float[16], 4, 4).write(grid);
        CliTest.Run r = CliTest.run("mc", grid.toString(), dir.resolve("o.obj").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("tessera mc: ").contains("has shape [4, 4]");
        Path empty = dir.resolve("empty.safetensors");
        new SafetensorsWriter().addFloats("sdf", new float[8], 2, 2, 2).write(empty);
        CliTest.Run e = CliTest.run("mc", empty.toString(), dir.resolve("o.obj").toString(), "--level", "-1");
        assertThat(e.code()).isEqualTo(1);
        assertThat(e.err()).contains("no surface at level -1.0");
        assertThat(Files.exists(dir.resolve("o.obj"))).isFalse();
        CliTest.Run usage = CliTest.run("mc", empty.toString());
        assertThat(usage.code()).isEqualTo(2);
        CliTest.Run nan =
                CliTest.run("mc", empty.toString(), dir.resolve("o.obj").toString(), "--level", "NaN");
        assertThat(nan.code()).isEqualTo(2);
        assertThat(nan.err()).contains("--level must be a finite number");
    }
}
