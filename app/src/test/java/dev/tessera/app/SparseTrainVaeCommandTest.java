package dev.tessera.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.data.Progress;
import dev.tessera.data.prep.MeshSampleBuilder;
import dev.tessera.data.prep.PrepInputs;
import dev.tessera.data.prep.PrepJob;
import dev.tessera.data.prep.PrepOptions;
import dev.tessera.data.synth.ShapeClass;
import dev.tessera.data.synth.SyntheticShapes;
import dev.tessera.geometry.MeshCheck;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.io.MeshIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tessera train-vae --model sparse-structure|sparse-sdf}: the run directory of the vecset VAE's contract,
 * bit-exact resume, held-out validation (voxel IoU; mesh F-score and Chamfer), and the errors that name what is wrong.
 * That training lowers the loss and raises the IoU is tested in the model module ({@code SparseVaeTaskTest}).
 */
class SparseTrainVaeCommandTest {
    @TempDir
    static Path dir;

    static Path dataset;

    @BeforeAll
    static void prepare() throws Exception {
        Path synth = dir.resolve("synth");
        SyntheticShapes.generate(
                synth,
                3,
                7,
                List.of(ShapeClass.SPHERE, ShapeClass.BOX, ShapeClass.TORUS),
                32,
                MeshIO.Format.PLY,
                Progress.NONE);
        PrepOptions small = new PrepOptions.Builder()
                .watertightResolution(32)
                .surfacePoints(500)
                .sharpPoints(100)
                .nearSigmas(List.of(0.01))
                .nearPointsPerSigma(100)
                .nearSharpPoints(100)
                .volumePoints(100)
                .sparseResolution(32)
                .views(0, 48, false)
                .build();
        dataset = dir.resolve("ds");
        new PrepJob(dataset, small, new MeshSampleBuilder(), 2, false, "test")
                .run(PrepInputs.find(List.of(synth.toString()), null), Progress.NONE);
    }

    static String[] train(String model, Path data, Path run, String... extra) {
        List<String> args = new ArrayList<>(
                List.of("train-vae", "--model", model, "--data", data.toString(), "--out", run.toString()));
        args.addAll(List.of(extra));
        return args.toArray(new String[0]);
    }

    @Test
    void sparseStructureRunsResumeBitExactly() throws Exception {
        String[] opts = {"--batch-size", "2", "--checkpoint-every", "3", "--validation", "0,2", "--lr", "3e-3"};
        Path straight = dir.resolve("ss-straight");
        List<String> a = new ArrayList<>(List.of(opts));
        a.addAll(List.of("--steps", "6"));
        CliTest.Run r = CliTest.run(train("sparse-structure", dataset, straight, a.toArray(new String[0])));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("train-vae: sparse-structure 16³ occupancy → 8×4³ latent")
                .contains("2 validated")
                .contains("val/iou");
        for (String f :
                List.of("config.json", "model.safetensors", "sparse.json", "train.json", "metrics.jsonl", "loss.png")) {
            assertThat(Files.exists(straight.resolve(f))).as(f).isTrue();
        }
        assertThat(Files.readString(straight.resolve("sparse.json"))).contains("\"model\" : \"sparse-structure\"");

        // an interrupted run: the uninterrupted one without its last checkpoint (a run of fewer --steps would have
        // another learning-rate schedule)
        Path split = dir.resolve("ss-split");
        copy(straight, split);
        deleteTree(split.resolve("checkpoints/step-0000005"));
        CliTest.Run changed = CliTest.run(train("sparse-structure", dataset, split, "--resume", "--channels", "8,8,8"));
        assertThat(changed.code()).isEqualTo(2);
        assertThat(changed.err()).contains("only --steps may change, not --channels");
        CliTest.Run wrong = CliTest.run(train("sparse-sdf", dataset, split, "--resume"));
        assertThat(wrong.code()).isEqualTo(2);
        assertThat(wrong.err()).contains("is a sparse-structure run; resume it with --model sparse-structure");
        CliTest.Run resumed = CliTest.run(train("sparse-structure", dataset, split, "--resume", "--steps", "6"));
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(Files.readAllBytes(split.resolve("checkpoints/step-0000005/model.safetensors")))
                .as("resumed weights equal the uninterrupted run's")
                .isEqualTo(Files.readAllBytes(straight.resolve("checkpoints/step-0000005/model.safetensors")));

        CliTest.Run again = CliTest.run(train("sparse-structure", dataset, straight, "--steps", "4"));
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("already holds checkpoints").contains("--resume");
    }

    static void copy(Path from, Path to) throws java.io.IOException {
        try (var files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t);
                }
            }
        }
    }

    static void deleteTree(Path p) throws java.io.IOException {
        try (var files = Files.walk(p)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    @Test
    void sparseSdfRunsValidateWithMeshMetrics() throws Exception {
        Path run = dir.resolve("sdf");
        CliTest.Run r = CliTest.run(train(
                "sparse-sdf",
                dataset,
                run,
                "--steps",
                "3",
                "--batch-size",
                "1",
                "--validation",
                "0,1",
                "--lr",
                "3e-3"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("train-vae: sparse-sdf 32³ sparse SDF") // the dataset's sparse_resolution
                .contains("val/iou")
                .contains("val/fscore@0.01")
                .contains("val/near_surface_iou");
        assertThat(Files.exists(run.resolve("checkpoints/step-0000002/optimizer.safetensors")))
                .isTrue();
    }

    private static CliTest.Run reconstruct(Path ckpt, Path mesh, Path out, String... more) {
        List<String> a = new java.util.ArrayList<>(
                List.of("reconstruct", "--ckpt", ckpt.toString(), "--mesh", mesh.toString(), "--out", out.toString()));
        a.addAll(List.of(more));
        return CliTest.run(a.toArray(new String[0]));
    }

    @Test
    void reconstructRunsThroughBothSparseFamilies() throws Exception {
        Path mesh = MeshCommandsTest.testMesh("sphere.stl");
        dev.tessera.model.sparse.SparseStructureVaeConfig c = dev.tessera.model.sparse.SparseStructureVaeConfig.tiny();
        Path ss = dir.resolve("ss-ckpt");
        dev.tessera.model.Checkpoint.save(
                ss, c, new dev.tessera.model.sparse.SparseStructureVae(c, dev.tessera.model.Rng.cpu(0)));
        Path out = dir.resolve("ss.obj");
        CliTest.Run r = reconstruct(ss, mesh, out, "--watertight-resolution", "32", "--metrics");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("voxels:")
                .contains("voxel_iou")
                .contains("fscore@0.01")
                .contains("chamfer_l1");
        assertThat(Files.size(out)).isPositive();
        // the clean-up options of the vecset reconstruction apply to sparse ones too
        Path small = dir.resolve("ss-small.obj");
        int full = MeshIO.read(out).triangleCount();
        CliTest.Run cleaned = reconstruct(
                ss,
                mesh,
                small,
                "--watertight-resolution",
                "32",
                "--min-component",
                "0.3",
                "--decimate",
                Integer.toString(full / 3));
        assertThat(cleaned.code()).as(cleaned.err()).isZero();
        TriangleMesh decimated = MeshIO.read(small);
        assertThat(decimated.triangleCount()).isPositive().isLessThan(full / 2); // stops where collapses would fold
        assertThat(MeshCheck.of(decimated).components())
                .isLessThanOrEqualTo(3); // each kept part has ≥ 30 % of the area
        CliTest.Run badShare = reconstruct(ss, mesh, small, "--min-component", "1.5");
        assertThat(badShare.code()).isEqualTo(2);
        assertThat(badShare.err()).contains("--min-component is a share of the area in [0, 1), got 1.5");

        dev.tessera.model.sparse.SparseSdfVaeConfig s = dev.tessera.model.sparse.SparseSdfVaeConfig.tiny();
        Path sdf = dir.resolve("sdf-ckpt");
        dev.tessera.model.Checkpoint.save(
                sdf, s, new dev.tessera.model.sparse.SparseSdfVae(s, dev.tessera.model.Rng.cpu(0)));
        CliTest.Run d = reconstruct(sdf, mesh, dir.resolve("sdf.obj"), "--watertight-resolution", "32", "--metrics");
        // an untrained decoder: either a surface with its metrics, or the refusal naming the voxel IoU
        assertThat(d.code() == 0 ? d.out() : d.err()).contains(d.code() == 0 ? "fscore@0.01" : "voxel IoU");

        CliTest.Run vecsetOnly = reconstruct(sdf, mesh, dir.resolve("x.obj"), "--dense");
        assertThat(vecsetOnly.code()).isEqualTo(2);
        assertThat(vecsetOnly.err()).contains("--dense apply to vecset VAEs");

        // a new model keeps every child: a 1 MiB budget refuses its decode with the estimate, and writes nothing
        CliTest.Run tight = reconstruct(
                sdf, mesh, dir.resolve("tight.obj"), "--watertight-resolution", "32", "--max-memory", "0.001");
        assertThat(tight.code()).isEqualTo(1);
        assertThat(tight.err()).contains("GiB, over the 0.00 GiB budget").contains("--max-memory");
        assertThat(dir.resolve("tight.obj")).doesNotExist();
        CliTest.Run zero = reconstruct(sdf, mesh, Path.of("z.obj"), "--max-memory", "0");
        assertThat(zero.code()).isEqualTo(2);
        assertThat(zero.err()).contains("--max-memory must be positive");
    }

    @Test
    void badInputsAreRefusedWithTheReason() throws Exception {
        Path noSparse = TrainVaeCommandTest.datasetWithoutSparse(dir.resolve("nosparse"));
        CliTest.Run sdf = CliTest.run(train("sparse-sdf", noSparse, dir.resolve("x"), "--steps", "2"));
        assertThat(sdf.code()).as(sdf.err()).isEqualTo(1);
        assertThat(sdf.err()).contains("sparse.coords").contains("--sparse-resolution");
        CliTest.Run res = CliTest.run(train("sparse-sdf", dataset, dir.resolve("y"), "--resolution", "64"));
        assertThat(res.code()).isEqualTo(1);
        assertThat(res.err())
                .contains("sparse_resolution is 32 but the model takes 64")
                .contains("--sparse-resolution");
        CliTest.Run vecsetOnly =
                CliTest.run(train("sparse-structure", dataset, dir.resolve("z"), "--queries", "1,2,3"));
        assertThat(vecsetOnly.code()).isEqualTo(2);
        assertThat(vecsetOnly.err()).contains("--queries apply to the vecset VAE, not to sparse-structure");
        CliTest.Run preset = CliTest.run(train("sparse-sdf", dataset, dir.resolve("w"), "--preset", "trellis"));
        assertThat(preset.code()).isEqualTo(2);
        assertThat(preset.err()).contains("--preset of sparse-sdf: tiny, bench or direct3d-s2");
        CliTest.Run model = CliTest.run(train("octree", dataset, dir.resolve("v")));
        assertThat(model.code()).isEqualTo(2);
        assertThat(model.err()).contains("--model").contains("sparse-structure");
    }
}
