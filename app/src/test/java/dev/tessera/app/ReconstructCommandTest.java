package dev.tessera.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.io.MeshIO;
import dev.tessera.model.Checkpoint;
import dev.tessera.model.Rng;
import dev.tessera.model.StateDict;
import dev.tessera.model.nn.Init;
import dev.tessera.model.vecset.ShapeVae;
import dev.tessera.model.vecset.ShapeVaeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tessera reconstruct}: the command's wiring, output and errors, on an untrained tiny VAE (whose field crosses
 * 0 in places) and on one whose field is constant. Reconstruction quality is tested in the model module ({@code
 * VecsetReconstructionTest}).
 */
class ReconstructCommandTest {
    @TempDir
    static Path dir;

    static Path vae;
    static Path flat;
    static Path mesh = MeshCommandsTest.testMesh("sphere.stl");

    @BeforeAll
    static void checkpoints() throws Exception {
        ShapeVaeConfig c = ShapeVaeConfig.tiny();
        vae = dir.resolve("vae");
        Checkpoint.save(vae, c, new ShapeVae(c, Rng.cpu(0)));
        ShapeVae constant = new ShapeVae(c, Rng.cpu(0));
        for (var e : StateDict.of(constant).entrySet()) {
            if (e.getKey().startsWith("geo_decoder.output_proj.")) {
                Init.constant(e.getValue(), e.getKey().endsWith("bias") ? 0.5 : 0);
            }
        }
        flat = dir.resolve("flat");
        Checkpoint.save(flat, c, constant);
    }

    static String[] args(Path ckpt, Path out, String... extra) {
        java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of(
                "reconstruct",
                "--ckpt",
                ckpt.toString(),
                "--mesh",
                mesh.toString(),
                "--out",
                out.toString(),
                "--watertight-resolution",
                "32"));
        a.addAll(java.util.List.of(extra));
        if (!a.contains("--resolution")) {
            a.addAll(java.util.List.of("--resolution", "64"));
        }
        return a.toArray(new String[0]);
    }

    @Test
    void writesTheMeshAndReportsQueriesAndMetrics() throws Exception {
        Path out = dir.resolve("out.glb");
        CliTest.Run r = CliTest.run(args(vae, out, "--metrics", "--min-component", "0"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("decoder queries")
                .contains("fewer than dense 274,625")
                .contains("32→64")
                .contains("volume_iou");
        TriangleMesh m = MeshIO.read(out);
        assertThat(m.triangleCount()).isPositive();
        try (var files = Files.list(dir)) {
            assertThat(files.filter(p -> p.getFileName().toString().contains(".tmp")))
                    .isEmpty();
        }
    }

    @Test
    void aFieldWithoutSurfaceWritesNothing() {
        Path out = dir.resolve("none.ply");
        CliTest.Run r = CliTest.run(args(flat, out));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("no surface");
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void badInputsAreRefusedWithTheReason() {
        CliTest.Run ext = CliTest.run(args(vae, dir.resolve("x.xyz")));
        assertThat(ext.code()).isEqualTo(2);
        assertThat(ext.err()).contains("cannot tell the output format");
        CliTest.Run noCkpt = CliTest.run(args(dir.resolve("missing"), dir.resolve("y.obj")));
        assertThat(noCkpt.code()).isEqualTo(1);
        assertThat(noCkpt.err()).contains("not a checkpoint directory");
        CliTest.Run huge = CliTest.run(args(vae, dir.resolve("z.obj"), "--dense", "--resolution", "4000"));
        assertThat(huge.code()).isEqualTo(1);
        assertThat(huge.err()).contains("4001³").contains("decode hierarchically");
        assertThat(Files.exists(dir.resolve("z.obj"))).isFalse();
    }

    @Test
    void aPointCloudIsRefusedNamingTheFile() throws Exception {
        Path cloud = dir.resolve("cloud.off");
        Files.writeString(cloud, "OFF\n3 0 0\n0 0 0\n1 0 0\n0 1 0\n");
        CliTest.Run r = CliTest.run(
                "reconstruct",
                "--ckpt",
                vae.toString(),
                "--mesh",
                cloud.toString(),
                "--out",
                dir.resolve("cloud-vae.obj").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err())
                .contains("cloud.off")
                .contains("a point cloud of 3 vertices")
                .contains("reconstruct");
        assertThat(Files.exists(dir.resolve("cloud-vae.obj"))).isFalse();
    }
}
