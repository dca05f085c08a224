package dev.tessera.model.dit;

import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.StepTimer;
import dev.tessera.model.flow.EulerSampler;
import dev.tessera.model.flow.Guidance;
import dev.tessera.model.flow.RectifiedFlow;
import dev.tessera.model.flow.Timesteps;
import dev.tessera.model.train.MicroBatchBench;
import dev.tessera.model.train.ParallelBackward;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The VecSet DiT benchmarks, on the {@link VecSetDiTConfig#bench()} preset (256 tokens × 32, width 384, depth 4, 6
 * heads, cross-attention to 257 × 384 condition tokens), as {@code bench/peers/torch_bench.py} runs its {@code
 * VecSetDiT}:
 *
 * <ul>
 *   <li>{@value #TRAIN}: one AdamW rectified-flow step on a batch of 2 (logit-normal(0, 1) t, MSE to z₁ − z₀);
 *   <li>{@value #SAMPLE}: 10 Euler steps for one latent with classifier-free guidance 7.5 (each step one batched
 *       call on the conditional and the all-zero condition).
 * </ul>
 *
 * {@code tessera bench model} calls {@link #train} and {@link #sample}; each returns the median wall and process CPU
 * time of its repetitions. With {@code --paired} it steps their
 * setups ({@link #trainSetup}, {@link #sampleSetup}) one repetition at a time instead.
 */
public final class VecSetDitBench {
    /** Line name of the training step, shared with the Python peer. */
    public static final String TRAIN = "vecset_dit_train_step";
    /** Line name of the sampling run, shared with the Python peer. */
    public static final String SAMPLE = "vecset_dit_sample_10_steps_cfg";

    private VecSetDitBench() {}

    /** Median times of {@code reps} training steps after {@code warmup}, for the bench preset, batch 2, 257 tokens. */
    public static StepTimer.Timing train(int warmup, int reps) {
        return StepTimer.timeSetup(warmup, reps, VecSetDitBench::trainSetup);
    }

    /** The training line's setup: the bench preset, batch 2, 257 condition tokens. */
    public static TrainSetup trainSetup() {
        return new TrainSetup(VecSetDiTConfig.bench(), 2, 257);
    }

    /**
     * The same for any config, batch and number of condition tokens. The batch runs as one micro-batch per core
     * ({@link ParallelBackward}), as {@code tessera train-dit} runs it.
     */
    public static StepTimer.Timing train(VecSetDiTConfig config, int batch, int condTokens, int warmup, int reps) {
        return StepTimer.timeSetup(warmup, reps, () -> new TrainSetup(config, batch, condTokens));
    }

    /**
     * The training line's setup, for {@link #train} and for probes that time its phases: the model (seed 0) and one
     * batch of latents and condition tokens ({@link MicroBatchBench}). Closing frees the optimiser's state and the
     * batch.
     */
    public static final class TrainSetup extends MicroBatchBench<VecSetDiT> {
        private final Tensor x1;
        private final Tensor ctx;
        private final RectifiedFlow flow = new RectifiedFlow(0, 1, 0);

        public TrainSetup(VecSetDiTConfig config, int batch, int condTokens) {
            this(config, batch, condTokens, Rng.cpu(0));
        }

        private TrainSetup(VecSetDiTConfig config, int batch, int condTokens, Generator g) {
            super(new VecSetDiT(config, g), batch);
            this.x1 = StepScope.keep(Rng.randn(g, batch, config.latentTokens(), config.latentChannels())); // [B, N, C]
            this.ctx = StepScope.keep(Rng.randn(g, batch, condTokens, config.contextDim())); // [B, M, C_ctx]
        }

        /** Micro-batch {@code m}'s rectified-flow loss at step {@code step} (its noise and t drawn from both). */
        @Override
        public Tensor loss(int m, long step) {
            return flow.loss(
                            model,
                            x1.narrow(0, m * per, per),
                            ctx.narrow(0, m * per, per),
                            null,
                            Rng.cpu(step * 64 + m))
                    .loss();
        }

        @Override
        public void close() {
            super.close();
            StepScope.release(x1);
            StepScope.release(ctx);
        }
    }

    /** Median times of {@code reps} 10-step guided samplings after {@code warmup}, for the bench preset. */
    public static StepTimer.Timing sample(int warmup, int reps) {
        return StepTimer.timeSetup(warmup, reps, VecSetDitBench::sampleSetup);
    }

    /** The sampling line's setup: the bench preset, 257 condition tokens, 10 Euler steps, guidance 7.5. */
    public static SampleSetup sampleSetup() {
        return new SampleSetup(VecSetDiTConfig.bench(), 257, 10, 7.5);
    }

    /** The same for any config, number of condition tokens, steps and guidance scale (one latent). */
    public static StepTimer.Timing sample(
            VecSetDiTConfig config, int condTokens, int steps, double cfg, int warmup, int reps) {
        return StepTimer.timeSetup(warmup, reps, () -> new SampleSetup(config, condTokens, steps, cfg));
    }

    /**
     * The sampling line's setup: the model (seed 0, its zero-initialised layers drawn so that they compute), a
     * condition and the all-zero one. Each {@link #run} samples one latent from fresh noise.
     */
    public static final class SampleSetup implements StepTimer.Step {
        private final VecSetDiTConfig config;
        private final Generator g = Rng.cpu(0);
        private final VecSetDiT model;
        private final Tensor ctx;
        private final Tensor uncond;
        private final double[] times;
        private final Guidance guidance;
        private final EulerSampler euler = new EulerSampler();

        public SampleSetup(VecSetDiTConfig config, int condTokens, int steps, double cfg) {
            this.config = config;
            this.model = new VecSetDiT(config, g);
            randomiseZeroLayers(model, g); // a trained model's arithmetic, not a short-cut through zeros
            model.eval();
            this.ctx = StepScope.keep(Rng.randn(g, 1, condTokens, config.contextDim())); // [1, M, C_ctx]
            this.uncond = StepScope.keep(torch.zeros_like(ctx)); // [1, M, C_ctx]
            this.times = Timesteps.uniform(steps, 1.0);
            this.guidance = Guidance.of(cfg);
        }

        @Override
        public void run() {
            Tensor noise = Rng.randn(g, 1, config.latentTokens(), config.latentChannels()); // [1, N, C]
            Tensor z = euler.sample(model, noise, times, ctx, uncond, guidance); // [1, N, C]
            z.sum().item_double();
        }

        @Override
        public void close() {
            StepScope.release(ctx);
            StepScope.release(uncond);
        }
    }

    static void randomiseZeroLayers(VecSetDiT model, Generator g) {
        for (var e : dev.tessera.model.StateDict.of(model).entrySet()) {
            if (e.getKey().contains("adaln_linear.weight") || e.getKey().contains("final_layer")) {
                dev.tessera.model.nn.Init.normal(e.getValue(), 0, 0.02, g);
            }
        }
    }

    /** Prints both lines ({@code name wall_ms cpu cpu_ms}); args: [warmup] [reps]. */
    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.println(train(warmup, reps).line(TRAIN));
        System.out.println(
                sample(Math.max(1, warmup / 2), Math.max(1, reps - 2)).line(SAMPLE));
    }
}
