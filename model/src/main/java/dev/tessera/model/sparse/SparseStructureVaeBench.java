package dev.tessera.model.sparse;

import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.StepTimer;
import dev.tessera.model.train.FusedAdamW;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.MemoryFormat;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The {@value #NAME} benchmark: one AdamW training step of the {@link SparseStructureVaeConfig#bench()} VAE (batch 1,
 * 32³ occupancy with 10 % occupied voxels, BCE + 1e-6·KL), the work {@code bench/peers/torch_bench.py} times under
 * the same name. {@code tessera bench model} calls {@link #run(int, int)}, or steps its {@link #setup()} for {@code
 * --paired}; {@link #main} prints {@code name ms}.
 */
public final class SparseStructureVaeBench {
    /** The line name shared with the Python peer. */
    public static final String NAME = "sparse_structure_vae_train_step";

    private SparseStructureVaeBench() {}

    /**
     * The median wall and process CPU time (all threads; a steadier figure than wall time on a shared machine) of
     * {@code reps} timed steps after {@code warmup} untimed ones.
     */
    public static StepTimer.Timing run(int warmup, int reps) {
        return StepTimer.timeSetup(warmup, reps, SparseStructureVaeBench::setup);
    }

    /** The same for any config, batch size and memory format of the input grid. */
    public static StepTimer.Timing run(
            SparseStructureVaeConfig config, int batch, MemoryFormat format, int warmup, int reps) {
        return StepTimer.timeSetup(warmup, reps, () -> new Setup(config, batch, format));
    }

    /** The line's setup: the bench preset, batch 1, a contiguous grid. */
    public static Setup setup() {
        return new Setup(SparseStructureVaeConfig.bench(), 1, MemoryFormat.Contiguous);
    }

    /**
     * The line's setup: the VAE (seed 0), AdamW with {@code torch.optim.AdamW}'s defaults as the peer script builds it,
     * and one occupancy grid. Each {@link #run} is one step. Closing frees the optimiser's state and the grid.
     */
    public static final class Setup implements StepTimer.Step {
        private final Generator g = Rng.cpu(0);
        private final SparseStructureVae vae;
        private final FusedAdamW opt;
        private final Tensor occ;

        public Setup(SparseStructureVaeConfig config, int batch, MemoryFormat format) {
            this.vae = new SparseStructureVae(config, g);
            this.opt = FusedAdamW.torchDefaults(vae, 1e-4);
            int r = config.resolution();
            this.occ = StepScope.keep(Rng.rand(g, batch, config.inChannels(), r, r, r)
                    .lt(new Scalar(0.1))
                    .to(ScalarType.Float)
                    .contiguous(format)); // [B, 1, R, R, R]
        }

        @Override
        public void run() {
            opt.zeroGrad();
            SparseStructureVae.Losses l = vae.losses(occ, g);
            l.loss().backward();
            opt.step();
            l.loss().item_double();
        }

        @Override
        public void close() {
            opt.close();
            StepScope.release(occ);
        }
    }

    /**
     * Prints {@code sparse_structure_vae_train_step <ms> cpu <ms>} (wall time, then process CPU time per step);
     * arguments: [warmup] [reps] [contiguous | channels-last].
     */
    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        MemoryFormat f = args.length > 2 && args[2].equals("channels-last")
                ? MemoryFormat.ChannelsLast3d
                : MemoryFormat.Contiguous;
        System.out.println(
                run(SparseStructureVaeConfig.bench(), 1, f, warmup, reps).line(NAME));
    }
}
