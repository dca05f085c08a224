package dev.tessera.app;

import dev.tessera.model.Torch;
import dev.tessera.model.flow.RectifiedFlow;
import dev.tessera.model.gen.DiTTraining;
import dev.tessera.model.train.TrainOptions;
import dev.tessera.model.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera train-dit}: a DiT trained with rectified flow on a latent set. */
@Command(
        name = "train-dit",
        mixinStandardHelpOptions = true,
        description = {
            "Train a DiT with rectified flow on a latent set. The latents are those 'tessera encode' wrote; the",
            "condition is nothing, a class label or an image (the dataset's rendered views). Writes a run",
            "directory: config.json + model.safetensors (EMA weights), metrics.jsonl, loss.png, checkpoints/",
            "(see docs/generation.md)."
        })
final class TrainDitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--latents", required = true, paramLabel = "LATENTS", description = "Latent set directory.")
    Path latents;

    @Option(names = "--vae", required = true, paramLabel = "RUN", description = "The VAE that encoded the latents.")
    Path vae;

    @Option(names = "--out", required = true, paramLabel = "RUN2", description = "Run directory to write.")
    Path out;

    @Option(names = "--model", defaultValue = "vecset", description = "vecset or grid (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--cond", defaultValue = "none", description = "none, class or image (default: ${DEFAULT-VALUE}).")
    String cond;

    @Option(names = "--preset", defaultValue = "tiny", description = "tiny or bench (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--steps", defaultValue = "2000", description = "Optimiser steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch", defaultValue = "16", description = "Latents per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "5e-4", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--warmup", description = "Warm-up steps (default: steps/20, at most 500).")
    Integer warmup;

    @Option(
            names = "--ema",
            defaultValue = "0.999",
            description = "EMA decay of the weights, 0 for none (default: ${DEFAULT-VALUE}).")
    double ema;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description = "Seed of every random draw (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--cond-dropout",
            defaultValue = "0.1",
            description = "Probability of the null condition in training, for CFG (default: ${DEFAULT-VALUE}).")
    double condDropout;

    @Option(
            names = "--logit-mean",
            defaultValue = "0",
            description = "Mean of the logit-normal t (default: ${DEFAULT-VALUE}).")
    double logitMean;

    @Option(
            names = "--logit-std",
            defaultValue = "1",
            description = "Std of the logit-normal t (default: ${DEFAULT-VALUE}).")
    double logitStd;

    @Option(
            names = "--normalization",
            defaultValue = "channel",
            description = "Latent normalisation: channel, global or none (default: ${DEFAULT-VALUE}).")
    String normalization;

    @Option(
            names = "--image-encoder",
            paramLabel = "PATH",
            description =
                    "A pretrained DINOv2 (facebook/dinov2-* directory or safetensors), frozen; default: a small ViT trained from scratch.")
    Path imageEncoder;

    @Option(
            names = "--image-size",
            defaultValue = "112",
            description = "Input size of the small ViT, a multiple of 14 (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(
            names = "--dataset",
            paramLabel = "DIR",
            description = "Dataset with the condition views (default: the one latents.json names).")
    Path dataset;

    @Option(names = "--checkpoint-every", description = "Steps between checkpoints (default: steps/4, at most 1000).")
    Integer checkpointEvery;

    @Option(names = "--bf16", description = "bfloat16 autocast (fast on CPUs with AMX).")
    boolean bf16;

    @Option(names = "--resume", description = "Continue the run in --out from its latest checkpoint.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        Torch.load();
        PrintWriter log = spec.commandLine().getOut();
        DiTTraining.Options o;
        TrainOptions t;
        try {
            RectifiedFlow flow = new RectifiedFlow(logitMean, logitStd, condDropout);
            o = new DiTTraining.Options(
                    model, cond, preset, batch, normalization, flow, imageEncoder, imageSize, dataset, null);
            t = TrainOptions.defaults(steps, lr).withEma(ema).withSeed(seed).withBf16(bf16);
            if (warmup != null) {
                t = t.withWarmup(warmup);
            }
            if (checkpointEvery != null) {
                t = t.withCheckpointEvery(checkpointEvery);
            }
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Trainer.Result r = DiTTraining.train(latents, vae, o, t, out, resume, new ProgressBar(System.err));
        log.printf(
                Locale.ROOT,
                "trained %d steps in %.1f s: loss %.4f%s → %s%n",
                r.steps(),
                r.seconds(),
                r.lastLoss(),
                r.lastValidation().containsKey("flow_loss")
                        ? String.format(
                                Locale.ROOT,
                                ", validation flow loss %.4f",
                                r.lastValidation().get("flow_loss"))
                        : "",
                out);
        log.flush();
        return Cli.OK;
    }
}
