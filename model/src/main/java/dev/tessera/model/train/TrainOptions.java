package dev.tessera.model.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Optimisation settings shared by every Tessera trainer (VAEs and DiTs).
 *
 * @param steps optimiser steps in total
 * @param lr peak learning rate
 * @param warmupSteps linear warm-up from 0 to {@code lr}
 * @param minLrFactor the cosine decay ends at {@code lr · minLrFactor}
 * @param weightDecay AdamW weight decay, applied to weights of rank ≥ 2 only (not to biases and norms)
 * @param beta1 AdamW β1
 * @param beta2 AdamW β2
 * @param eps AdamW ε
 * @param gradClip clip the global gradient norm to this (0: no clipping)
 * @param emaDecay exponential moving average of the weights (0: none); checkpoints export the EMA weights
 * @param accumulation micro-batches per optimiser step (gradient accumulation)
 * @param bf16 run forward passes under CPU/CUDA bfloat16 autocast
 * @param checkpointEvery write a checkpoint every N steps (and at the end)
 * @param validateEvery run validation every N steps (0: only at the end)
 * @param logEvery append a metrics line every N steps
 * @param keepCheckpoints how many step checkpoints to keep (older ones are deleted)
 * @param seed every random draw of the run derives from this and the step
 * @param skipNonFinite skip a step whose loss or gradients are not finite instead of stopping
 */
public record TrainOptions(
        int steps,
        double lr,
        @JsonProperty("warmup_steps") int warmupSteps,
        @JsonProperty("min_lr_factor") double minLrFactor,
        @JsonProperty("weight_decay") double weightDecay,
        double beta1,
        double beta2,
        double eps,
        @JsonProperty("grad_clip") double gradClip,
        @JsonProperty("ema_decay") double emaDecay,
        int accumulation,
        boolean bf16,
        @JsonProperty("checkpoint_every") int checkpointEvery,
        @JsonProperty("validate_every") int validateEvery,
        @JsonProperty("log_every") int logEvery,
        @JsonProperty("keep_checkpoints") int keepCheckpoints,
        long seed,
        @JsonProperty("skip_non_finite") boolean skipNonFinite) {

    public TrainOptions {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        }
        if (!(lr > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + lr);
        }
        if (warmupSteps < 0 || accumulation < 1 || checkpointEvery < 1 || logEvery < 1 || validateEvery < 0) {
            throw new IllegalArgumentException("warm-up ≥ 0, accumulation ≥ 1, checkpoint/log intervals ≥ 1 required");
        }
        if (emaDecay < 0 || emaDecay >= 1) {
            throw new IllegalArgumentException("EMA decay must be in [0, 1), got " + emaDecay);
        }
        if (keepCheckpoints < 1) {
            throw new IllegalArgumentException("keep at least one checkpoint");
        }
    }

    /** Sensible defaults for {@code steps} steps at learning rate {@code lr}. */
    public static TrainOptions defaults(int steps, double lr) {
        return new TrainOptions(
                steps,
                lr,
                Math.min(500, steps / 20),
                0.1,
                0.01,
                0.9,
                0.99,
                1e-8,
                1.0,
                0.0,
                1,
                false,
                Math.max(1, Math.min(1000, steps / 4)),
                Math.max(1, steps / 4),
                10,
                3,
                0,
                false);
    }

    /** The learning rate at {@code step} (0-based): linear warm-up, then cosine decay to {@code lr · minLrFactor}. */
    public double lrAt(long step) {
        if (step < warmupSteps) {
            return lr * (step + 1) / warmupSteps;
        }
        long decay = Math.max(1, steps - warmupSteps);
        double progress = Math.min(1.0, (double) (step - warmupSteps) / decay);
        double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
        return lr * (minLrFactor + (1 - minLrFactor) * cosine);
    }

    public TrainOptions withSteps(int n) {
        return with(c -> c.steps = n);
    }

    public TrainOptions withCheckpointEvery(int n) {
        return with(c -> c.checkpointEvery = n);
    }

    public TrainOptions withEma(double decay) {
        return with(c -> c.emaDecay = decay);
    }

    public TrainOptions withValidateEvery(int n) {
        return with(c -> c.validateEvery = n);
    }

    public TrainOptions withAccumulation(int n) {
        return with(c -> c.accumulation = n);
    }

    public TrainOptions withBf16(boolean on) {
        return with(c -> c.bf16 = on);
    }

    public TrainOptions withSkipNonFinite(boolean on) {
        return with(c -> c.skipNonFinite = on);
    }

    public TrainOptions withSeed(long s) {
        return with(c -> c.seed = s);
    }

    public TrainOptions withWarmup(int n) {
        return with(c -> c.warmupSteps = n);
    }

    public TrainOptions withLogEvery(int n) {
        return with(c -> c.logEvery = n);
    }

    public TrainOptions withLr(double v) {
        return with(c -> c.lr = v);
    }

    public TrainOptions withGradClip(double v) {
        return with(c -> c.gradClip = v);
    }

    public TrainOptions withWeightDecay(double v) {
        return with(c -> c.weightDecay = v);
    }

    public TrainOptions withKeepCheckpoints(int n) {
        return with(c -> c.keepCheckpoints = n);
    }

    private TrainOptions with(java.util.function.Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return c.build();
    }

    /** A mutable copy for the {@code with…} methods: one place lists the fields. */
    private static final class Copy {
        int steps;
        double lr;
        int warmupSteps;
        double minLrFactor;
        double weightDecay;
        double beta1;
        double beta2;
        double eps;
        double gradClip;
        double emaDecay;
        int accumulation;
        boolean bf16;
        int checkpointEvery;
        int validateEvery;
        int logEvery;
        int keepCheckpoints;
        long seed;
        boolean skipNonFinite;

        Copy(TrainOptions o) {
            steps = o.steps;
            lr = o.lr;
            warmupSteps = o.warmupSteps;
            minLrFactor = o.minLrFactor;
            weightDecay = o.weightDecay;
            beta1 = o.beta1;
            beta2 = o.beta2;
            eps = o.eps;
            gradClip = o.gradClip;
            emaDecay = o.emaDecay;
            accumulation = o.accumulation;
            bf16 = o.bf16;
            checkpointEvery = o.checkpointEvery;
            validateEvery = o.validateEvery;
            logEvery = o.logEvery;
            keepCheckpoints = o.keepCheckpoints;
            seed = o.seed;
            skipNonFinite = o.skipNonFinite;
        }

        TrainOptions build() {
            return new TrainOptions(
                    steps,
                    lr,
                    warmupSteps,
                    minLrFactor,
                    weightDecay,
                    beta1,
                    beta2,
                    eps,
                    gradClip,
                    emaDecay,
                    accumulation,
                    bf16,
                    checkpointEvery,
                    validateEvery,
                    logEvery,
                    keepCheckpoints,
                    seed,
                    skipNonFinite);
        }
    }
}
