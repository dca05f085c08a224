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
 * the same name. {@code tessera bench model} calls {@link #run(int, int)}; {@link #main} prints {@code name ms}.
 */
public final class SparseStructureVaeBench {
    /** The line name shared with the Python peer. */
    public static final String NAME = "sparse_structure_vae_train_step";

    private SparseStructureVaeBench() {}

    private static volatile double lastCpuMillis = Double.NaN;

    /**
     * The median process CPU time (all threads) per step of the last {@code run}, in milliseconds: a steadier figure
     * than wall time on a shared machine.
     */
    public static double lastCpuMillis() {
        return lastCpuMillis;
    }

    /** The median time in milliseconds of {@code reps} timed steps after {@code warmup} untimed ones. */
    public static double run(int warmup, int reps) {
        return run(SparseStructureVaeConfig.bench(), 1, MemoryFormat.Contiguous, warmup, reps);
    }

    /** The same for any config, batch size and memory format of the input grid. */
    public static double run(SparseStructureVaeConfig config, int batch, MemoryFormat format, int warmup, int reps) {
        Generator g = Rng.cpu(0);
        SparseStructureVae vae = new SparseStructureVae(config, g);
        // torch.optim.AdamW's defaults, as the peer script builds it
        FusedAdamW opt = FusedAdamW.of(vae, 1e-4, 0.9, 0.999, 1e-8, 0.01);
        int r = config.resolution();
        Tensor occ = Rng.rand(g, batch, config.inChannels(), r, r, r)
                .lt(new Scalar(0.1))
                .to(ScalarType.Float)
                .contiguous(format); // [B, 1, R, R, R]
        StepScope.keep(occ);
        double[] ms = new double[reps];
        double[] cpu = new double[reps];
        try {
            for (int i = 0; i < warmup + reps; i++) {
                long t0 = System.nanoTime();
                long c0 = StepTimer.processCpuNanos();
                try (StepScope s = new StepScope()) {
                    opt.zeroGrad();
                    SparseStructureVae.Losses l = vae.losses(occ, g);
                    l.loss().backward();
                    opt.step();
                    l.loss().item_double();
                }
                if (i >= warmup) {
                    ms[i - warmup] = (System.nanoTime() - t0) / 1e6;
                    cpu[i - warmup] = (StepTimer.processCpuNanos() - c0) / 1e6;
                }
            }
        } finally {
            opt.close();
            StepScope.release(occ);
        }
        lastCpuMillis = StepTimer.median(cpu);
        return StepTimer.median(ms);
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
        double wall = run(SparseStructureVaeConfig.bench(), 1, f, warmup, reps);
        System.out.printf("%s %.1f cpu %.1f%n", NAME, wall, lastCpuMillis);
    }
}
