package dev.tessera.model.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.data.Progress;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.safetensors.SafetensorsWriter;
import dev.tessera.geometry.io.AtomicFile;
import dev.tessera.model.Autocast;
import dev.tessera.model.Checkpoint;
import dev.tessera.model.Rng;
import dev.tessera.model.StateDict;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The training loop every Tessera model shares: AdamW with decoupled weight decay on weights of rank ≥ 2, warm-up then
 * cosine learning rate, gradient accumulation and clipping, optional EMA and bf16 autocast, metrics and checkpoints.
 *
 * <p>A run directory holds {@code config.json} and {@code model.safetensors} (the latest weights — the EMA ones when
 * EMA is on — so the directory is itself a checkpoint), {@code train.json} (the options), {@code metrics.jsonl} (one
 * JSON line per logged step and per validation), {@code loss.png}, and {@code checkpoints/step-NNNNNNN/} with the live
 * weights, EMA weights, optimizer state and step, each written to a temporary directory and renamed.
 *
 * <p>Every random draw of step {@code s}, micro-batch {@code m} comes from generators seeded by
 * {@code (seed, s, m)}; with the optimizer state in the checkpoint, a resumed run continues bit-exactly on the CPU.
 * Every step runs inside a {@link StepScope}, so native memory stays flat.
 */
public final class Trainer {
    private static final System.Logger LOG = System.getLogger(Trainer.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The optimizer state's file in a step checkpoint ({@link FusedAdamW#save}). */
    static final String OPTIMIZER = "optimizer.safetensors";

    /** What a run did. */
    public record Result(
            long steps, Path lastCheckpoint, Map<String, Double> lastValidation, double lastLoss, double seconds) {}

    private final TrainTask task;
    private final TrainOptions options;
    private final Path run;
    private final Progress progress;

    public Trainer(TrainTask task, TrainOptions options, Path runDir, Progress progress) {
        this.task = task;
        this.options = options;
        this.run = runDir;
        this.progress = progress;
    }

    /** Directory of step checkpoints in a run. */
    public static Path checkpoints(Path run) {
        return run.resolve("checkpoints");
    }

    /** The latest complete step checkpoint of a run, or {@code null}. */
    public static Path latestCheckpoint(Path run) throws IOException {
        Path dir = checkpoints(run);
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("step-"))
                    .filter(p -> Files.exists(p.resolve("trainer.json")))
                    .max(java.util.Comparator.comparing(p -> p.getFileName().toString()))
                    .orElse(null);
        }
    }

    /**
     * Trains from scratch, or continues from the latest checkpoint when {@code resume} is set.
     *
     * @throws IllegalStateException when the run directory already holds checkpoints and {@code resume} is off
     * @throws TrainingDivergedException when the loss stops being finite (and {@code skipNonFinite} is off)
     */
    public Result run(boolean resume) throws Exception {
        long t0 = System.nanoTime();
        Files.createDirectories(run);
        Path latest = latestCheckpoint(run);
        if (latest != null && !resume) {
            throw new IllegalStateException(run + " already holds checkpoints (latest " + latest.getFileName()
                    + "); continue it with --resume or choose another --out");
        }
        Module model = task.model();
        Checkpoint.writeConfig(run, task.config());
        AtomicFile.write(
                run.resolve("train.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(options));

        List<Tensor> params = new ArrayList<>();
        Map<String, Tensor> decay = new LinkedHashMap<>(), noDecay = new LinkedHashMap<>();
        collectParameters(model, params, decay, noDecay);
        FusedAdamW opt = new FusedAdamW(options.lrAt(0), options.beta1(), options.beta2(), options.eps())
                .addGroup(decay, options.weightDecay())
                .addGroup(noDecay, 0.0);
        TensorVector all = new TensorVector(params.toArray(new Tensor[0]));
        Ema ema = options.emaDecay() > 0 ? new Ema(model, options.emaDecay()) : null;

        long start = 0;
        if (latest != null) {
            start = restore(latest, model, opt, ema) + 1;
            truncateMetrics(start - 1);
            LOG.log(System.Logger.Level.INFO, "resuming " + run + " after step " + (start - 1));
        }
        Path lastCheckpoint = latest;
        Map<String, Double> lastValidation = Map.of();
        double lastLoss = Double.NaN;
        progress.start("train", options.steps(), start);
        long tStep = System.nanoTime();
        try {
            for (long step = start; step < options.steps(); step++) {
                double lr = options.lrAt(step);
                opt.setLearningRate(lr);
                opt.zeroGrad();
                long stepNow = step;
                ParallelBackward.Result r;
                try {
                    r = ParallelBackward.run(params, options.accumulation(), task.parallelMicroBatches(), micro -> {
                        SplittableRandom random = new SplittableRandom(mix(options.seed(), stepNow, micro));
                        var gen = Rng.cpu(mix(options.seed() ^ 0x5DEECE66DL, stepNow, micro));
                        try {
                            if (options.bf16()) {
                                try (Autocast ac = Autocast.enable(torch.DeviceType.CPU, torch.ScalarType.BFloat16)) {
                                    return task.loss(stepNow, micro, random, gen);
                                }
                            }
                            return task.loss(stepNow, micro, random, gen);
                        } catch (RuntimeException e) {
                            throw e;
                        } catch (Exception e) {
                            throw new MicroBatchException(e);
                        }
                    });
                } catch (MicroBatchException e) {
                    throw (Exception) e.getCause();
                }
                Map<String, Double> terms = r.terms();
                boolean finite = r.finite();
                double gradNorm = finite
                        ? torch.clip_grad_norm_(all, options.gradClip() > 0 ? options.gradClip() : Double.MAX_VALUE)
                        : Double.NaN;
                if (!finite || !Double.isFinite(gradNorm)) {
                    String what = !finite ? "loss" : "gradient norm";
                    if (!options.skipNonFinite()) {
                        throw new TrainingDivergedException(what + " is not finite at step " + step + "; the last good "
                                + "checkpoint is "
                                + (lastCheckpoint == null ? "none (no checkpoint yet)" : lastCheckpoint)
                                + ". Resume with --resume, perhaps with a lower --lr, or pass --skip-nonfinite");
                    }
                    opt.zeroGrad();
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("step", step);
                    line.put("skipped", "non-finite " + what);
                    appendMetrics(line);
                    continue;
                }
                opt.step();
                if (ema != null) {
                    ema.update();
                }
                lastLoss = terms.getOrDefault("loss", Double.NaN);
                boolean last = step == options.steps() - 1;
                if (step % options.logEvery() == 0 || last) {
                    double seconds = (System.nanoTime() - tStep) / 1e9;
                    tStep = System.nanoTime();
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("step", step);
                    line.put("lr", lr);
                    line.put("grad_norm", gradNorm);
                    terms.forEach(line::put);
                    line.put("seconds", seconds);
                    appendMetrics(line);
                }
                // the checkpoint first: a validation that fails (a decode out of memory, a killed process) must not
                // take the steps since the previous checkpoint with it
                if ((step + 1) % options.checkpointEvery() == 0 || last) {
                    lastCheckpoint = checkpoint(step, model, opt, ema);
                }
                if ((options.validateEvery() > 0 && (step + 1) % options.validateEvery() == 0) || last) {
                    lastValidation = validate(model, ema, step);
                }
                progress.advance(step + 1, String.format(Locale.ROOT, "loss %.4g", lastLoss));
            }
        } finally {
            progress.finish();
            try {
                LossCurvePlot.write(run.resolve("metrics.jsonl"), run.resolve("loss.png"));
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not draw the loss curve: " + e.getMessage());
            }
            if (ema != null) {
                ema.close();
            }
        }
        return new Result(options.steps(), lastCheckpoint, lastValidation, lastLoss, (System.nanoTime() - t0) / 1e9);
    }

    private static void collectParameters(
            Module model, List<Tensor> params, Map<String, Tensor> decay, Map<String, Tensor> noDecay) {
        for (var e : ParallelBackward.namedParameters(model).entrySet()) {
            params.add(e.getValue());
            (e.getValue().dim() >= 2 ? decay : noDecay).put(e.getKey(), e.getValue());
        }
    }

    private Map<String, Double> validate(Module model, Ema ema, long step) throws Exception {
        if (ema != null) {
            ema.swap();
        }
        model.eval();
        Map<String, Double> m;
        try (var ng = new org.bytedeco.pytorch.NoGradGuard();
                StepScope s = new StepScope()) {
            m = task.validate(step);
        } finally {
            model.train(true);
            if (ema != null) {
                ema.swap();
            }
        }
        if (!m.isEmpty()) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("step", step);
            m.forEach((k, v) -> line.put("val/" + k, v));
            appendMetrics(line);
        }
        return m;
    }

    private Path checkpoint(long step, Module model, FusedAdamW opt, Ema ema) throws IOException {
        Path dir = checkpoints(run);
        Files.createDirectories(dir);
        String name = String.format(Locale.ROOT, "step-%07d", step);
        Path tmp = dir.resolve("." + name + ".tmp");
        deleteTree(tmp);
        Files.createDirectories(tmp);
        Checkpoint.save(tmp, task.config(), model);
        if (ema != null) {
            SafetensorsWriter w = new SafetensorsWriter();
            try (StepScope s = new StepScope()) {
                ema.tensors().forEach((k, v) -> Tensors.add(w, k, v));
                w.write(tmp.resolve("ema.safetensors"));
            }
        }
        opt.save(tmp.resolve(OPTIMIZER));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("step", step);
        state.put("seed", options.seed());
        AtomicFile.write(tmp.resolve("trainer.json"), JSON.writeValueAsBytes(state));
        Path target = dir.resolve(name);
        deleteTree(target);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        // the run directory itself is the latest exported checkpoint (EMA weights when EMA is on)
        if (ema != null) {
            ema.swap();
        }
        try {
            // config_class names the model family, as Checkpoint.save does: encode and generate open the run by it
            StateDict.save(
                    model,
                    run.resolve(Checkpoint.WEIGHTS),
                    Map.of(
                            "step",
                            Long.toString(step),
                            "config_class",
                            task.config().getClass().getName()));
        } finally {
            if (ema != null) {
                ema.swap();
            }
        }
        prune(dir);
        return target;
    }

    private long restore(Path ckpt, Module model, FusedAdamW opt, Ema ema) throws IOException {
        Path optimizerState = ckpt.resolve(OPTIMIZER);
        if (!Files.exists(optimizerState) && Files.exists(ckpt.resolve("optimizer.pt"))) {
            throw new IOException(ckpt + " holds the optimizer state in libtorch's archive (optimizer.pt), which "
                    + "Tessera wrote before it moved to " + OPTIMIZER + "; resume this run with the Tessera version "
                    + "that started it, or start a new run (another --out)");
        }
        Checkpoint.load(ckpt, model);
        opt.load(optimizerState);
        if (ema != null) {
            Path f = ckpt.resolve("ema.safetensors");
            if (Files.exists(f)) {
                try (SafetensorsReader r = SafetensorsReader.open(f);
                        var ng = new org.bytedeco.pytorch.NoGradGuard()) {
                    for (var e : ema.tensors().entrySet()) {
                        try (StepScope s = new StepScope()) {
                            e.getValue().copy_(Tensors.view(r, e.getKey()));
                        }
                    }
                }
            }
        }
        var state = JSON.readTree(ckpt.resolve("trainer.json").toFile());
        return state.get("step").asLong();
    }

    private void prune(Path dir) throws IOException {
        List<Path> steps;
        try (Stream<Path> s = Files.list(dir)) {
            steps = s.filter(p -> p.getFileName().toString().startsWith("step-"))
                    .sorted()
                    .toList();
        }
        for (int i = 0; i + options.keepCheckpoints() < steps.size(); i++) {
            deleteTree(steps.get(i));
        }
    }

    private void appendMetrics(Map<String, Object> line) throws IOException {
        Files.writeString(
                run.resolve("metrics.jsonl"),
                JSON.writeValueAsString(line) + "\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** Drops metric lines after {@code lastStep} (written by a run that was interrupted after its last checkpoint). */
    private void truncateMetrics(long lastStep) throws IOException {
        Path f = run.resolve("metrics.jsonl");
        if (!Files.exists(f)) {
            return;
        }
        StringBuilder kept = new StringBuilder();
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            try {
                var node = JSON.readTree(line);
                if (node != null && node.has("step") && node.get("step").asLong() <= lastStep) {
                    kept.append(line).append('\n');
                }
            } catch (IOException e) {
                // a torn line: drop it
            }
        }
        AtomicFile.write(f, kept.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    /** SplitMix64 of (seed, step, micro): independent streams per step and micro-batch. */
    static long mix(long seed, long step, long micro) {
        long z = seed + 0x9E3779B97F4A7C15L * (step * 1315423911L + micro + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Carries a task's checked exception out of a micro-batch's worker thread. */
    private static final class MicroBatchException extends RuntimeException {
        MicroBatchException(Exception cause) {
            super(cause);
        }
    }
}
