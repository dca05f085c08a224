package dev.tessera.data.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.sample.Sample;
import dev.tessera.data.sample.SampleSchema;
import dev.tessera.data.sample.SampleValidator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {
    @TempDir
    Path dir;

    /** A valid sample of a sphere of radius 0.5: analytic points, normals, SDF and voxels. */
    static Sample sphereSample(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = new float[3 * n], nn = new float[3 * n];
        for (int i = 0; i < n; i++) {
            double x = r.nextGaussian(), y = r.nextGaussian(), z = r.nextGaussian();
            double len = Math.sqrt(x * x + y * y + z * z);
            nn[3 * i] = (float) (x / len);
            nn[3 * i + 1] = (float) (y / len);
            nn[3 * i + 2] = (float) (z / len);
            p[3 * i] = 0.5f * nn[3 * i];
            p[3 * i + 1] = 0.5f * nn[3 * i + 1];
            p[3 * i + 2] = 0.5f * nn[3 * i + 2];
        }
        float[] q = new float[3 * n], sdf = new float[n];
        for (int i = 0; i < n; i++) {
            double x = r.nextDouble() * 2.1 - 1.05, y = r.nextDouble() * 2.1 - 1.05, z = r.nextDouble() * 2.1 - 1.05;
            q[3 * i] = (float) x;
            q[3 * i + 1] = (float) y;
            q[3 * i + 2] = (float) z;
            sdf[i] = (float) (Math.sqrt(x * x + y * y + z * z) - 0.5);
        }
        byte[] vox = new byte[64 * 64 * 64];
        double h = 2.0 / 64;
        for (int i = 0; i < 64; i++) {
            for (int j = 0; j < 64; j++) {
                for (int k = 0; k < 64; k++) {
                    double cx = -1 + (i + 0.5) * h, cy = -1 + (j + 0.5) * h, cz = -1 + (k + 0.5) * h;
                    double d = Math.sqrt(cx * cx + cy * cy + cz * cz) - 0.5;
                    vox[(i * 64 + j) * 64 + k] = Math.abs(d) <= h * Math.sqrt(3) / 2
                            ? SampleSchema.SURFACE
                            : d < 0 ? SampleSchema.INSIDE : SampleSchema.OUTSIDE;
                }
            }
        }
        Map<String, String> md = Map.of(
                SampleSchema.META_SOURCE,
                "sphere",
                SampleSchema.META_CONTENT_HASH,
                String.format("%064x", seed),
                SampleSchema.META_SETTINGS_HASH,
                "00",
                SampleSchema.META_NORMALIZATION,
                "{\"center\":[0,0,0],\"scale\":1}");
        return new Sample(
                p,
                nn,
                new float[0],
                new float[0],
                q.clone(),
                sdf.clone(),
                new float[0],
                new float[0],
                q,
                sdf,
                vox,
                null,
                null,
                0,
                null,
                md);
    }

    @Test
    void sampleRoundTripsAndValidates() throws IOException {
        Sample s = sphereSample(500, 1);
        Path f = dir.resolve("s.safetensors");
        s.write(f);
        Sample back = Sample.read(f);
        assertThat(back.surfacePoints()).containsExactly(s.surfacePoints());
        assertThat(back.voxels64()).containsExactly(s.voxels64());
        assertThat(back.metadata()).containsEntry(SampleSchema.META_SCHEMA, SampleSchema.SCHEMA_VERSION);
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            SampleValidator.Report report = SampleValidator.validate(r);
            assertThat(report.problems()).isEmpty();
            assertThat(report.signChecked()).isGreaterThan(300);
            assertThat(report.signDisagreements()).isZero();
        }
    }

    @Test
    void validatorCatchesSignsThatDisagreeWithVoxels() throws IOException {
        Sample s = sphereSample(500, 2);
        float[] wrong = s.volumeSdf().clone();
        for (int i = 0; i < wrong.length; i++) {
            wrong[i] = -wrong[i];
        }
        Sample bad = new Sample(
                s.surfacePoints(),
                s.surfaceNormals(),
                s.sharpPoints(),
                s.sharpNormals(),
                s.nearPoints(),
                s.nearSdf(),
                s.nearSharpPoints(),
                s.nearSharpSdf(),
                s.volumePoints(),
                wrong,
                s.voxels64(),
                null,
                null,
                0,
                null,
                s.metadata());
        Path f = dir.resolve("bad.safetensors");
        bad.write(f);
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            assertThat(SampleValidator.validate(r).problems())
                    .anyMatch(p -> p.contains("disagrees with the voxel grid"));
        }
    }

    @Test
    void manifestRecoversFromATornLastLine() throws IOException {
        Path m = dir.resolve(Manifest.FILE);
        Manifest.append(m, new ManifestRecord("a", "a.obj", "aa", "s", "ok", null, "box", Map.of(), Map.of()));
        Manifest.append(m, new ManifestRecord("b", "b.obj", "bb", "s", "failed", "empty mesh", null, null, null));
        Files.writeString(m, "{\"id\":\"c\",\"sou", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        Manifest.Contents c = Manifest.read(m);
        assertThat(c.records()).extracting(ManifestRecord::id).containsExactly("a", "b");
        assertThat(c.skippedLines()).isEqualTo(1);
        assertThat(Manifest.repair(m)).isEqualTo(14);
        Manifest.append(m, new ManifestRecord("c", "c.obj", "cc", "s", "ok", null, null, null, null));
        assertThat(Manifest.read(m).records()).extracting(ManifestRecord::id).containsExactly("a", "b", "c");
        assertThat(Manifest.read(m).skippedLines()).isZero();
    }

    @Test
    void datasetSplitsByContentHashAndShufflesDeterministically() throws IOException {
        Files.createDirectories(dir.resolve(Dataset.SAMPLES));
        Path m = dir.resolve(Manifest.FILE);
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 200; i++) {
            String hash = String.format("%016x%016x", r.nextLong(), r.nextLong());
            Manifest.append(
                    m,
                    new ManifestRecord(
                            "s" + i,
                            "s" + i + ".obj",
                            hash,
                            "x",
                            i % 10 == 9 ? "failed" : "ok",
                            null,
                            i % 2 == 0 ? "even" : "odd",
                            null,
                            null));
        }
        Dataset d = Dataset.open(dir);
        assertThat(d.size()).isEqualTo(180);
        Dataset.Split split = d.split(0.2);
        assertThat(split.train().size() + split.validation().size()).isEqualTo(180);
        assertThat(split.validation().size()).isBetween(20, 55);
        Set<String> val = new HashSet<>(split.validation().ids());
        // the same shapes go to validation in a filtered view
        assertThat(d.withLabels(Set.of("even")).split(0.2).validation().ids()).allMatch(val::contains);
        assertThat(d.epochOrder(7, 0)).isEqualTo(d.epochOrder(7, 0)).isNotEqualTo(d.epochOrder(7, 1));
        assertThat(new HashSet<>(d.epochOrder(7, 0))).isEqualTo(new HashSet<>(d.ids()));
        assertThat(d.labelCounts()).containsEntry("even", 100L).containsEntry("odd", 80L);
    }

    @Test
    void theSameRecordsReadInTheSameOrderWhicheverOrderPrepFinishedThem() throws IOException {
        List<List<String>> seen = new ArrayList<>();
        for (List<String> finished : List.of(List.of("b", "a", "c"), List.of("c", "b", "a"))) {
            Path root = dir.resolve(String.join("", finished));
            Files.createDirectories(root.resolve(Dataset.SAMPLES));
            for (String id : finished) {
                Manifest.append(
                        root.resolve(Manifest.FILE),
                        new ManifestRecord(id, id + ".obj", id + id, "s", "ok", null, "box", null, null));
            }
            Dataset d = Dataset.open(root);
            seen.add(d.ids());
            seen.add(d.epochOrder(5, 0));
            assertThat(d.entries()).extracting(ManifestRecord::id).isEqualTo(d.ids());
        }
        assertThat(seen.get(0)).containsExactly("a", "b", "c").isEqualTo(seen.get(2));
        assertThat(seen.get(1)).containsExactlyInAnyOrder("a", "b", "c").isEqualTo(seen.get(3));
    }

    @Test
    void batcherGathersTheDrawnRows() throws IOException {
        Sample s = sphereSample(300, 4);
        Path f = dir.resolve("s.safetensors");
        s.write(f);
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            float[][] b = PointBatcher.batch(
                    List.of(r, r),
                    List.of(new PointBatcher.Group(64, List.of(SampleSchema.VOLUME_POINTS, SampleSchema.VOLUME_SDF))),
                    new SplittableRandom(5));
            assertThat(b[0]).hasSize(2 * 64 * 3);
            assertThat(b[1]).hasSize(2 * 64);
            for (int i = 0; i < 128; i++) { // each SDF belongs to its point
                double x = b[0][3 * i], y = b[0][3 * i + 1], z = b[0][3 * i + 2];
                assertThat((double) b[1][i])
                        .isCloseTo(
                                Math.sqrt(x * x + y * y + z * z) - 0.5, org.assertj.core.api.Assertions.within(1e-5));
            }
        }
        int[] rows = PointBatcher.draw(10, 10, new SplittableRandom(1));
        assertThat(rows).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(java.util.Arrays.stream(PointBatcher.draw(3, 8, new SplittableRandom(1)))
                        .boxed()
                        .toList())
                .allMatch(v -> v >= 0 && v < 3);
        assertThatThrownBy(() -> PointBatcher.draw(0, 8, new SplittableRandom(1)))
                .hasMessageContaining("empty");
    }
}
