package dev.tessera.data.prep;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.data.Progress;
import dev.tessera.data.dataset.Dataset;
import dev.tessera.data.dataset.Manifest;
import dev.tessera.data.dataset.ManifestRecord;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.sample.Sample;
import dev.tessera.data.sample.SampleValidator;
import dev.tessera.data.synth.ShapeClass;
import dev.tessera.data.synth.SyntheticShapes;
import dev.tessera.geometry.MeshDistance;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.Watertight;
import dev.tessera.geometry.WatertightOptions;
import dev.tessera.geometry.io.MeshIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrepJobTest {
    @TempDir
    Path dir;

    /** Small, fast settings: R 48 watertight, a few thousand points, 2 views of 48 px. */
    static PrepOptions tiny() {
        return new PrepOptions.Builder()
                .watertightResolution(48)
                .surfacePoints(2000)
                .sharpPoints(500)
                .nearSigmas(List.of(0.005, 0.02))
                .nearPointsPerSigma(1000)
                .nearSharpPoints(500)
                .volumePoints(2000)
                .sparseResolution(32)
                .views(2, 48, false)
                .build();
    }

    static PrepJob.Summary prep(Path input, Path out, int workers) throws IOException {
        PrepJob job = new PrepJob(out, tiny(), new MeshSampleBuilder(), workers, false, "test");
        return job.run(PrepInputs.find(List.of(input.toString()), null), Progress.NONE);
    }

    static Path synth(Path dir, int count) throws IOException {
        SyntheticShapes.generate(
                dir, count, 7, Arrays.asList(ShapeClass.values()), 40, MeshIO.Format.PLY, Progress.NONE);
        return dir;
    }

    @Test
    void synthThenPrepGivesValidConsistentSamples() throws IOException {
        Path in = synth(dir.resolve("synth"), 6);
        PrepJob.Summary s = prep(in, dir.resolve("ds"), 2);
        assertThat(s.written()).isEqualTo(6);
        assertThat(s.failed()).isZero();
        Dataset d = Dataset.open(dir.resolve("ds"));
        assertThat(d.labels()).containsExactly("box", "cone", "cylinder", "rounded_box", "sphere", "torus");
        for (String id : d.ids()) {
            try (SafetensorsReader r = d.open(id)) {
                SampleValidator.Report rep = SampleValidator.validate(r);
                assertThat(rep.problems()).as(id).isEmpty();
                assertThat(rep.signChecked()).isGreaterThan(1000);
                assertThat(rep.signDisagreements()).as(id).isZero();
                assertThat(rep.views()).isEqualTo(2);
            }
        }
        // surface points lie on the watertight surface: rebuild it from the source exactly as prep does
        ManifestRecord first = d.entries().get(0);
        Sample sample = Sample.read(d.file(first.id()));
        TriangleMesh src = MeshIO.read(Path.of(first.source()));
        TriangleMesh wt = Watertight.remesh(
                dev.tessera.geometry.MeshCleanup.clean(src, dev.tessera.geometry.CleanupOptions.defaults())
                        .normalized(0.9),
                new WatertightOptions(48, 0.05, true));
        float[] dist = MeshDistance.of(wt).unsigned(sample.surfacePoints());
        for (float v : dist) {
            assertThat(v).isLessThan(1e-4f);
        }
        // a second run skips everything
        PrepJob.Summary again = prep(in, dir.resolve("ds"), 2);
        assertThat(again.skipped()).isEqualTo(6);
        assertThat(again.written()).isZero();
    }

    @Test
    void brokenInputsAreRecordedAndTheRunGoesOn() throws IOException {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.copy(synth(dir.resolve("s"), 1).resolve("sphere/sphere-00000.ply"), in.resolve("good.ply"));
        Files.writeString(in.resolve("garbage.obj"), "v 0 0 0\nf 1 2 3\n");
        Files.write(in.resolve("empty.stl"), new byte[0]);
        Files.writeString(in.resolve("flat.off"), "OFF\n3 1 0\n0 0 0\n1 0 0\n2 0 0\n3 0 1 2\n");
        Files.writeString(in.resolve("notes.txt.md"), "not a mesh");
        PrepJob.Summary s = prep(in, dir.resolve("ds"), 2);
        assertThat(s.written()).isEqualTo(1);
        assertThat(s.failed()).isEqualTo(3);
        assertThat(s.unknownFormat()).hasSize(1);
        Map<String, ManifestRecord> m =
                Manifest.read(dir.resolve("ds/manifest.jsonl")).latest();
        assertThat(m.get("garbage").error()).contains("garbage.obj:2");
        assertThat(m.get("empty").error()).isNotBlank();
        assertThat(m.get("flat").error()).containsAnyOf("zero", "degenerate");
        // failed sources are not retried with the same settings
        PrepJob.Summary again = prep(in, dir.resolve("ds"), 1);
        assertThat(again.previouslyFailed()).isEqualTo(3);
    }

    /** The repository's real meshes (scans with holes, CAD parts, STL and PLY): every one preps and validates. */
    @Test
    void everyRealMeshPreps() throws IOException {
        String p = System.getProperty("tessera.testdata");
        Path meshes = (p != null ? Path.of(p) : Path.of("..", "testdata")).resolve("meshes");
        PrepJob job = new PrepJob(
                dir.resolve("ds"),
                tiny().toBuilder().views(0, 48, false).build(),
                new MeshSampleBuilder(),
                2,
                false,
                "test");
        PrepJob.Summary s = job.run(PrepInputs.find(List.of(meshes.toString()), null), Progress.NONE);
        assertThat(s.total()).isEqualTo(16);
        // b9.ply is a point cloud (22,300 vertices, no faces): recorded as failed with the reason
        Map<String, ManifestRecord> records =
                Manifest.read(dir.resolve("ds/manifest.jsonl")).latest();
        assertThat(records.get("b9").error()).startsWith("no triangles: a point cloud of 22300 vertices");
        assertThat(records.values())
                .filteredOn(r -> !r.id().equals("b9"))
                .allSatisfy(
                        r -> assertThat(r.ok()).as(r.id() + ": " + r.error()).isTrue());
        assertThat(s.written()).isEqualTo(15);
        Dataset d = Dataset.open(dir.resolve("ds"));
        for (String id : d.ids()) {
            try (SafetensorsReader r = d.open(id)) {
                SampleValidator.Report rep = SampleValidator.validate(r);
                assertThat(rep.problems()).as(id).isEmpty();
                assertThat(rep.signDisagreements()).as(id).isZero();
            }
        }
        // fandisk is a CAD part: it has sharp edges; the sphere has none
        assertThat(Sample.read(d.file("fandisk")).sharpPoints()).isNotEmpty();
        assertThat(Sample.read(d.file("sphere")).sharpPoints()).isEmpty();
    }

    @Test
    void fixedViewsAreTheSameOrbitForEveryShape() throws IOException {
        Path in = synth(dir.resolve("synth"), 2);
        PrepOptions o = tiny().toBuilder().views(4, 32, true).fixedViews(true).build();
        new PrepJob(dir.resolve("ds"), o, new MeshSampleBuilder(), 1, false, "test")
                .run(PrepInputs.find(List.of(in.toString()), null), Progress.NONE);
        Dataset d = Dataset.open(dir.resolve("ds"));
        for (String id : d.ids()) {
            float[] orbits = Sample.read(d.file(id)).views().orbits();
            for (int v = 0; v < 4; v++) {
                assertThat(orbits[4 * v]).isEqualTo(90f * v);
                assertThat(orbits[4 * v + 1]).isEqualTo(20f);
            }
            // framed with air around the shape: the corners are transparent, the centre is covered
            byte[] images = Sample.read(d.file(id)).views().images();
            for (int v = 0; v < 4; v++) {
                int base = v * 32 * 32 * 4;
                assertThat(images[base + 3]).as("corner alpha").isZero();
                assertThat(images[base + (16 * 32 + 16) * 4 + 3])
                        .as("centre alpha")
                        .isEqualTo((byte) -1);
            }
        }
    }

    /** Entry point of the child JVM that gets killed: prep with one worker. */
    public static void main(String[] args) throws IOException {
        prep(Path.of(args[0]), Path.of(args[1]), 1);
    }

    @Test
    void sigkillMidRunThenResumeGivesTheSameFiles() throws Exception {
        Path in = synth(dir.resolve("synth"), 8);
        Path straight = dir.resolve("straight");
        prep(in, straight, 2);

        Path killed = dir.resolve("killed");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        PrepJobTest.class.getName(),
                        in.toString(),
                        killed.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        Path samples = killed.resolve("samples");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (countSamples(samples) < 2 && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(p.isAlive())
                .as("the child must still be working when killed")
                .isTrue();
        p.destroyForcibly(); // SIGKILL
        p.waitFor();
        int before = countSamples(samples);
        assertThat(before).isBetween(2, 7);
        PrepJob.Summary resumed = prep(in, killed, 2);
        assertThat(resumed.skipped()).isGreaterThanOrEqualTo(before - 1);
        assertThat(resumed.failed()).isZero();
        for (String id : Dataset.open(straight).ids()) {
            Path a = straight.resolve("samples").resolve(id + ".safetensors");
            Path b = killed.resolve("samples").resolve(id + ".safetensors");
            assertThat(Files.readAllBytes(b)).as(id).isEqualTo(Files.readAllBytes(a));
        }
        try (Stream<Path> s = Files.walk(samples)) {
            assertThat(s.filter(f -> f.getFileName().toString().endsWith(".tmp")))
                    .isEmpty();
        }
        assertThat(Dataset.open(killed).size()).isEqualTo(8);
    }

    private static int countSamples(Path samples) throws IOException {
        if (!Files.isDirectory(samples)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(samples)) {
            return (int) s.filter(f -> f.getFileName().toString().endsWith(".safetensors"))
                    .count();
        }
    }
}
