package dev.tessera.model.gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.data.Progress;
import dev.tessera.data.dataset.Manifest;
import dev.tessera.data.dataset.ManifestRecord;
import dev.tessera.data.safetensors.DType;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.safetensors.SafetensorsWriter;
import dev.tessera.geometry.Aabb;
import dev.tessera.geometry.DenseGrid;
import dev.tessera.geometry.MarchingCubes;
import dev.tessera.geometry.MeshCheck;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.model.Checkpoint;
import dev.tessera.model.Rng;
import dev.tessera.model.StateDict;
import dev.tessera.model.latent.LatentKind;
import dev.tessera.model.latent.LatentSet;
import dev.tessera.model.latent.LatentSetInfo;
import dev.tessera.model.latent.LatentSetWriter;
import dev.tessera.model.latent.Posterior;
import dev.tessera.model.latent.VaeReference;
import dev.tessera.model.nn.Activation;
import dev.tessera.model.nn.Mlp;
import dev.tessera.model.sparse.SparseStructureVae;
import dev.tessera.model.sparse.SparseStructureVaeConfig;
import dev.tessera.model.train.TrainOptions;
import dev.tessera.model.train.Trainer;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train-dit and generate end to end on small latent sets whose classes are known: a toy VecSet "VAE" (its decoder
 * draws a sphere or a cube depending on the latent), TRELLIS's sparse-structure VAE for the grid model, and rendered
 * views for image conditioning.
 */
class GenerationTest {
    @TempDir
    Path dir;

    /** The config record of the toy VAE (its class name selects {@link ToyDecoder}). */
    public record ToyVaeConfig(int tokens, int channels) {}

    static final int TOKENS = 16, CHANNELS = 4;

    /**
     * Decodes a vecset latent [16, 4] to a closed surface: a sphere when the mean of channel 0 is positive, a cube
     * otherwise.
     */
    static final class ToyDecoder implements LatentDecoder {
        final VaeReference ref;

        ToyDecoder(Path dir) throws java.io.IOException {
            this.ref = VaeReference.of(dir);
        }

        @Override
        public LatentKind kind() {
            return LatentKind.VECSET;
        }

        @Override
        public long[] latentShape() {
            return new long[] {TOKENS, CHANNELS};
        }

        @Override
        public VaeReference reference() {
            return ref;
        }

        @Override
        public TriangleMesh mesh(Tensor latent, int resolution) {
            double m = latent.select(1, 0).mean().item_double();
            DenseGrid g = DenseGrid.sample(
                    Aabb.cube(1),
                    20,
                    (x, y, z) -> m > 0
                            ? Math.sqrt(x * x + y * y + z * z) - 0.6
                            : Math.max(Math.abs(x), Math.max(Math.abs(y), Math.abs(z))) - 0.5);
            return MarchingCubes.extract(g, 0f);
        }
    }

    @BeforeAll
    static void registerToyDecoder() {
        LatentDecoders.register(ToyVaeConfig.class.getName(), ToyDecoder::new);
    }

    static Path toyVae(Path dir, long seed) throws Exception {
        Checkpoint.save(dir, new ToyVaeConfig(TOKENS, CHANNELS), Mlp.timm(4, 4, 4, Activation.GELU, Rng.cpu(seed)));
        return dir;
    }

    /**
     * {@code perClass} latents of class "ball" and of "cube": a fixed pattern times +1 or −1 (channel 0 of every token
     * ±2), plus a little noise — two tight clusters, so a class-conditioned flow can fit them almost exactly.
     */
    static LatentSet toyLatents(Path dir, Path vae, int perClass, String dataset) throws Exception {
        LatentSetWriter w = LatentSetWriter.create(
                dir,
                LatentSetInfo.of(
                        LatentKind.VECSET,
                        new long[] {TOKENS, CHANNELS},
                        Posterior.MEAN,
                        VaeReference.of(vae),
                        dataset));
        SplittableRandom r = new SplittableRandom(5);
        double[] pattern = new double[TOKENS * CHANNELS];
        for (int k = 0; k < pattern.length; k++) {
            pattern[k] = k % CHANNELS == 0 ? 2 : 0.5 + r.nextDouble();
        }
        for (int i = 0; i < 2 * perClass; i++) {
            boolean ball = i % 2 == 0;
            float[] z = new float[TOKENS * CHANNELS];
            for (int k = 0; k < z.length; k++) {
                z[k] = (float) ((ball ? 1 : -1) * pattern[k] + 0.1 * r.nextGaussian());
            }
            w.write(String.format("s%02d", i), z, ball ? "ball" : "cube", null);
        }
        return w.finish();
    }

    static TrainOptions quick(int steps) {
        return TrainOptions.defaults(steps, 2e-3).withWarmup(10).withEma(0.0).withSeed(3);
    }

    static float[] channelZeroMeans(Path out, int count) throws Exception {
        try (SafetensorsReader r = SafetensorsReader.open(out.resolve("latents.safetensors"))) {
            float[] all = r.floats("latents");
            float[] means = new float[count];
            for (int i = 0; i < count; i++) {
                for (int t = 0; t < TOKENS; t++) {
                    means[i] += all[(i * TOKENS + t) * CHANNELS] / TOKENS;
                }
            }
            return means;
        }
    }

    @Test
    void aClassConditionedDiTLearnsItsClassesAndGeneratesClosedShapesOfThem() throws Exception {
        Path vae = toyVae(dir.resolve("vae"), 1);
        LatentSet set = toyLatents(dir.resolve("latents"), vae, 8, null);
        Path run = dir.resolve("dit");
        DiTTraining task = DiTTraining.create(
                set, vae, DiTTraining.Options.of("vecset", "class").withBatch(16), run, 3);
        double before = task.validate(0).get("flow_loss");
        Trainer.Result res;
        try {
            res = new Trainer(task, quick(250), run, Progress.NONE).run(false);
        } finally {
            task.close();
        }
        double after = res.lastValidation().get("flow_loss");
        assertThat(after).isLessThan(0.6 * before);
        assertThat(run.resolve("loss.png")).exists();
        DiTRunConfig cfg = Checkpoint.config(run, DiTRunConfig.class);
        assertThat(cfg.classNames()).containsExactly("ball", "cube");
        assertThat(cfg.vae().sameVae(VaeReference.of(vae))).isTrue();

        for (String cls : List.of("ball", "cube")) {
            Path out = dir.resolve("gen-" + cls);
            ShapeGenerator.Result g = ShapeGenerator.generate(
                    run,
                    ShapeGenerator.Request.of(4).withClass(cls).withCfg(3.0).withSteps(10),
                    out,
                    Progress.NONE);
            assertThat(g.meshes()).hasSize(4);
            for (MeshCheck c : g.checks()) {
                assertThat(c.isClosed()).isTrue();
            }
            for (String f :
                    List.of("sample-000.glb", "sample-003.obj", "sample-001.png", "sheet.png", "generate.json")) {
                assertThat(out.resolve(f)).exists();
            }
            for (float m : channelZeroMeans(out, 4)) {
                if (cls.equals("ball")) {
                    assertThat(m).isGreaterThan(0.5f);
                } else {
                    assertThat(m).isLessThan(-0.5f);
                }
            }
        }
        // the same request gives the same latents; a smaller batch the same ones up to rounding
        ShapeGenerator.generate(
                run,
                ShapeGenerator.Request.of(4).withClass("ball").withCfg(3.0).withSteps(10),
                dir.resolve("again"),
                Progress.NONE);
        float[] first = channelZeroMeans(dir.resolve("gen-ball"), 4);
        assertThat(channelZeroMeans(dir.resolve("again"), 4)).containsExactly(first);
        ShapeGenerator.generate(
                run,
                ShapeGenerator.Request.of(2).withClass("ball").withCfg(3.0).withSteps(10),
                dir.resolve("two"),
                Progress.NONE);
        float[] two = channelZeroMeans(dir.resolve("two"), 2);
        assertThat(two[1]).isCloseTo(first[1], org.assertj.core.api.Assertions.within(1e-4f));
    }

    @Test
    void badRequestsFailCleanlyAndWriteNothing() throws Exception {
        Path vae = toyVae(dir.resolve("vae"), 1);
        LatentSet set = toyLatents(dir.resolve("latents"), vae, 2, null);
        Path run = dir.resolve("dit");
        DiTTraining.Options noDropout =
                DiTTraining.Options.of("vecset", "class").withFlow(new dev.tessera.model.flow.RectifiedFlow(0, 1, 0));
        DiTTraining.train(set.root(), vae, noDropout, quick(3), run, false, Progress.NONE);
        Path out = dir.resolve("out");
        assertThatThrownBy(() -> ShapeGenerator.generate(
                        run, ShapeGenerator.Request.of(1).withClass("sphere"), out, Progress.NONE))
                .hasMessageContaining("\"sphere\" is not in the model")
                .hasMessageContaining("[ball, cube]");
        assertThatThrownBy(() -> ShapeGenerator.generate(
                        run, ShapeGenerator.Request.of(1).withClass("ball").withCfg(5), out, Progress.NONE))
                .hasMessageContaining("null condition")
                .hasMessageContaining("--cfg 1");
        assertThatThrownBy(() -> ShapeGenerator.generate(run, ShapeGenerator.Request.of(1), out, Progress.NONE))
                .hasMessageContaining("give --class NAME");
        // guidance stored as the default of a model without a null condition is refused when training starts
        assertThatThrownBy(() -> DiTTraining.Options.of("vecset", "none")
                        .withSampling(new SamplingDefaults("euler", 25, 1.0, 3.0, 0, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null condition");
        // another VAE's weights: refused naming both configs
        Path other = toyVae(dir.resolve("other-vae"), 2);
        assertThatThrownBy(() -> ShapeGenerator.generate(
                        run,
                        ShapeGenerator.Request.of(1)
                                .withClass("ball")
                                .withCfg(1)
                                .withVae(other),
                        out,
                        Progress.NONE))
                .isInstanceOf(DiTPairException.class)
                .hasMessageContaining(run.resolve("config.json").toString())
                .hasMessageContaining(other.resolve("config.json").toString());
        assertThatThrownBy(() -> DiTTraining.create(
                        set, other, DiTTraining.Options.of("vecset", "none"), dir.resolve("dit2"), 0))
                .isInstanceOf(DiTPairException.class)
                .hasMessageContaining(set.root().resolve("latents.json").toString())
                .hasMessageContaining(other.resolve("config.json").toString());
        // resuming a run with other latents (other normalisation) is refused
        LatentSet shifted = toyLatents(dir.resolve("latents2"), vae, 3, null);
        assertThatThrownBy(() -> DiTTraining.create(shifted, vae, noDropout, run, 0))
                .isInstanceOf(DiTPairException.class)
                .hasMessageContaining("normalisation");
        assertThat(out).doesNotExist();
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp"));
        }
    }

    @Test
    void theGridModelGeneratesThroughTheSparseStructureVae() throws Exception {
        SparseStructureVaeConfig vc = SparseStructureVaeConfig.tiny();
        SparseStructureVae ss = new SparseStructureVae(vc, Rng.cpu(0));
        // a decoder that fills its grid: the last convolution outputs +1 everywhere
        for (var e : StateDict.of(ss).entrySet()) {
            if (e.getKey().startsWith("decoder.out_layer.2.")) {
                dev.tessera.model.nn.Init.constant(e.getValue(), e.getKey().endsWith("bias") ? 1 : 0);
            }
        }
        Path vae = dir.resolve("ss-vae");
        Checkpoint.save(vae, vc, ss);
        long r = vc.latentResolution();
        LatentSetWriter w = LatentSetWriter.create(
                dir.resolve("lat"),
                LatentSetInfo.of(
                        LatentKind.SPARSE_STRUCTURE,
                        new long[] {vc.latentChannels(), r, r, r},
                        Posterior.MEAN,
                        VaeReference.of(vae),
                        null));
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < 4; i++) {
            float[] z = new float[(int) (vc.latentChannels() * r * r * r)];
            for (int k = 0; k < z.length; k++) {
                z[k] = (float) rnd.nextGaussian();
            }
            w.write("g" + i, z, null, null);
        }
        w.finish();
        Path run = dir.resolve("grid-dit");
        DiTTraining.train(
                dir.resolve("lat"),
                vae,
                DiTTraining.Options.of("grid", "none").withBatch(2),
                quick(4),
                run,
                false,
                Progress.NONE);
        DiTRunConfig cfg = Checkpoint.config(run, DiTRunConfig.class);
        assertThat(cfg.grid().resolution()).isEqualTo((int) r);
        assertThat(cfg.sampling().cfg()).isEqualTo(1.0); // unconditional: no guidance by default
        ShapeGenerator.Result g = ShapeGenerator.generate(
                run, ShapeGenerator.Request.of(2).withSteps(3), dir.resolve("g"), Progress.NONE);
        assertThat(g.checks()).allMatch(MeshCheck::isClosed);
        assertThat(g.checks()).allMatch(MeshCheck::isWatertight);
    }

    @Test
    void anImageConditionedDiTTrainsItsSmallViTOnTheRenderedViews() throws Exception {
        Path vae = toyVae(dir.resolve("vae"), 1);
        Path ds = dir.resolve("dataset");
        Files.createDirectories(ds.resolve("samples"));
        LatentSet set = toyLatents(dir.resolve("latents"), vae, 2, ds.toString());
        for (String id : set.ids()) {
            boolean ball = set.label(id).equals("ball");
            byte[] px = new byte[2 * 28 * 28 * 4];
            for (int k = 0; k < 2; k++) {
                for (int y = 0; y < 28; y++) {
                    for (int x = 0; x < 28; x++) {
                        int o = ((k * 28 + y) * 28 + x) * 4;
                        boolean in = ball
                                ? (x - 14) * (x - 14) + (y - 14) * (y - 14) < 64
                                : Math.abs(x - 14) < 7 && Math.abs(y - 14) < 7;
                        px[o] = (byte) (in ? 200 : 255);
                        px[o + 1] = (byte) (in ? 60 : 255);
                        px[o + 2] = (byte) (in ? 40 : 255);
                        px[o + 3] = (byte) 255;
                    }
                }
            }
            new SafetensorsWriter()
                    .add("views.images", DType.U8, new long[] {2, 28, 28, 4}, ByteBuffer.wrap(px))
                    .write(ds.resolve("samples").resolve(id + ".safetensors"));
            Manifest.append(
                    ds.resolve(Manifest.FILE),
                    new ManifestRecord(
                            id,
                            id + ".obj",
                            "h" + id,
                            "s",
                            ManifestRecord.OK,
                            null,
                            set.label(id),
                            Map.of(),
                            Map.of()));
        }
        Path run = dir.resolve("img-dit");
        DiTTraining.Options o = new DiTTraining.Options(
                "vecset",
                "image",
                "tiny",
                4,
                "channel",
                dev.tessera.model.flow.RectifiedFlow.defaults(),
                null,
                28,
                null,
                null);
        DiTTraining.train(set.root(), vae, o, quick(3), run, false, Progress.NONE);
        try (SafetensorsReader r = SafetensorsReader.open(run.resolve("model.safetensors"))) {
            assertThat(r.names()).anyMatch(n -> n.startsWith("image_encoder.encoder.layer.1."));
            assertThat(r.names()).anyMatch(n -> n.startsWith("denoiser.layers.0.attn2."));
        }
        BufferedImage im = new BufferedImage(40, 30, BufferedImage.TYPE_INT_ARGB);
        for (int y = 8; y < 22; y++) {
            for (int x = 12; x < 28; x++) {
                im.setRGB(x, y, 0xffc83c28); // an opaque red block on a transparent background
            }
        }
        Path png = dir.resolve("cond.png");
        ImageIO.write(im, "png", png.toFile());
        ShapeGenerator.Result g = ShapeGenerator.generate(
                run, ShapeGenerator.Request.of(1).withImage(png).withSteps(2), dir.resolve("gi"), Progress.NONE);
        assertThat(g.checks().get(0).isClosed()).isTrue();
        // a pretrained encoder (the conformance DINOv2, 56 px) stays frozen and outside the DiT's checkpoint
        Path dino = dev.tessera.model.Conformance.folder("dinov2-vit").resolve("weights.safetensors");
        Path run2 = dir.resolve("img-dit-pretrained");
        DiTTraining.train(set.root(), vae, o.withImageEncoder(dino), quick(2), run2, false, Progress.NONE);
        try (SafetensorsReader r = SafetensorsReader.open(run2.resolve("model.safetensors"))) {
            assertThat(r.names()).noneMatch(n -> n.startsWith("image_encoder."));
        }
        DiTRunConfig c2 = Checkpoint.config(run2, DiTRunConfig.class);
        assertThat(c2.imageEncoder().path())
                .isEqualTo(dino.toAbsolutePath().normalize().toString());
        assertThat(c2.vecset().contextDim()).isEqualTo(64);
        ShapeGenerator.Result g2 = ShapeGenerator.generate(
                run2, ShapeGenerator.Request.of(1).withImage(png).withSteps(2), dir.resolve("gi2"), Progress.NONE);
        assertThat(g2.checks().get(0).isClosed()).isTrue();
        Path bad = dir.resolve("broken.png");
        Files.writeString(bad, "not an image");
        assertThatThrownBy(() -> ShapeGenerator.generate(
                        run, ShapeGenerator.Request.of(1).withImage(bad), dir.resolve("gb"), Progress.NONE))
                .hasMessageContaining("broken.png")
                .hasMessageContaining("not an image");
        assertThat(dir.resolve("gb")).doesNotExist();
    }
}
