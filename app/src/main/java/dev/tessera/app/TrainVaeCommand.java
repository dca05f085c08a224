package dev.tessera.app;

import dev.tessera.data.dataset.Dataset;
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
            "(the latest, EMA, weights), metrics.jsonl, loss.png, checkpoints/ every --checkpoint-every steps.",
            "--resume continues the latest checkpoint bit-exactly with the run's saved settings (only --steps may",
            "change). See docs/vecset-vae.md."
        })
final class TrainVaeCommand implements Callable<Integer> {
    /** The VAE families this command trains. */
    enum Model {
        vecset
    }

    /** Presets of the vecset VAE. */
    enum Preset {
        tiny,
        bench,
        hunyuan3d2
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "VAE family: ${COMPLETION-CANDIDATES}.")
    Model model;

    @Option(names = "--data", required = true, paramLabel = "DATASET", description = "Prepared dataset directory.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "RUN", description = "Run directory.")
    Path out;

    @Option(names = "--resume", description = "Continue the latest checkpoint of RUN.")
    boolean resume;

    @Option(names = "--preset", description = "Model size: ${COMPLETION-CANDIDATES} (default: tiny).")
    Preset preset;

    @Option(names = "--label", description = "Decoder target: tsdf (truncated SDF, MSE) or binary (occupancy, BCE).")
    String label;

    @Option(names = "--truncation", description = "TSDF truncation τ (default: the preset's, 0.05 for tiny).")
    Double truncation;

    @Option(names = "--sharp-cross-attn", description = "Dora's separate cross-attention for sharp-edge points.")
    Boolean sharpCrossAttn;

    @Option(
            names = "--fourier-octaves",
            description = "Octaves of the xyz Fourier embedding (default: the preset's, 8 for tiny); fewer give "
                    + "smoother fields a small model learns in fewer steps (the demo uses 6).")
    Integer fourierOctaves;

    @Option(names = "--steps", description = "Optimiser steps in all (default: 10000).")
    Integer steps;

    @Option(names = "--lr", description = "Peak learning rate (default: 5e-4).")
    Double lr;

    @Option(names = "--warmup", description = "Warm-up steps (default: min(500, steps / 20)).")
    Integer warmup;

    @Option(names = "--batch-size", description = "Shapes per micro-batch (default: 4).")
    Integer batchSize;

    @Option(names = "--accumulation", description = "Micro-batches per step (default: 1).")
    Integer accumulation;

    @Option(
            names = "--queries",
            split = ",",
            paramLabel = "NEAR,SHARP,VOLUME",
            description = "Near-surface, near-sharp and volume queries per shape and step (default: 1024,512,1024).")
    List<Integer> queries;

    @Option(names = "--kl-weight", description = "KL weight (default: 1e-3).")
    Double klWeight;

    @Option(names = "--sharp-weight", description = "Weight of the near-sharp queries' error (default: 2).")
    Double sharpWeight;

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
            paramLabel = "FRACTION,SHAPES,RESOLUTION",
            description = "Held-out share, shapes validated, mesh resolution (default: 0.1,8,96).")
    List<String> validation;

    @Option(names = "--seed", description = "Seed of every random draw (default: 0).")
    Long seed;

    @Option(names = "--skip-nonfinite", description = "Skip a step whose loss or gradient is not finite, not stop.")
    Boolean skipNonFinite;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        VecsetTraining.Plan plan = resume ? resumePlan() : newPlan();
        Dataset dataset = Dataset.open(data);
        if (dataset.size() == 0) {
            throw new IllegalArgumentException(data + " has no prepared sample (run 'tessera prep' first)");
        }
        o.printf(
                Locale.ROOT,
                "train-vae: vecset %s, %d shapes, %d steps, batch %d × %d, lr %.3g → %s%n",
                describe(plan.config()),
                dataset.size(),
                plan.options().steps(),
                plan.settings().batchSize(),
                plan.options().accumulation(),
                plan.options().lr(),
                out);
        o.flush();
        Trainer.Result r;
        try {
            r = VecsetTraining.train(dataset, out, plan, resume, new ProgressBar(System.err));
        } catch (IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().contains("--resume")) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            throw e;
        }
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
        return Cli.OK;
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
        List<String> given = new ArrayList<>();
        Object[][] options = {
            {"--preset", preset},
            {"--label", label},
            {"--truncation", truncation},
            {"--sharp-cross-attn", sharpCrossAttn},
            {"--fourier-octaves", fourierOctaves},
            {"--lr", lr},
            {"--warmup", warmup},
            {"--batch-size", batchSize},
            {"--accumulation", accumulation},
            {"--queries", queries},
            {"--kl-weight", klWeight},
            {"--sharp-weight", sharpWeight},
            {"--ema", ema},
            {"--bf16", bf16},
            {"--grad-clip", gradClip},
            {"--checkpoint-every", checkpointEvery},
            {"--validate-every", validateEvery},
            {"--validation", validation},
            {"--seed", seed},
            {"--skip-nonfinite", skipNonFinite}
        };
        for (Object[] opt : options) {
            if (opt[1] != null) {
                given.add((String) opt[0]);
            }
        }
        if (!given.isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--resume continues with the run's saved settings; only --steps may change, not "
                            + String.join(", ", given));
        }
        VecsetTraining.Plan saved = VecsetTraining.saved(out);
        TrainOptions t = steps == null ? saved.options() : saved.options().withSteps(steps);
        return new VecsetTraining.Plan(saved.config(), saved.settings(), t);
    }

    private VecsetTraining.Plan newPlan() {
        ShapeVaeConfig c = switch (preset == null ? Preset.tiny : preset) {
            case tiny -> ShapeVaeConfig.tiny();
            case bench -> ShapeVaeConfig.bench();
            case hunyuan3d2 -> ShapeVaeConfig.hunyuan3d2();
        };
        try {
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
            int n = steps == null ? 10_000 : steps;
            TrainOptions t = TrainOptions.defaults(n, lr == null ? 5e-4 : lr);
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
