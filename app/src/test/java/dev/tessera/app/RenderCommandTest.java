package dev.tessera.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.io.MeshIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderCommandTest {
    @TempDir
    Path dir;

    /** An octahedron, written as OFF. */
    Path octahedron(String name) throws Exception {
        float[] p = {1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1};
        int[] t = {0, 2, 4, 2, 1, 4, 1, 3, 4, 3, 0, 4, 2, 0, 5, 1, 2, 5, 3, 1, 5, 0, 3, 5};
        Path f = dir.resolve(name);
        MeshIO.write(f, new TriangleMesh(p, t));
        return f;
    }

    @Test
    void writesAContactSheetOrASingleView() throws Exception {
        Path mesh = octahedron("octa.off");
        Path sheet = dir.resolve("sheet.png");
        CliTest.Run r = CliTest.run("render", mesh.toString(), "--out", sheet.toString(), "--size", "64");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote").contains("8 views of octa.off").contains("6 vertices");
        BufferedImage img = ImageIO.read(sheet.toFile());
        assertThat(img.getWidth()).isEqualTo(3 * 64 + 4 * 2);
        assertThat(img.getHeight()).isGreaterThan(3 * 64);

        Path one = dir.resolve("one.png");
        r = CliTest.run(
                "render",
                mesh.toString(),
                "--out",
                one.toString(),
                "--size",
                "48",
                "--views",
                "1",
                "--normals",
                "--background",
                "transparent");
        assertThat(r.code()).as(r.err()).isZero();
        BufferedImage single = ImageIO.read(one.toFile());
        assertThat(single.getWidth()).isEqualTo(48);
        assertThat(single.getHeight()).isEqualTo(48);
        assertThat(single.getRGB(0, 0) >>> 24).isZero();
        assertThat(single.getRGB(24, 24) >>> 24).isEqualTo(255);

        Path grid = dir.resolve("grid.png");
        r = CliTest.run(
                "render",
                mesh.toString(),
                octahedron("second.off").toString(),
                "--out",
                grid.toString(),
                "--size",
                "40",
                "--depth");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("2 meshes");
        assertThat(ImageIO.read(grid.toFile()).getWidth()).isEqualTo(2 * 40 + 3 * 2);
    }

    @Test
    void badRequestsFailWithoutWriting() throws Exception {
        Path mesh = octahedron("octa.off");
        Path png = dir.resolve("x.png");
        CliTest.Run r = CliTest.run("render", mesh.toString(), "--out", png.toString(), "--size", "0");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("0×0");
        r = CliTest.run("render", mesh.toString(), "--out", dir.resolve("x.jpg").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(".png");
        r = CliTest.run("render", mesh.toString(), "--out", png.toString(), "--normals", "--depth");
        assertThat(r.code()).isEqualTo(2);
        r = CliTest.run("render", mesh.toString(), "--out", png.toString(), "--background", "plaid");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("plaid");
        r = CliTest.run("render", dir.resolve("missing.obj").toString(), "--out", png.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("tessera render: ").contains("missing.obj");
        Path empty = dir.resolve("empty.off");
        Files.writeString(empty, "OFF\n3 1 0\n0 0 0\n0 0 0\n0 0 0\n3 0 1 2\n");
        r = CliTest.run("render", empty.toString(), "--out", png.toString());
        assertThat(r.code()).as(r.out()).isEqualTo(1);
        assertThat(r.err()).contains("empty.off");
        assertThat(png).doesNotExist();
        r = CliTest.run("render", mesh.toString(), empty.toString(), "--out", png.toString());
        assertThat(r.code())
                .as("a sheet of several files names the one it cannot draw")
                .isEqualTo(1);
        assertThat(r.err()).contains("empty.off").contains("no triangles of positive area");
        assertThat(png).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }
}
