package dev.tessera.app;

import dev.tessera.data.dataset.Dataset;
import dev.tessera.data.sample.SampleSchema;
import dev.tessera.model.Rng;
import dev.tessera.model.sparse.SparseSdfVae;
import dev.tessera.model.sparse.SparseSdfVaeConfig;
import dev.tessera.model.sparse.SparseStructureVae;
import dev.tessera.model.sparse.SparseStructureVaeConfig;
import dev.tessera.model.sparse.SparseVaeTrainSettings;
import dev.tessera.model.sparse.SparseVaeTraining;
import dev.tessera.model.train.TrainOptions;
import dev.tessera.model.train.Trainer;
import dev.tessera.model.vecset.ShapeVaeConfig;
import dev.tessera.model.vecset.VecsetTrainSettings;
import dev.tessera.model.vecset.VecsetTraining;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tessera train-vae}: trains a VAE on a prepared dataset (a thin layer over {@link VecsetTraining}). */
@Command(
        name = "train-vae",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Train a VAE on a prepared dataset (tessera prep) into a run directory: config.json + model.safetensors",
            "(the latest, EMA, weights), metrics.jsonl, loss.png, checkpoints/ every --checkpoint-every steps,",
            "validation on held-out shapes. --resume continues the latest checkpoint bit-exactly with the run's",
            "saved settings (only --steps may change).",
            "Families: vecset (points → latent set; docs/vecset-vae.md), sparse-structure (TRELLIS's 64³",
            "surface-voxel occupancy → latent grid; validation: voxel IoU; docs/sparse-structure.md), sparse-sdf",
            "(sparse SDF voxels → sparse latent; validation: mesh F-score and Chamfer; docs/sparse-sdf-vae.md)."
        })
final class TrainVaeCommand implements Callable<Integer> {
    /** The VAE families this command trains, by their command-line names. */
    static final class Models extends ArrayList<String> {
        Models() {
            super(List.of("vecset", "sparse-structure", "sparse-sdf"));
        }
    }

    /** Every family's presets. */
    static final class Presets extends ArrayList<String> {
        Presets() {
            super(List.of(
                    "tiny", "bench", "hunyuan3d2 (vecset)", "trellis (sparse-structure)", "direct3d-s2 (sparse-sdf)"));
        }
    }

    @Spec
    CommandSpec spec;

    @Option(
            names = "--model",
            required = true,
            completionCandidates = Models.class,
            description = "VAE family: ${COMPLETION-CANDIDATES}.")
    String model;

    @Option(names = "--data", required = true, paramLabel = "DATASET", description = "Prepared dataset directory.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "RUN", description = "Run directory.")
    Path out;

    @Option(names = "--resume", description = "Continue the latest checkpoint of RUN.")
    boolean resume;

    @Option(
            names = "--preset",
            completionCandidates = Presets.class,
            description = "Model size: ${COMPLETION-CANDIDATES} (default: tiny).")
    String preset;

    @Option(
            names = "--resolution",
            description = "Sparse VAEs: input grid side (sparse-structure: a divisor of 64, default the preset's;"
                    + " sparse-sdf: default the dataset's sparse_resolution).")
    Integer resolution;

    @Option(
            names = "--channels",
            split = ",",
            paramLabel = "C0,C1,...",
            description = "Sparse VAEs: encoder channels per level, finest first (default: the preset's).")
    List<Integer> channels;

    @Option(
            names = "--label",
            description = "Vecset: decoder target, tsdf (truncated SDF, MSE) or binary (occupancy, BCE).")
    String label;

    @Option(names = "--truncation", description = "Vecset: TSDF truncation τ (default: the preset's, 0.05 for tiny).")
    Double truncation;

    @Option(names = "--sharp-cross-attn", description = "Vecset: Dora's cross-attention for sharp-edge points.")
    Boolean sharpCrossAttn;

    @Option(
            names = "--fourier-octaves",
            description = "Vecset: octaves of the xyz Fourier embedding (default: the preset's, 6 for tiny, 8 for "
                    + "hunyuan3d2); fewer give smoother fields a small model learns in fewer steps.")
    Integer fourierOctaves;

    @Option(
            names = "--num-latents",
            description = "Vecset: latent tokens per shape (default: the preset's, 64 for tiny); a multiple of 4 so the"
                    + " uniform and sharp-edge sets split it as the preset does.")
    Integer numLatents;

    @Option(
            names = "--embed-dim",
            description = "Vecset: channels per latent token (default: the preset's, 8 for tiny).")
    Integer embedDim;

    @Option(
            names = "--width",
            description = "Vecset: transformer width, a multiple of the preset's heads (default: the preset's, 128 for "
                    + "tiny).")
    Integer width;

    @Option(names = "--steps", description = "Optimiser steps in all (default: 10000).")
    Integer steps;

    @Option(names = "--lr", description = "Peak learning rate (default: vecset 1.5e-3, the sparse VAEs 5e-4).")
    Double lr;

    @Option(names = "--warmup", description = "Warm-up steps (default: min(500, steps / 20)).")
    Integer warmup;

    @Option(
            names = "--batch-size",
            description = "Shapes per micro-batch (default: vecset 32, sparse-structure 4, sparse-sdf 2). Without "
                    + "--accumulation, the vecset VAE splits this batch into one micro-batch per core, run side by "
                    + "side (same gradient).")
    Integer batchSize;

    @Option(
            names = "--accumulation",
            description = "Micro-batches per step, run side by side on the cores (default: 1; the vecset VAE then "
                    + "splits --batch-size over the cores).")
    Integer accumulation;

    @Option(
            names = "--queries",
            split = ",",
            paramLabel = "NEAR,SHARP,VOLUME",
            description = "Vecset: near-surface, near-sharp, volume queries per shape and step (default: 256,128,256).")
    List<Integer> queries;

    @Option(names = "--kl-weight", description = "KL weight (default: 1e-3; sparse VAEs: the preset's lambda_kl).")
    Double klWeight;

    @Option(names = "--sharp-weight", description = "Vecset: weight of the near-sharp queries' error (default: 2).")
    Double sharpWeight;

    @Option(
            names = "--augment-spin",
            description = "Vecset: turn each training shape about the up (y) axis at random, mirror it or not, and "
                    + "normalise it again (labels stay exact); for datasets whose shapes come in every turn about y.")
    Boolean augmentSpin;

    @Option(names = "--ema", description = "EMA decay of the exported weights, 0 for none (default: 0).")
    Double ema;

    @Option(names = "--bf16", description = "bfloat16 autocast for the forward passes.")
    Boolean bf16;

    @Option(names = "--grad-clip", description = "Clip the gradient norm to this, 0 for none (default: 1).")
    Double gradClip;

    @Option(names = "--checkpoint-every", description = "Checkpoint interval in steps (default: min(1000, steps/4)).")
    Integer checkpointEvery;

    @Option(names = "--validate-every", description = "Validation interval in steps, 0: at the end only.")
    Integer validateEvery;

    @Option(
            names = "--validation",
            split = ",",
            paramLabel = "FRACTION,SHAPES[,RESOLUTION]",
            description =
                    "Held-out share, shapes validated, vecset mesh resolution (default: 0.1,8,96; sparse: 0.1,8).")
    List<String> validation;

    @Option(names = "--seed", description = "Seed of every random draw (default: 0).")
    Long seed;

    @Option(names = "--skip-nonfinite", description = "Skip a step whose loss or gradient is not finite, not stop.")
    Boolean skipNonFinite;

    @Override
    public Integer call() throws Exception {
        if (!new Models().contains(model)) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--model: unknown VAE family \"" + model + "\"; choose one of " + String.join(", ", new Models()));
        }
        if (!model.equals("vecset")) {
            return sparse(SparseVaeTraining.Family.of(model));
        }
        List<String> sparseOnly = given(sparseOptions());
        if (!sparseOnly.isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(), String.join(", ", sparseOnly) + " apply to the sparse VAEs, not to vecset");
        }
        PrintWriter o = spec.commandLine().getOut();
        VecsetTraining.Plan plan = VecsetTraining.onCores(resume ? resumePlan() : newPlan());
        Dataset dataset = openDataset();
        o.printf(
                Locale.ROOT,
                "train-vae: vecset %s, %d shapes%s, %d steps, batch %d × %d, lr %.3g → %s%n",
                describe(plan.config()),
                dataset.size(),
                plan.settings().spin() ? " spun about y" : "",
                plan.options().steps(),
                plan.settings().batchSize(),
                plan.options().accumulation(),
                plan.options().lr(),
                out);
        o.flush();
        report(o, train(() -> VecsetTraining.train(dataset, out, plan, resume, new ProgressBar(System.err))));
        return Cli.OK;
    }

    private Dataset openDataset() throws java.io.IOException {
        Dataset dataset = Dataset.open(data);
        if (dataset.size() == 0) {
            throw new IllegalArgumentException(data + " has no prepared sample (run 'tessera prep' first)");
        }
        return dataset;
    }

    /** Runs a training, turning a refused {@code --resume} into a usage error (exit 2, with the usage hint). */
    private Trainer.Result train(java.util.concurrent.Callable<Trainer.Result> training) throws Exception {
        try {
            return training.call();
        } catch (IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().contains("--resume")) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            throw e;
        }
    }

    private void report(PrintWriter o, Trainer.Result r) {
        o.printf(
                Locale.ROOT,
                "train-vae: %d steps in %s, last loss %.4g, checkpoint %s%n",
                r.steps(),
                Format.seconds(r.seconds()),
                r.lastLoss(),
                r.lastCheckpoint());
        for (Map.Entry<String, Double> e : r.lastValidation().entrySet()) {
            o.printf(Locale.ROOT, "  val/%-22s %.4f%n", e.getKey(), e.getValue());
        }
        o.flush();
    }

    /** Names of the options given (not null) among {@code {name, value}} pairs. */
    private static List<String> given(Object[]... options) {
        List<String> out = new ArrayList<>();
        for (Object[] opt : options) {
            if (opt[1] != null) {
                out.add((String) opt[0]);
            }
        }
        return out;
    }

    /** The options only the vecset VAE reads, as {@code {name, value}} pairs. */
    private Object[][] vecsetOptions() {
        return new Object[][] {
            {"--label", label},
            {"--truncation", truncation},
            {"--sharp-cross-attn", sharpCrossAttn},
            {"--fourier-octaves", fourierOctaves},
            {"--num-latents", numLatents},
            {"--embed-dim", embedDim},
            {"--width", width},
            {"--queries", queries},
            {"--sharp-weight", sharpWeight},
            {"--augment-spin", augmentSpin}
        };
    }

    /** The options only the sparse VAEs read. */
    private Object[][] sparseOptions() {
        return new Object[][] {{"--resolution", resolution}, {"--channels", channels}};
    }

    /** {@code train-vae --model sparse-structure|sparse-sdf}. */
    private Integer sparse(SparseVaeTraining.Family family) throws Exception {
        List<String> vecsetOnly = given(vecsetOptions());
        if (!vecsetOnly.isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(), String.join(", ", vecsetOnly) + " apply to the vecset VAE, not to " + model);
        }
        PrintWriter o = spec.commandLine().getOut();
        Dataset dataset = openDataset();
        SparseVaeTraining.Plan plan = resume ? sparseResumePlan(family) : sparsePlan(family, dataset);
        Dataset.Split split = SparseVaeTraining.split(dataset, plan.settings());
        o.printf(
                Locale.ROOT,
                "train-vae: %s %s, %,d parameters, %d shapes (%d validated%s), %d steps, batch %d × %d, lr %.3g → %s%n",
                model,
                describe(plan.config()),
                parameters(plan),
                dataset.size(),
                split.validation().size(),
                dataset.split(plan.settings().validationFraction()).validation().size() == 0
                        ? ", training shapes: none held out"
                        : " held out",
                plan.options().steps(),
                plan.settings().batchSize(),
                plan.options().accumulation(),
                plan.options().lr(),
                out);
        o.flush();
        report(o, train(() -> SparseVaeTraining.train(dataset, out, plan, resume, new ProgressBar(System.err))));
        return Cli.OK;
    }

    private static long parameters(SparseVaeTraining.Plan plan) {
        org.bytedeco.pytorch.Module m = plan.config() instanceof SparseStructureVaeConfig c
                ? new SparseStructureVae(c, Rng.cpu(0))
                : new SparseSdfVae((SparseSdfVaeConfig) plan.config(), Rng.cpu(0));
        var ps = m.parameters(true);
        long n = 0;
        for (long i = 0; i < ps.size(); i++) {
            n += ps.get(i).numel();
        }
        return n;
    }

    private static String describe(Object config) {
        if (config instanceof SparseStructureVaeConfig c) {
            int l = c.latentResolution();
            return String.format(
                    Locale.ROOT,
                    "%d³ occupancy → %d×%d³ latent, channels %s, %s + %.3g·KL",
                    c.resolution(),
                    c.latentChannels(),
                    l,
                    c.channels(),
                    c.lossType(),
                    c.lambdaKl());
        }
        SparseSdfVaeConfig c = (SparseSdfVaeConfig) config;
        return String.format(
                Locale.ROOT,
                "%d³ sparse SDF → %d channels at active %d³ voxels, channels %s, %s + %.3g·prune + %.3g·KL",
                c.resolution(),
                c.latentChannels(),
                c.latentResolution(),
                c.channels(),
                c.sdfLoss(),
                c.lambdaPrune(),
                c.lambdaKl());
    }

    private SparseVaeTraining.Plan sparseResumePlan(SparseVaeTraining.Family family) throws Exception {
        refuseChangesOnResume();
        SparseVaeTraining.Family saved = SparseVaeTraining.familyOf(out);
        if (saved != null && saved != family) {
            throw new ParameterException(
                    spec.commandLine(), out + " is a " + saved.id() + " run; resume it with --model " + saved.id());
        }
        if (saved == null && java.nio.file.Files.exists(out.resolve(VecsetTraining.SETTINGS))) {
            throw new ParameterException(spec.commandLine(), out + " is a vecset run; resume it with --model vecset");
        }
        SparseVaeTraining.Plan p = SparseVaeTraining.saved(out);
        TrainOptions t = steps == null ? p.options() : p.options().withSteps(steps);
        return new SparseVaeTraining.Plan(p.config(), p.settings(), t);
    }

    private SparseVaeTraining.Plan sparsePlan(SparseVaeTraining.Family family, Dataset dataset) throws Exception {
        String size = preset == null ? "tiny" : preset;
        int sdfResolution = family == SparseVaeTraining.Family.SPARSE_SDF && resolution == null
                ? datasetSparseResolution(dataset)
                : resolution == null ? 0 : resolution;
        try {
            Object config;
            if (family == SparseVaeTraining.Family.SPARSE_STRUCTURE) {
                SparseStructureVaeConfig c = switch (size) {
                    case "tiny" -> SparseStructureVaeConfig.tiny();
                    case "bench" -> SparseStructureVaeConfig.bench();
                    case "trellis" -> SparseStructureVaeConfig.trellisSparseStructure();
                    default ->
                        throw new IllegalArgumentException(
                                "--preset of sparse-structure: tiny, bench or trellis, not " + size);
                };
                config = new SparseStructureVaeConfig(
                        resolution == null ? c.resolution() : resolution,
                        c.inChannels(),
                        c.outChannels(),
                        c.latentChannels(),
                        channels == null ? c.channels() : channels,
                        c.numResBlocks(),
                        c.numResBlocksMiddle(),
                        c.normType(),
                        c.lossType(),
                        klWeight == null ? c.lambdaKl() : klWeight);
            } else {
                SparseSdfVaeConfig c = switch (size) {
                    case "tiny" -> SparseSdfVaeConfig.tiny();
                    case "bench" -> SparseSdfVaeConfig.bench();
                    case "direct3d-s2" -> SparseSdfVaeConfig.direct3dS2Like();
                    default ->
                        throw new IllegalArgumentException(
                                "--preset of sparse-sdf: tiny, bench or direct3d-s2, not " + size);
                };
                config = new SparseSdfVaeConfig(
                        sdfResolution,
                        channels == null ? c.channels() : channels,
                        c.numResBlocks(),
                        c.latentChannels(),
                        c.normType(),
                        c.truncation(),
                        c.sdfLoss(),
                        c.lambdaPrune(),
                        klWeight == null ? c.lambdaKl() : klWeight);
            }
            SparseVaeTrainSettings s = SparseVaeTrainSettings.defaults(family);
            if (batchSize != null) {
                s = s.withBatchSize(batchSize);
            }
            if (validation != null) {
                if (validation.size() != 2) {
                    throw new IllegalArgumentException("--validation of the sparse VAEs takes FRACTION,SHAPES, got "
                            + String.join(",", validation));
                }
                s = s.withValidation(
                        Double.parseDouble(validation.get(0)), Integer.parseInt(validation.get(1)), s.metricsPoints());
            }
            return new SparseVaeTraining.Plan(config, s, options(steps == null ? 10_000 : steps, 5e-4));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The sparse_resolution of the dataset's first sample; the error names the array and the prep option. */
    private static int datasetSparseResolution(Dataset dataset) throws java.io.IOException {
        String id = dataset.ids().get(0);
        try (var r = dataset.open(id)) {
            int res = Integer.parseInt(r.metadata().getOrDefault(SampleSchema.META_SPARSE_RESOLUTION, "0"));
            if (res <= 0 || !r.contains(SampleSchema.SPARSE_COORDS)) {
                throw new IllegalArgumentException(dataset.file(id) + ": no sparse SDF voxels ("
                        + SampleSchema.SPARSE_COORDS + ", " + SampleSchema.SPARSE_SDF + "), which the sparse SDF VAE"
                        + " reads; prep the dataset with --sparse-resolution R (e.g. 64 or 256)");
            }
            return res;
        }
    }

    /**
     * The vecset VAE's default peak learning rate, that of its best runs; 3e-3 fits a few shapes faster but falls
     * behind on the 240-shape set (docs/results.md).
     */
    static final double VECSET_LR = 1.5e-3;

    /** The shared optimisation options from the command line, {@code defaultLr} unless --lr is given. */
    private TrainOptions options(int n, double defaultLr) {
        TrainOptions t = TrainOptions.defaults(n, lr == null ? defaultLr : lr);
        if (warmup != null) {
            t = t.withWarmup(warmup);
        }
        if (accumulation != null) {
            t = t.withAccumulation(accumulation);
        }
        if (ema != null) {
            t = t.withEma(ema);
        }
        if (bf16 != null) {
            t = t.withBf16(bf16);
        }
        if (gradClip != null) {
            t = t.withGradClip(gradClip);
        }
        if (checkpointEvery != null) {
            t = t.withCheckpointEvery(checkpointEvery);
        }
        if (validateEvery != null) {
            t = t.withValidateEvery(validateEvery);
        }
        if (seed != null) {
            t = t.withSeed(seed);
        }
        if (skipNonFinite != null) {
            t = t.withSkipNonFinite(skipNonFinite);
        }
        return t;
    }

    private void refuseChangesOnResume() {
        List<Object[]> all = new ArrayList<>(List.of(vecsetOptions()));
        all.addAll(List.of(sparseOptions()));
        all.addAll(List.of(new Object[][] {
            {"--preset", preset},
            {"--lr", lr},
            {"--warmup", warmup},
            {"--batch-size", batchSize},
            {"--accumulation", accumulation},
            {"--kl-weight", klWeight},
            {"--ema", ema},
            {"--bf16", bf16},
            {"--grad-clip", gradClip},
            {"--checkpoint-every", checkpointEvery},
            {"--validate-every", validateEvery},
            {"--validation", validation},
            {"--seed", seed},
            {"--skip-nonfinite", skipNonFinite}
        }));
        List<String> given = given(all.toArray(new Object[0][]));
        if (!given.isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--resume continues with the run's saved settings; only --steps may change, not "
                            + String.join(", ", given));
        }
    }

    private static String describe(ShapeVaeConfig c) {
        return String.format(
                Locale.ROOT,
                "%d×%d latents, width %d, %s%s",
                c.numLatents(),
                c.embedDim(),
                c.width(),
                c.labelType(),
                c.isTsdf() ? String.format(Locale.ROOT, " τ=%.3g", c.tsdfTruncation()) : "");
    }

    private VecsetTraining.Plan resumePlan() throws Exception {
        refuseChangesOnResume();
        if (SparseVaeTraining.familyOf(out) != null) {
            throw new ParameterException(
                    spec.commandLine(),
                    out + " is a " + SparseVaeTraining.familyOf(out).id() + " run; resume it with --model "
                            + SparseVaeTraining.familyOf(out).id());
        }
        VecsetTraining.Plan saved = VecsetTraining.saved(out);
        TrainOptions t = steps == null ? saved.options() : saved.options().withSteps(steps);
        return new VecsetTraining.Plan(saved.config(), saved.settings(), t);
    }

    private VecsetTraining.Plan newPlan() {
        try {
            ShapeVaeConfig c = switch (preset == null ? "tiny" : preset) {
                case "tiny" -> ShapeVaeConfig.tiny();
                case "bench" -> ShapeVaeConfig.bench();
                case "hunyuan3d2" -> ShapeVaeConfig.hunyuan3d2();
                default ->
                    throw new IllegalArgumentException("--preset of vecset: tiny, bench or hunyuan3d2, not " + preset);
            };
            if (label != null || truncation != null) {
                String l = label == null ? c.labelType() : label;
                double tau = truncation != null ? truncation : c.tsdfTruncation() > 0 ? c.tsdfTruncation() : 0.05;
                c = c.withLabel(l, tau);
            }
            if (sharpCrossAttn != null) {
                c = c.withSharpCrossAttn(sharpCrossAttn);
            }
            if (fourierOctaves != null) {
                c = c.withFourier(fourierOctaves, c.includePi());
            }
            if (numLatents != null || embedDim != null || width != null) {
                c = c.withSize(
                        numLatents == null ? c.numLatents() : numLatents,
                        embedDim == null ? c.embedDim() : embedDim,
                        width == null ? c.width() : width);
            }
            TrainOptions t = options(steps == null ? 10_000 : steps, VECSET_LR);
            VecsetTrainSettings s = VecsetTrainSettings.defaults();
            if (batchSize != null) {
                s = s.withBatchSize(batchSize);
            }
            if (queries != null) {
                if (queries.size() != 3) {
                    throw new IllegalArgumentException(
                            "--queries takes three counts NEAR,SHARP,VOLUME, got " + queries);
                }
                s = s.withQueries(queries.get(0), queries.get(1), queries.get(2));
            }
            if (augmentSpin != null) {
                s = s.withSpin(augmentSpin);
            }
            if (klWeight != null || sharpWeight != null) {
                s = s.withWeights(
                        sharpWeight == null ? s.sharpWeight() : sharpWeight,
                        klWeight == null ? s.klWeight() : klWeight);
            }
            if (validation != null) {
                if (validation.size() != 3) {
                    throw new IllegalArgumentException(
                            "--validation takes FRACTION,SHAPES,RESOLUTION, got " + String.join(",", validation));
                }
                s = s.withValidation(
                        Double.parseDouble(validation.get(0)),
                        Integer.parseInt(validation.get(1)),
                        Integer.parseInt(validation.get(2)),
                        s.metricsPoints());
            }
            return new VecsetTraining.Plan(c, s, t);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
