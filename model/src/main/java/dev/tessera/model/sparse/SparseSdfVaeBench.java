package dev.tessera.model.sparse;

import dev.tessera.data.synth.ShapeClass;
import dev.tessera.data.synth.SyntheticShapes;
import dev.tessera.geometry.ScalarField;
import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.StepTimer;
import dev.tessera.model.sparse.conv.ProcessMemory;
import dev.tessera.model.sparse.conv.SparseConvolution;
import dev.tessera.model.sparse.conv.SparseTensor;
import dev.tessera.model.sparse.conv.SparseUpsampleBlock3d;
import dev.tessera.model.train.FusedAdamW;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.bytedeco.pytorch.Generator;

/**
 * The {@value #NAME} benchmark: time and memory of one AdamW training step of the {@link SparseSdfVaeConfig#bench()}
 * sparse SDF VAE (256³, channels 16/32/64/128, one residual block per level, 32³ × 8 latent) on the narrow band of a
 * synthetic shape: the voxels of the 256³ grid over {@code [-1, 1]³} whose centres lie within 1.5 voxel sizes of the
 * surface of {@code SyntheticShapes}' chair of seed 0 (the band {@code tessera prep} keeps by default), with the
 * field's signed distance as the input. Memory is the peak resident set of the timed steps above the resident set
 * before them, beside the sparse convolutions' own estimate ({@link SparseConvolution.Ledger}).
 */
public final class SparseSdfVaeBench {
    /** The line name. */
    public static final String NAME = "sparse_sdf_vae_256_train_step";

    /** A guide-less decode at 256³ ({@link #decode}). */
    public static final String DECODE = "sparse_sdf_vae_256_decode";

    /** The same decode with {@link SparseConvolution#setLowMemory} on. */
    public static final String DECODE_LOW_MEMORY = "sparse_sdf_vae_256_decode_low_memory";

    /** The same step with {@link SparseConvolution#setLowMemory} on. */
    public static final String NAME_LOW_MEMORY = "sparse_sdf_vae_256_train_step_low_memory";

    private SparseSdfVaeBench() {}

    /**
     * The band of {@code field} on an {@code r³} grid over {@code [-1, 1]³}: voxels whose centre is within {@code band}
     * voxel sizes of the zero level. Returns {@code coords [3N]} and {@code sdf [N]} as lists of two arrays.
     */
    static Object[] band(ScalarField field, int r, double band) {
        double h = 2.0 / r, limit = band * h;
        List<int[]> perX = new ArrayList<>();
        List<float[]> perXSdf = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            perX.add(null);
            perXSdf.add(null);
        }
        IntStream.range(0, r).parallel().forEach(x -> {
            int[] c = new int[3 * 4096];
            float[] v = new float[4096];
            int n = 0;
            double px = -1 + (x + 0.5) * h;
            for (int y = 0; y < r; y++) {
                double py = -1 + (y + 0.5) * h;
                for (int z = 0; z < r; z++) {
                    double d = field.value(px, py, -1 + (z + 0.5) * h);
                    if (Math.abs(d) <= limit) {
                        if (n == v.length) {
                            c = java.util.Arrays.copyOf(c, 6 * n);
                            v = java.util.Arrays.copyOf(v, 2 * n);
                        }
                        c[3 * n] = x;
                        c[3 * n + 1] = y;
                        c[3 * n + 2] = z;
                        v[n++] = (float) d;
                    }
                }
            }
            perX.set(x, java.util.Arrays.copyOf(c, 3 * n));
            perXSdf.set(x, java.util.Arrays.copyOf(v, n));
        });
        int total = perXSdf.stream().mapToInt(a -> a.length).sum();
        int[] coords = new int[3 * total];
        float[] sdf = new float[total];
        int o = 0;
        for (int x = 0; x < r; x++) {
            System.arraycopy(perX.get(x), 0, coords, 3 * o, perX.get(x).length);
            System.arraycopy(perXSdf.get(x), 0, sdf, o, perXSdf.get(x).length);
            o += perXSdf.get(x).length;
        }
        return new Object[] {coords, sdf};
    }

    /**
     * The median wall and process CPU ms of {@code reps} timed steps after {@code warmup}, with the default
     * (speed-first) AUTO; the note gives the voxels, the peak memory and the convolutions' algorithms.
     */
    public static StepTimer.Timing run(int warmup, int reps) {
        return run(SparseSdfVaeConfig.bench(), false, warmup, reps);
    }

    /** The same with every submanifold convolution on the output gather ({@link SparseConvolution#setLowMemory}). */
    public static StepTimer.Timing runLowMemory(int warmup, int reps) {
        return run(SparseSdfVaeConfig.bench(), true, warmup, reps);
    }

    /** The same for any config; {@code lowMemory} sets {@link SparseConvolution#setLowMemory} for the run. */
    public static StepTimer.Timing run(SparseSdfVaeConfig config, boolean lowMemory, int warmup, int reps) {
        int r = config.resolution();
        Object[] b = band(SyntheticShapes.field(ShapeClass.CHAIR, SyntheticShapes.shapeSeed(0, 0)), r, 1.5);
        int[] coords = (int[]) b[0];
        float[] sdf = (float[]) b[1];
        Generator g = Rng.cpu(0);
        SparseSdfVae vae = new SparseSdfVae(config, g);
        // torch.optim.AdamW's defaults, as the peer script builds it
        FusedAdamW opt = FusedAdamW.torchDefaults(vae, 1e-4);
        boolean before = SparseConvolution.lowMemory();
        SparseConvolution.setLowMemory(lowMemory);
        long[] estimate = {0};
        String[] algorithms = {""};
        Steps t;
        try {
            t = timeSteps(warmup, reps, () -> {
                try (SparseConvolution.Ledger ledger = SparseConvolution.Ledger.open()) {
                    SparseTensor x = vae.batch(List.of(coords), List.of(sdf)); // built per step, as a trainer does
                    opt.zeroGrad();
                    SparseSdfVae.Losses l = vae.losses(x, g);
                    l.loss().backward();
                    opt.step();
                    l.loss().item_double();
                    estimate[0] = ledger.estimateBytes();
                    algorithms[0] = ledger.algorithms().toString();
                }
            });
        } finally {
            opt.close();
            SparseConvolution.setLowMemory(before);
        }
        return t.timing(String.format(
                Locale.ROOT,
                "voxels %d peak_rss %.0f MiB (above %.0f MiB before) conv_estimate %.0f MiB%s convs %s",
                sdf.length,
                t.peakAboveMiB(),
                t.baseBytes() / 1048576.0,
                estimate[0] / 1048576.0,
                lowMemory ? " low_memory" : "",
                algorithms[0]));
    }

    /**
     * The {@value #DECODE} line: a guide-less decode ({@link SparseSdfVae#decode}, no gradients) of the same band's
     * posterior mean by a new {@code bench()} model, whose occupancy heads keep nearly every child: the largest decode
     * the latent allows, the case the decoder's memory estimate guards. The note gives the voxels kept, the peak
     * resident set above the start and the decoder's estimate for its last level.
     */
    public static StepTimer.Timing decode(boolean lowMemory, int warmup, int reps) {
        SparseSdfVaeConfig config = SparseSdfVaeConfig.bench();
        Object[] b = band(
                SyntheticShapes.field(ShapeClass.CHAIR, SyntheticShapes.shapeSeed(0, 0)), config.resolution(), 1.5);
        SparseSdfVae vae = new SparseSdfVae(config, Rng.cpu(0));
        boolean before = SparseConvolution.lowMemory();
        SparseConvolution.setLowMemory(lowMemory);
        long[] kept = {0};
        Steps t;
        try (StepScope outer = new StepScope();
                org.bytedeco.pytorch.NoGradGuard ng = new org.bytedeco.pytorch.NoGradGuard()) {
            SparseTensor x = vae.batch(List.of((int[]) b[0]), List.of((float[]) b[1]));
            SparseSdfEncoder.Posterior p = vae.encode(x);
            SparseTensor z = p.latent(p.gaussian().mean());
            t = timeSteps(warmup, reps, () -> kept[0] = vae.decode(z).size());
        } finally {
            SparseConvolution.setLowMemory(before);
        }
        double estimate = kept[0] * SparseUpsampleBlock3d.BYTES_PER_CHILD
                + SparseUpsampleBlock3d.estimateBytes(kept[0], config.channels().get(0));
        return t.timing(String.format(
                Locale.ROOT,
                "voxels %d peak_rss %.0f MiB (above %.0f MiB before) decode_estimate %.0f MiB%s",
                kept[0],
                t.peakAboveMiB(),
                t.baseBytes() / 1048576.0,
                estimate / 1048576.0,
                lowMemory ? " low_memory" : ""));
    }

    /** Median wall and CPU ms of the timed steps, the resident set before them and the peak above it (MiB). */
    record Steps(double wallMillis, double cpuMillis, long baseBytes, double peakAboveMiB) {
        StepTimer.Timing timing(String note) {
            return new StepTimer.Timing(wallMillis, cpuMillis, note);
        }
    }

    /**
     * Runs {@code warmup + reps} steps, each in a scope of its own, timing the last {@code reps}; the peak resident set
     * is measured from just before the first timed step.
     */
    private static Steps timeSteps(int warmup, int reps, Runnable step) {
        double[] ms = new double[reps], cpu = new double[reps];
        System.gc();
        long base = ProcessMemory.residentBytes();
        for (int i = 0; i < warmup + reps; i++) {
            if (i == warmup) {
                System.gc();
                base = ProcessMemory.residentBytes();
                ProcessMemory.resetPeak();
            }
            long t0 = System.nanoTime(), c0 = StepTimer.processCpuNanos();
            try (StepScope s = new StepScope()) {
                step.run();
            }
            if (i >= warmup) {
                ms[i - warmup] = (System.nanoTime() - t0) / 1e6;
                cpu[i - warmup] = (StepTimer.processCpuNanos() - c0) / 1e6;
            }
        }
        long peak = ProcessMemory.peakBytes();
        return new Steps(
                StepTimer.median(ms), StepTimer.median(cpu), base, peak < 0 ? Double.NaN : (peak - base) / 1048576.0);
    }

    /** Prints {@code name ms cpu ms note}; arguments: [warmup] [reps] [low-memory]. */
    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        boolean low = args.length > 2 && args[2].equals("low-memory");
        System.out.println(run(SparseSdfVaeConfig.bench(), low, warmup, reps).line(NAME));
    }
}
