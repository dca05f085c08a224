package dev.tessera.model.gen;

import dev.tessera.data.dataset.Dataset;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.safetensors.TensorInfo;
import dev.tessera.model.Checkpoint;
import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.cond.ImageConditioner;
import dev.tessera.model.cond.Rgba8;
import dev.tessera.model.dit.SparseStructureFlowConfig;
import dev.tessera.model.dit.VecSetDiTConfig;
import dev.tessera.model.flow.LatentNormalization;
import dev.tessera.model.flow.RectifiedFlow;
import dev.tessera.model.latent.InMemoryLatents;
import dev.tessera.model.latent.LatentKind;
import dev.tessera.model.latent.LatentSet;
import dev.tessera.model.latent.LatentSetInfo;
import dev.tessera.model.latent.VaeReference;
import dev.tessera.model.train.TrainTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code train-dit}'s task for the shared {@link dev.tessera.model.train.Trainer}: a {@link FlowModel} learning the
 * latents of a {@link LatentSet} with rectified flow.
 *
 * <p>{@link #create} checks that the latents and the VAE belong together, computes the latent normalisation from the
 * set, builds the run's {@link DiTRunConfig} (or, when the run exists, checks the new one against it), and loads the
 * latents (normalised) into memory. Each micro-batch draws its rows, views, times, noise and condition dropout from the
 * trainer's seeded streams.
 */
public final class DiTTraining implements TrainTask {
    /**
     * What to train.
     *
     * @param model {@code vecset} or {@code grid}
     * @param condition {@code none}, {@code class} or {@code image}
     * @param preset the denoiser's sizes: {@code tiny} or {@code bench} (the benchmark sizes)
     * @param batch latents per micro-batch
     * @param normalization {@code channel} (per-channel mean/std), {@code global} or {@code none}
     * @param flow the rectified-flow settings
     * @param imageEncoder a pretrained DINOv2 (frozen), or {@code null} to train the small ViT with the DiT
     * @param imageSize input side of the small ViT (a multiple of 14)
     * @param dataset where the condition views come from ({@code null}: the latent set's {@code dataset})
     * @param sampling what {@code generate} uses unless told otherwise, stored in the run's config ({@code null}: Euler,
     *     25 steps, guidance 7.5 when the model has a null condition, else 1: {@link SamplingDefaults#of})
     */
    public record Options(
            String model,
            String condition,
            String preset,
            int batch,
            String normalization,
            RectifiedFlow flow,
            Path imageEncoder,
            int imageSize,
            Path dataset,
            SamplingDefaults sampling) {
        public Options {
            if (!List.of("vecset", "grid").contains(model)) {
                throw new IllegalArgumentException("--model must be vecset or grid, got " + model);
            }
            if (!List.of("none", "class", "image").contains(condition)) {
                throw new IllegalArgumentException("--cond must be none, class or image, got " + condition);
            }
            if (!List.of("tiny", "bench").contains(preset)) {
                throw new IllegalArgumentException("--preset must be tiny or bench, got " + preset);
            }
            if (!List.of("channel", "global", "none").contains(normalization)) {
                throw new IllegalArgumentException(
                        "--normalization must be channel, global or none, got " + normalization);
            }
            if (batch < 1) {
                throw new IllegalArgumentException("--batch must be ≥ 1");
            }
            if (sampling != null && sampling.cfg() != 1 && !DiTRunConfig.learnsNullCondition(condition, flow)) {
                throw new IllegalArgumentException("sampling guidance " + sampling.cfg()
                        + " needs a null condition: train with a condition and condition dropout, or guidance 1");
            }
            if (imageSize < 14 || imageSize % 14 != 0) {
                throw new IllegalArgumentException("--image-size must be a positive multiple of 14, got " + imageSize);
            }
        }

        /** Defaults: tiny preset, batch 8, per-channel normalisation, logit-normal(0, 1), 10 % dropout, 112 px. */
        public static Options of(String model, String condition) {
            return new Options(model, condition, "tiny", 8, "channel", RectifiedFlow.defaults(), null, 112, null, null);
        }

        public Options withBatch(int b) {
            return new Options(
                    model, condition, preset, b, normalization, flow, imageEncoder, imageSize, dataset, sampling);
        }

        public Options withFlow(RectifiedFlow f) {
            return new Options(
                    model, condition, preset, batch, normalization, f, imageEncoder, imageSize, dataset, sampling);
        }

        public Options withPreset(String p) {
            return new Options(
                    model, condition, p, batch, normalization, flow, imageEncoder, imageSize, dataset, sampling);
        }

        public Options withImageEncoder(Path p) {
            return new Options(model, condition, preset, batch, normalization, flow, p, imageSize, dataset, sampling);
        }

        public Options withDataset(Path p) {
            return new Options(
                    model, condition, preset, batch, normalization, flow, imageEncoder, imageSize, p, sampling);
        }

        /** The same options with {@code generate}'s defaults stored in the run. */
        public Options withSampling(SamplingDefaults d) {
            return new Options(
                    model, condition, preset, batch, normalization, flow, imageEncoder, imageSize, dataset, d);
        }

        public Options withNormalization(String n) {
            return new Options(model, condition, preset, batch, n, flow, imageEncoder, imageSize, dataset, sampling);
        }
    }

    private final DiTRunConfig config;
    private final FlowModel model;
    private final InMemoryLatents latents;
    private final Tensor normalised;
    private final List<Tensor> views;
    private final int batch;

    private DiTTraining(
            DiTRunConfig config,
            FlowModel model,
            InMemoryLatents latents,
            Tensor normalised,
            List<Tensor> views,
            int b) {
        this.config = config;
        this.model = model;
        this.latents = latents;
        this.normalised = normalised;
        this.views = views;
        this.batch = b;
    }

    /**
     * Prepares training on {@code set} for a run directory {@code run} (which may hold an earlier run of the same
     * model, for {@code --resume}).
     *
     * @throws DiTPairException when the latents were not made by the VAE in {@code vaeRun}, have another shape than
     *     that VAE's, or differ from those of the earlier run
     */
    public static DiTTraining create(LatentSet set, Path vaeRun, Options o, Path run, long seed) throws IOException {
        LatentSetInfo info = set.info();
        checkVae(set, vaeRun);
        LatentKind want = o.model().equals("vecset") ? LatentKind.VECSET : LatentKind.SPARSE_STRUCTURE;
        if (info.kind() != want) {
            throw new IllegalArgumentException(
                    set.root().resolve(LatentSet.INFO) + " holds " + info.kind().id()
                            + " latents; --model " + o.model() + " needs " + want.id() + " latents (use --model "
                            + (info.kind() == LatentKind.VECSET ? "vecset" : "grid") + ")");
        }
        if (set.size() == 0) {
            throw new IllegalArgumentException(set.root() + " holds no latents");
        }
        List<String> classNames = null;
        if (o.condition().equals("class")) {
            List<String> unlabelled = set.ids().stream()
                    .filter(id -> set.label(id) == null)
                    .limit(5)
                    .toList();
            if (!unlabelled.isEmpty()) {
                throw new IllegalArgumentException(set.root() + ": --cond class needs a label for every shape; "
                        + unlabelled + " have none (label the dataset: tessera prep --labels CSV)");
            }
            classNames = set.labels();
        }
        LatentNormalization norm = switch (o.normalization()) {
            case "channel" -> LatentNormalization.fromStatistics(info.kind(), set.statistics(), true);
            case "global" -> LatentNormalization.fromStatistics(info.kind(), set.statistics(), false);
            default -> LatentNormalization.identity(info.kind());
        };
        ImageEncoderSpec image = null;
        if (o.condition().equals("image")) {
            image = o.imageEncoder() != null
                    ? new ImageEncoderSpec(
                            ImageConditioner.pretrainedConfig(o.imageEncoder()),
                            o.imageEncoder().toAbsolutePath().normalize().toString(),
                            512)
                    : new ImageEncoderSpec(ImageConditioner.tinyConfig(o.imageSize()), null, o.imageSize());
        }
        DiTRunConfig config = new DiTRunConfig(
                DiTRunConfig.FORMAT,
                o.model(),
                o.model().equals("vecset") ? vecsetConfig(o, info, classNames, image) : null,
                o.model().equals("grid") ? gridConfig(o, info, image) : null,
                o.condition(),
                classNames,
                image,
                o.flow(),
                norm,
                info.kind(),
                info.latentShape(),
                info.vae(),
                o.sampling() != null
                        ? o.sampling()
                        : SamplingDefaults.of(DiTRunConfig.learnsNullCondition(o.condition(), o.flow())));
        if (Files.exists(run.resolve(Checkpoint.CONFIG))) {
            checkSameRun(run, config);
        }
        FlowModel model = new FlowModel(config, Rng.cpu(seed));
        InMemoryLatents mem = set.load(set.ids(), 1L << 30);
        Tensor normalised = StepScope.keep(norm.normalize(mem.all())); // [S, ...]
        List<Tensor> views = o.condition().equals("image") ? loadViews(set, o, model.imageConditioner()) : null;
        return new DiTTraining(config, model, mem, normalised, views, o.batch());
    }

    private static void checkVae(LatentSet set, Path vaeRun) throws IOException {
        VaeReference vae = VaeReference.of(vaeRun);
        VaeReference made = set.info().vae();
        Path latentsJson = set.root().resolve(LatentSet.INFO);
        Path vaeJson = vaeRun.resolve(Checkpoint.CONFIG);
        if (made == null) {
            throw new DiTPairException(latentsJson + " does not say which VAE made its latents, so they cannot be"
                    + " paired with " + vaeJson + "; re-encode them with 'tessera encode'");
        }
        if (!made.sameVae(vae)) {
            boolean sameConfig = made.config() != null && made.config().equals(vae.config());
            throw new DiTPairException("the latents in " + latentsJson + " were made by the VAE " + made.run()
                    + (sameConfig ? " whose weights differ from those of " : " whose config differs from that of ")
                    + vaeJson + "; train the DiT with the VAE that encoded them, or re-encode with this one");
        }
        if (vae.configClass() != null && LatentDecoders.knows(vae.configClass())) {
            long[] s = LatentDecoders.open(vaeRun).latentShape();
            if (!Arrays.equals(s, set.info().shape())) {
                throw new DiTPairException(vaeJson + " makes latents " + Arrays.toString(s) + ", " + latentsJson
                        + " holds " + set.info().latentShape());
            }
        }
    }

    private static void checkSameRun(Path run, DiTRunConfig config) throws IOException {
        DiTRunConfig old = Checkpoint.config(run, DiTRunConfig.class);
        Path file = run.resolve(Checkpoint.CONFIG);
        List<String> diffs = new ArrayList<>();
        if (!old.model().equals(config.model())
                || !java.util.Objects.equals(old.vecset(), config.vecset())
                || !java.util.Objects.equals(old.grid(), config.grid())) {
            diffs.add("the denoiser (" + old + " against " + config + ")");
        }
        if (!old.condition().equals(config.condition())
                || !java.util.Objects.equals(old.classNames(), config.classNames())) {
            diffs.add("the conditioning (" + old.condition() + " " + old.classNames() + " against " + config.condition()
                    + " " + config.classNames() + ")");
        }
        if (!old.latentShape().equals(config.latentShape())) {
            diffs.add("the latent shape (" + old.latentShape() + " against " + config.latentShape() + ")");
        }
        if (!old.normalization().agrees(config.normalization())) {
            diffs.add("the latent normalisation (" + old.normalization() + " against " + config.normalization() + ")");
        }
        if (old.vae() != null && !old.vae().sameVae(config.vae())) {
            diffs.add("the VAE (" + old.vae().run() + " against " + config.vae().run() + ")");
        }
        if (!diffs.isEmpty()) {
            throw new DiTPairException(file + " was trained with other settings than these latents and options give: "
                    + String.join("; ", diffs) + ". Use another --out, or the latents and VAE of that run");
        }
    }

    private static VecSetDiTConfig vecsetConfig(
            Options o, LatentSetInfo info, List<String> classes, ImageEncoderSpec image) {
        VecSetDiTConfig base = o.preset().equals("bench") ? VecSetDiTConfig.bench() : VecSetDiTConfig.tiny();
        base = base.withLatent((int) info.latentShape().get(0).longValue(), (int)
                info.latentShape().get(1).longValue());
        return switch (o.condition()) {
            case "class" -> base.withClasses(classes.size());
            case "image" -> base.withContext(image.config().hiddenSize());
            default -> base.unconditional();
        };
    }

    private static SparseStructureFlowConfig gridConfig(Options o, LatentSetInfo info, ImageEncoderSpec image) {
        SparseStructureFlowConfig b =
                o.preset().equals("bench") ? SparseStructureFlowConfig.bench() : SparseStructureFlowConfig.tiny();
        int c = (int) info.channels();
        int r = (int) info.latentShape().get(1).longValue();
        int patch = r % b.patchSize() == 0 ? b.patchSize() : 1;
        int cond = image != null ? image.config().hiddenSize() : b.condChannels();
        return new SparseStructureFlowConfig(
                r,
                c,
                b.modelChannels(),
                cond,
                c,
                b.numBlocks(),
                b.numHeads(),
                b.numHeadChannels(),
                b.mlpRatio(),
                patch,
                "ape",
                false,
                false,
                false,
                b.qkRmsNorm(),
                b.qkRmsNormCross());
    }

    /** Every shape's rendered views, preprocessed: one {@code [K, 3, S, S]} tensor per shape, in id order. */
    private static List<Tensor> loadViews(LatentSet set, Options o, ImageConditioner image) throws IOException {
        Path root = o.dataset() != null
                ? o.dataset()
                : set.info().dataset() == null ? null : Path.of(set.info().dataset());
        if (root == null) {
            throw new IllegalArgumentException(set.root().resolve(LatentSet.INFO)
                    + " does not name its dataset; give --dataset DIR for the condition views");
        }
        Dataset ds = Dataset.open(root);
        List<Tensor> out = new ArrayList<>();
        for (String id : set.ids()) {
            Path f = ds.file(id);
            if (!Files.exists(f)) {
                throw new IllegalArgumentException(f + ": the sample of latent '" + id + "' is missing from " + root);
            }
            try (SafetensorsReader r = SafetensorsReader.open(f)) {
                if (!r.contains("views.images")) {
                    throw new IllegalArgumentException(f + " has no rendered views (views.images); prepare the dataset"
                            + " with 'tessera prep --views K' for image conditioning");
                }
                TensorInfo ti = r.info("views.images");
                long[] s = ti.shape(); // [K, H, W, 4]
                int[] all = r.ints("views.images");
                int per = (int) (s[1] * s[2] * s[3]);
                List<Rgba8> imgs = new ArrayList<>();
                for (int k = 0; k < s[0]; k++) {
                    imgs.add(new Rgba8(
                            (int) s[2], (int) s[1], (int) s[3], Arrays.copyOfRange(all, k * per, (k + 1) * per)));
                }
                out.add(StepScope.keep(image.pixels(imgs))); // [K, 3, S, S]
            }
        }
        return out;
    }

    @Override
    public Module model() {
        return model;
    }

    /** The model being trained. */
    public FlowModel flowModel() {
        return model;
    }

    @Override
    public Object config() {
        return config;
    }

    /** The run config. */
    public DiTRunConfig runConfig() {
        return config;
    }

    /** Reads only immutable tensors and lists: micro-batches may run side by side. */
    @Override
    public boolean parallelMicroBatches() {
        return true;
    }

    @Override
    public Map<String, Tensor> loss(long step, int micro, SplittableRandom random, Generator g) {
        int[] rows = new int[batch];
        for (int i = 0; i < batch; i++) {
            rows[i] = random.nextInt(latents.size());
        }
        RectifiedFlow.Loss l = lossOf(rows, random, config.flow(), g);
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("loss", l.loss());
        return out;
    }

    private RectifiedFlow.Loss lossOf(int[] rows, SplittableRandom random, RectifiedFlow flow, Generator g) {
        long[] r = Arrays.stream(rows).asLongStream().toArray();
        Tensor z1 = torch.index_select(normalised, 0, dev.tessera.model.Tensors.fromLongs(r, r.length)); // [B, ...]
        Tensor cond = condition(rows, random); // [B, ...] or null
        return flow.loss(model, z1, cond, model.nullCondition(rows.length), g);
    }

    private Tensor condition(int[] rows, SplittableRandom random) {
        return switch (config.condition()) {
            case "class" -> latents.batchLabels(rows); // [B]
            case "image" -> {
                TensorVector px = new TensorVector();
                for (int row : rows) {
                    Tensor v = views.get(row); // [K, 3, S, S]
                    px.push_back(v.narrow(0, random.nextInt((int) v.size(0)), 1)); // [1, 3, S, S]
                }
                yield model.encodeImages(torch.cat(px, 0)); // [B, T, W]
            }
            default -> null;
        };
    }

    /** The flow loss on the first (up to) 16 latents with fixed draws and no dropout: comparable across steps. */
    @Override
    public Map<String, Double> validate(long step) {
        int n = Math.min(16, latents.size());
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = i;
        }
        RectifiedFlow f =
                new RectifiedFlow(config.flow().logitNormalMean(), config.flow().logitNormalStd(), 0);
        double loss = lossOf(rows, new SplittableRandom(1234), f, Rng.cpu(1234))
                .loss()
                .item_double();
        return Map.of("flow_loss", loss);
    }

    /** Releases the latents and views held in memory. */
    public void close() {
        StepScope.release(normalised);
        latents.close();
        if (views != null) {
            views.forEach(StepScope::release);
        }
    }

    /** The number of shapes trained on. */
    public int size() {
        return latents.size();
    }

    /**
     * {@code tessera train-dit} as one call: opens the latents, prepares the task, and runs the shared trainer into
     * {@code out} (continuing its latest checkpoint when {@code resume} is set). With {@code train}'s accumulation
     * at 1, each step's {@code options.batch()} latents run as one micro-batch per core, side by side ({@link
     * dev.tessera.model.CoreParallel}): the batch a step sees is the same, split as evenly as it divides.
     */
    public static dev.tessera.model.train.Trainer.Result train(
            Path latentsDir,
            Path vaeRun,
            Options options,
            dev.tessera.model.train.TrainOptions train,
            Path out,
            boolean resume,
            dev.tessera.data.Progress progress)
            throws Exception {
        LatentSet set = LatentSet.open(latentsDir);
        // a step's batch as one micro-batch per core, side by side (ParallelBackward), unless the caller chose
        // its own accumulation: the same gradient as one batch, with both cores busy and no per-op synchronisation
        int pieces = train.accumulation() == 1
                ? dev.tessera.model.CoreParallel.shared().piecesFor(options.batch())
                : 1;
        if (pieces > 1) {
            options = options.withBatch(options.batch() / pieces);
            train = train.withAccumulation(pieces);
        }
        DiTTraining task = create(set, vaeRun, options, out, train.seed());
        try {
            return new dev.tessera.model.train.Trainer(task, train, out, progress).run(resume);
        } finally {
            task.close();
        }
    }
}
