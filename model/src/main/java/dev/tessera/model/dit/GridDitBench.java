package dev.tessera.model.dit;

import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.StepTimer;
import dev.tessera.model.train.MicroBatchBench;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The {@value #NAME} benchmark: one AdamW rectified-flow training step of the {@link SparseStructureFlowConfig#bench()}
 * grid DiT (batch 2, latent 8 × 16³, patch 2, width 384, depth 4, 6 heads, condition 257 × 384) — {@code
 * bench/peers/torch_bench.py}'s {@code flow_step}: t ~ logit-normal(0, 1), x_t = (1 − t)·x_0 + t·x_1 with x_0 noise,
 * MSE to the velocity x_1 − x_0. TRELLIS's model takes t on the 0–1000 scale, so it is given 1000·t (the peer scales
 * inside its embedding: the same arithmetic). {@code tessera bench model} calls {@link #run(int, int)}, or steps its
 * {@link #setup()} for {@code --paired}.
 */
public final class GridDitBench {
    /** The line name shared with the Python peer. */
    public static final String NAME = "grid_dit_train_step";

    private GridDitBench() {}

    /**
     * The median wall and process CPU time (all threads; a steadier figure than wall time on a shared machine) of
     * {@code reps} timed steps after {@code warmup} untimed ones.
     */
    public static StepTimer.Timing run(int warmup, int reps) {
        return StepTimer.timeSetup(warmup, reps, GridDitBench::setup);
    }

    /** The line's setup: the bench preset, batch 2, 257 condition tokens. */
    public static Setup setup() {
        return new Setup(SparseStructureFlowConfig.bench(), 2, 257);
    }

    /** The same for any config, batch size and number of condition tokens. */
    public static StepTimer.Timing run(
            SparseStructureFlowConfig config, int batch, int condTokens, int warmup, int reps) {
        return StepTimer.timeSetup(warmup, reps, () -> new Setup(config, batch, condTokens));
    }

    /**
     * The line's setup: the model (seed 0) and one batch of latents and condition tokens ({@link MicroBatchBench}).
     * Closing frees the optimiser's state and the batch.
     */
    public static final class Setup extends MicroBatchBench<SparseStructureFlowModel> {
        private final SparseStructureFlowConfig config;
        private final Tensor x1;
        private final Tensor ctx;
        private final Scalar thousand = new Scalar(1000.0);

        public Setup(SparseStructureFlowConfig config, int batch, int condTokens) {
            this(config, batch, condTokens, Rng.cpu(0));
        }

        private Setup(SparseStructureFlowConfig config, int batch, int condTokens, Generator g) {
            super(new SparseStructureFlowModel(config, g), batch);
            this.config = config;
            int r = config.resolution();
            this.x1 = StepScope.keep(Rng.randn(g, batch, config.inChannels(), r, r, r)); // [B, C, R, R, R]
            this.ctx = StepScope.keep(Rng.randn(g, batch, condTokens, config.condChannels())); // [B, M, C_cond]
        }

        @Override
        public Tensor loss(int m, long s) {
            int r = config.resolution();
            Generator gm = Rng.cpu(s * 64 + m);
            Tensor x1m = x1.narrow(0, m * per, per); // [b, C, R, R, R]
            Tensor t = Rng.randn(gm, per).sigmoid(); // [b] logit-normal(0, 1)
            Tensor x0 = Rng.randn(gm, per, config.inChannels(), r, r, r); // [b, C, R, R, R]
            Tensor xt = torch.lerp(x0, x1m, t.reshape(per, 1, 1, 1, 1)); // (1 − t)·x0 + t·x1
            Tensor v = model.forward(xt, t.mul(thousand), ctx.narrow(0, m * per, per)); // [b, C, R, R, R]
            return torch.mse_loss(v, x1m.sub(x0));
        }

        @Override
        public void close() {
            super.close();
            StepScope.release(x1);
            StepScope.release(ctx);
        }
    }

    /** Prints {@code grid_dit_train_step <ms> cpu <ms>} (wall, then process CPU time per step); args: [warmup] [reps]. */
    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.println(run(warmup, reps).line(NAME));
    }
}
