package dev.tessera.model.vecset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.data.dataset.Dataset;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.safetensors.SafetensorsWriter;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batches drawn from prepared samples: sizes, layout, weights, and datasets missing arrays. */
class VecsetBatcherTest {
    @TempDir
    Path dir;

    @Test
    void batchesHaveTheConfiguredLayout() throws Exception {
        Dataset ds = VecsetFixtures.shapes();
        ShapeVaeConfig c = ShapeVaeConfig.tiny();
        VecsetBatcher.Queries q = new VecsetBatcher.Queries(100, 40, 60, 2.0);
        try (VecsetBatcher b = new VecsetBatcher(ds, c, q);
                StepScope s = new StepScope()) {
            List<String> ids = ds.ids().subList(0, 3);
            VecsetBatch batch = b.batch(ids, new SplittableRandom(1));
            assertThat(Tensors.shape(batch.input().data())).containsExactly(3, 1024, 6);
            assertThat(Tensors.shape(batch.input().queries())).containsExactly(3, 64, 6);
            assertThat(Tensors.shape(batch.points())).containsExactly(3, 200, 3);
            assertThat(Tensors.shape(batch.sdf())).containsExactly(3, 200);
            float[] w = Tensors.toFloats(batch.weights());
            // near and volume share weight 1 in all, the near-sharp ones 2
            double coarse = 0, sharp = 0;
            for (int j = 0; j < 200; j++) {
                if (j >= 100 && j < 140) {
                    sharp += w[j];
                } else {
                    coarse += w[j];
                }
            }
            assertThat(coarse).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-5));
            assertThat(sharp).isCloseTo(2.0, org.assertj.core.api.Assertions.within(1e-5));
            // input points lie on the surface: |normal| = 1; same seed, same batch
            float[] data = Tensors.toFloats(batch.input().data());
            for (int i = 0; i < 3 * 1024; i += 97) {
                double n = Math.sqrt(sq(data[6 * i + 3]) + sq(data[6 * i + 4]) + sq(data[6 * i + 5]));
                assertThat(n).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-3));
            }
            assertThat(Tensors.toFloats(b.batch(ids, new SplittableRandom(1)).points()))
                    .containsExactly(Tensors.toFloats(batch.points()));
        }
    }

    /**
     * A spinning batcher moves each shape's input points and queries by one and the same transform: the queries near
     * the surface stay near the input points, every normal stays a unit vector, and the same seed gives the same
     * batch.
     */
    @Test
    void spinningMovesPointsAndQueriesTogether() throws Exception {
        Dataset ds = VecsetFixtures.shapes();
        ShapeVaeConfig c = ShapeVaeConfig.tiny();
        VecsetBatcher.Queries q = new VecsetBatcher.Queries(200, 0, 50, 2.0);
        try (VecsetBatcher plain = new VecsetBatcher(ds, c, q);
                VecsetBatcher spun = new VecsetBatcher(ds, c, q, true);
                StepScope s = new StepScope()) {
            List<String> ids = ds.ids();
            VecsetBatch a = spun.batch(ids, new SplittableRandom(7));
            VecsetBatch b = plain.batch(ids, new SplittableRandom(7));
            assertThat(Tensors.toFloats(spun.batch(ids, new SplittableRandom(7)).points()))
                    .containsExactly(Tensors.toFloats(a.points()));
            assertThat(Tensors.toFloats(a.points())).isNotEqualTo(Tensors.toFloats(b.points()));
            float[] data = Tensors.toFloats(a.input().data()), pts = Tensors.toFloats(a.points());
            float[] sdf = Tensors.toFloats(a.sdf());
            int n = 1024, p = 250;
            for (int i = 0; i < ids.size(); i++) {
                double far = 0;
                for (int j = 0; j < 200; j++) { // near-surface queries
                    int row = i * p + j;
                    double nearest = Double.POSITIVE_INFINITY;
                    for (int k = 0; k < n; k++) {
                        int o = 6 * (i * n + k);
                        nearest = Math.min(
                                nearest,
                                Math.sqrt(sq(data[o] - pts[3 * row])
                                        + sq(data[o + 1] - pts[3 * row + 1])
                                        + sq(data[o + 2] - pts[3 * row + 2])));
                    }
                    far = Math.max(far, nearest - Math.abs(sdf[row]));
                }
                // 1024 points on the surface leave gaps of about 0.1; a query moved apart from its surface would
                // land much farther
                assertThat(far).as("shape %d", i).isLessThan(0.15);
                for (int k = 0; k < n; k += 31) {
                    int o = 6 * (i * n + k);
                    assertThat(Math.sqrt(sq(data[o + 3]) + sq(data[o + 4]) + sq(data[o + 5])))
                            .isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-4));
                }
            }
        }
    }

    @Test
    void aDatasetWithoutTheNeededArraysSaysWhich() throws Exception {
        Dataset ds = VecsetFixtures.shapes();
        Path copy = dir.resolve("ds");
        try (Stream<Path> files = Files.walk(ds.root())) {
            for (Path p : files.toList()) {
                Path t = copy.resolve(ds.root().relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Dataset broken = Dataset.open(copy);
        String id = broken.ids().get(1);
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsReader r = broken.open(id)) {
            w.metadata(r.metadata());
            for (String name : r.names()) {
                if (!name.equals("near_sharp.sdf") && !name.equals("volume.sdf")) {
                    w.add(
                            name,
                            r.info(name).dtype(),
                            r.info(name).shape(),
                            r.buffer(name).duplicate());
                }
            }
            w.write(dir.resolve("tmp.safetensors"));
        }
        Files.move(dir.resolve("tmp.safetensors"), broken.file(id), StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> VecsetBatcher.check(broken))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(broken.file(id) + ": no near_sharp.sdf, volume.sdf")
                .hasMessageContaining("re-run 'tessera prep'");
    }

    private static double sq(double a) {
        return a * a;
    }
}
