package dev.tessera.model.vecset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.data.Progress;
import dev.tessera.data.dataset.Dataset;
import dev.tessera.model.Checkpoint;
import dev.tessera.model.Rng;
import dev.tessera.model.gen.DiTTraining;
import dev.tessera.model.latent.LatentEncoding;
import dev.tessera.model.latent.LatentKind;
import dev.tessera.model.latent.LatentSet;
import dev.tessera.model.latent.LatentSetException;
import dev.tessera.model.latent.Posterior;
import dev.tessera.model.sparse.SparseStructureVae;
import dev.tessera.model.sparse.SparseStructureVaeConfig;
import dev.tessera.model.train.TrainOptions;
import dev.tessera.model.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LatentEncoding}: a prepared dataset → a latent set that {@code train-dit} reads. */
class LatentEncodingTest {
    @TempDir
    Path tmp;

    private Path untrainedVae() throws Exception {
        Path run = tmp.resolve("vae");
        Checkpoint.save(run, ShapeVaeConfig.tiny(), new ShapeVae(ShapeVaeConfig.tiny(), Rng.cpu(1)));
        return run;
    }

    @Test
    void encodesEveryShapeWithItsLabelDeterministically() throws Exception {
        Dataset ds = VecsetFixtures.shapes();
        Path vae = untrainedVae();
        ShapeVaeConfig c = ShapeVaeConfig.tiny();

        LatentEncoding.Result r =
                LatentEncoding.encode(vae, ds, tmp.resolve("a"), LatentEncoding.Options.mean(), false, Progress.NONE);
        LatentSet set = LatentSet.open(tmp.resolve("a"));
        assertEquals(ds.size(), set.size());
        assertEquals(ds.size(), r.encoded());
        assertEquals(LatentKind.VECSET, set.info().kind());
        assertEquals(Posterior.MEAN, set.info().posterior());
        assertArrayEquals(new long[] {c.numLatents(), c.embedDim()}, set.info().shape());
        assertEquals(ds.ids().stream().sorted().toList(), set.ids());
        for (var e : ds.entries()) {
            assertNotNull(e.label());
            assertEquals(e.label(), set.label(e.id()), e.id());
            assertEquals(e.contentHash(), set.entry(e.id()).contentHash());
            float[] z = set.floats(e.id());
            assertEquals(c.numLatents() * c.embedDim(), z.length);
            for (float v : z) {
                assertTrue(Float.isFinite(v));
            }
        }
        // Different shapes give different latents.
        List<String> ids = set.ids();
        assertFalse(java.util.Arrays.equals(set.floats(ids.get(0)), set.floats(ids.get(1))));

        // The same run again gives the same floats; a resume keeps everything and changes nothing.
        LatentEncoding.encode(vae, ds, tmp.resolve("b"), LatentEncoding.Options.mean(), false, Progress.NONE);
        LatentSet again = LatentSet.open(tmp.resolve("b"));
        for (String id : ids) {
            assertArrayEquals(set.floats(id), again.floats(id), id);
        }
        LatentEncoding.Result resumed =
                LatentEncoding.encode(vae, ds, tmp.resolve("a"), LatentEncoding.Options.mean(), true, Progress.NONE);
        assertEquals(0, resumed.encoded());
        assertEquals(ds.size(), resumed.kept());

        // An interrupted run (a file lost, the header incomplete) is completed with the same values.
        Path lost = set.file(ids.get(2));
        float[] before = set.floats(ids.get(2));
        Files.delete(lost);
        LatentEncoding.Result fixed =
                LatentEncoding.encode(vae, ds, tmp.resolve("a"), LatentEncoding.Options.mean(), true, Progress.NONE);
        assertEquals(1, fixed.encoded());
        assertArrayEquals(before, LatentSet.open(tmp.resolve("a")).floats(ids.get(2)));

        // Without --resume an existing set is refused.
        assertThrows(
                LatentSetException.class,
                () -> LatentEncoding.encode(
                        vae, ds, tmp.resolve("a"), LatentEncoding.Options.mean(), false, Progress.NONE));
        // A posterior sample is another set: refused on resume into a set of means.
        assertThrows(
                LatentSetException.class,
                () -> LatentEncoding.encode(
                        vae, ds, tmp.resolve("a"), LatentEncoding.Options.sample(0), true, Progress.NONE));
    }

    @Test
    void encodesWithATrainVaeRun() throws Exception {
        Dataset ds = VecsetFixtures.shapes();
        Path run = tmp.resolve("run");
        VecsetTraining.train(
                ds,
                run,
                new VecsetTraining.Plan(
                        ShapeVaeConfig.tiny(),
                        VecsetFixtures.trainSettings().withValidation(0, 0, 8, 10),
                        TrainOptions.defaults(2, 1e-3).withWarmup(1)),
                false,
                Progress.NONE);
        LatentEncoding.encode(run, ds, tmp.resolve("l"), LatentEncoding.Options.mean(), false, Progress.NONE);
        LatentSet set = LatentSet.open(tmp.resolve("l"));
        assertEquals(ds.size(), set.size());
        assertEquals(ShapeVaeConfig.class.getName(), set.info().vae().configClass());
    }

    @Test
    void posteriorSamplesAreSeeded() throws Exception {
        Dataset ds = VecsetFixtures.shapes();
        Path vae = untrainedVae();
        LatentEncoding.encode(vae, ds, tmp.resolve("m"), LatentEncoding.Options.mean(), false, Progress.NONE);
        LatentEncoding.encode(vae, ds, tmp.resolve("s1"), LatentEncoding.Options.sample(5), false, Progress.NONE);
        LatentEncoding.encode(vae, ds, tmp.resolve("s2"), LatentEncoding.Options.sample(5), false, Progress.NONE);
        LatentEncoding.encode(vae, ds, tmp.resolve("s3"), LatentEncoding.Options.sample(6), false, Progress.NONE);
        LatentSet m = LatentSet.open(tmp.resolve("m"));
        LatentSet s1 = LatentSet.open(tmp.resolve("s1"));
        LatentSet s2 = LatentSet.open(tmp.resolve("s2"));
        LatentSet s3 = LatentSet.open(tmp.resolve("s3"));
        assertEquals(Posterior.SAMPLE, s1.info().posterior());
        String id = m.ids().get(0);
        assertArrayEquals(s1.floats(id), s2.floats(id));
        assertFalse(java.util.Arrays.equals(s1.floats(id), s3.floats(id)));
        assertFalse(java.util.Arrays.equals(m.floats(id), s1.floats(id)));
    }

    @Test
    void trainDitAcceptsTheEncodedSet() throws Exception {
        Dataset ds = VecsetFixtures.shapes();
        Path vae = untrainedVae();
        Path latents = tmp.resolve("latents");
        LatentEncoding.encode(vae, ds, latents, LatentEncoding.Options.mean(), false, Progress.NONE);
        Path run = tmp.resolve("dit");
        Trainer.Result r = DiTTraining.train(
                latents,
                vae,
                DiTTraining.Options.of("vecset", "class"),
                TrainOptions.defaults(4, 1e-3).withWarmup(1),
                run,
                false,
                Progress.NONE);
        assertEquals(4, r.steps());
        assertTrue(Double.isFinite(r.lastLoss()));
        String config = Files.readString(run.resolve(Checkpoint.CONFIG));
        for (String label : ds.labels()) {
            assertTrue(config.contains("\"" + label + "\""), label + " in " + config);
        }
    }

    @Test
    void encodesWithTheSparseStructureVae() throws Exception {
        Dataset ds = VecsetFixtures.shapes();
        SparseStructureVaeConfig c = SparseStructureVaeConfig.tiny();
        Path vae = tmp.resolve("ss");
        Checkpoint.save(vae, c, new SparseStructureVae(c, Rng.cpu(2)));
        LatentEncoding.encode(vae, ds, tmp.resolve("g"), LatentEncoding.Options.mean(), false, Progress.NONE);
        LatentSet set = LatentSet.open(tmp.resolve("g"));
        int side = c.latentResolution();
        assertEquals(LatentKind.SPARSE_STRUCTURE, set.info().kind());
        assertArrayEquals(
                new long[] {c.latentChannels(), side, side, side}, set.info().shape());
        assertEquals(ds.size(), set.size());
        assertEquals(ds.labels(), set.labels());
    }

    @Test
    void refusesAnUnknownVae() throws Exception {
        Dataset ds = VecsetFixtures.shapes();
        Path notVae = tmp.resolve("x");
        Checkpoint.save(notVae, new Other(3), new org.bytedeco.pytorch.Module());
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> LatentEncoding.encode(
                        notVae, ds, tmp.resolve("o"), LatentEncoding.Options.mean(), false, Progress.NONE));
        assertTrue(e.getMessage().contains("encode knows"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("o")));
    }

    /** A config of no VAE family. */
    record Other(int size) {}
}
