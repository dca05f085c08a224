package dev.tessera.model.sparse.conv;

import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.StepTimer;
import dev.tessera.model.Tensors;
import dev.tessera.model.nn.Conv3d;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorArrayRefOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The sparse-convolution benchmark: one 3×3×3 {@link SubmanifoldConv3d} forward + backward (input, weight and bias
 * gradients) against the dense {@code conv3d} a user would run instead on the same grid, at a given resolution,
 * occupancy and channel count. The active voxels are a band around the surfaces of a gyroid (the level set {@code
 * sin x cos y + sin y cos z + sin z cos x = 0}, period 32 voxels), thickened until the requested fraction of the grid
 * is active — surface-like sets, as in a sparse SDF, not scattered voxels. The kernel map is built once per
 * coordinate set in real use and cached; its build time is reported on its own.
 *
 * <p>{@code tessera bench sparse-conv} runs it, with any of the {@linkplain SparseConvolution.Algorithm algorithms};
 * {@link Line#toString()} is one line per case and algorithm with median wall and CPU times, the peak resident memory
 * the passes added and the algorithm's own estimate.
 */
public final class SparseConvBench {
    private SparseConvBench() {}

    /**
     * One measured case and algorithm (median milliseconds; CPU time is the whole process's, all threads; memory in
     * MiB above the resident set before the passes: the peak, and the most resident after a forward pass — what
     * stays allocated for the backward pass, which adds up layer after layer in a network — beside the algorithm's
     * own estimate of its peak).
     * The dense fields are NaN when the dense peer was not run.
     */
    public record Line(
            int resolution,
            double occupancy,
            int channels,
            long voxels,
            long pairs,
            double mapMs,
            String algorithm,
            double sparseMs,
            double sparseCpuMs,
            double peakMiB,
            double keptMiB,
            double estimateMiB,
            double denseMs,
            double denseCpuMs,
            double densePeakMiB) {
        /** The line's name, e.g. {@code sparse_conv3d_128_5pct}. */
        public String name() {
            return String.format(Locale.ROOT, "sparse_conv3d_%d_%dpct", resolution, Math.round(occupancy * 100));
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%s %s %.1f ms cpu %.1f peak %.0f MiB after_forward %.0f MiB estimate %.0f MiB dense %.1f ms cpu"
                            + " %.1f peak %.0f MiB"
                            + " ratio %.3f cpu_ratio %.3f map %.1f voxels %d pairs %d channels %d",
                    name(),
                    algorithm,
                    sparseMs,
                    sparseCpuMs,
                    peakMiB,
                    keptMiB,
                    estimateMiB,
                    denseMs,
                    denseCpuMs,
                    densePeakMiB,
                    sparseMs / denseMs,
                    sparseCpuMs / denseCpuMs,
                    mapMs,
                    voxels,
                    pairs,
                    channels);
        }
    }

    /** The algorithm names the benchmark takes: {@code auto}, {@code gather-scatter}, {@code implicit-gemm}, {@code output-gather}. */
    public static final List<String> ALGORITHMS = List.of("auto", "gather-scatter", "implicit-gemm", "output-gather");

    private static SparseConvolution.Algorithm algorithm(String name) {
        if (!ALGORITHMS.contains(name)) {
            throw new IllegalArgumentException("unknown algorithm '" + name + "'; the algorithms are " + ALGORITHMS);
        }
        return SparseConvolution.Algorithm.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /**
     * The gyroid band of an {@code r³} grid holding {@code fraction} of its voxels, as {@code [1, r, r, r]} bool: the
     * voxels with the smallest {@code |gyroid|} at their centres.
     */
    public static Tensor gyroidBand(int r, double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("occupancy must be in (0, 1], got " + fraction);
        }
        int n = r * r * r;
        float[] v = new float[n];
        double w = 2 * Math.PI / 32;
        for (int x = 0; x < r; x++) {
            double sx = Math.sin((x + 0.5) * w), cx = Math.cos((x + 0.5) * w);
            for (int y = 0; y < r; y++) {
                double sy = Math.sin((y + 0.5) * w), cy = Math.cos((y + 0.5) * w);
                for (int z = 0; z < r; z++) {
                    double sz = Math.sin((z + 0.5) * w), cz = Math.cos((z + 0.5) * w);
                    v[(x * r + y) * r + z] = (float) Math.abs(sx * cy + sy * cz + sz * cx);
                }
            }
        }
        float[] sorted = v.clone();
        Arrays.sort(sorted);
        float threshold = sorted[Math.min(n - 1, (int) Math.round(fraction * n) - 1)];
        byte[] m = new byte[n];
        for (int i = 0; i < n; i++) {
            m[i] = (byte) (v[i] <= threshold ? 1 : 0);
        }
        return Tensors.fromBytes(m).view(1, r, r, r).to(torch.ScalarType.Bool);
    }

    private static void backward(Tensor y, Tensor grad) {
        y.backward(grad, new BoolOptional(), false, new TensorArrayRefOptional());
    }

    private static final double MIB = 1 << 20;

    /** Measures one case with AUTO and the dense peer (see {@link #run(int, double, int, int, int, List, boolean)}). */
    public static Line run(int r, double occupancy, int channels, int warmup, int reps) {
        return run(r, occupancy, channels, warmup, reps, List.of("auto"), true).get(0);
    }

    /**
     * Measures one case: for each algorithm, {@code warmup} untimed and {@code reps} timed forward + backward passes
     * (the kernel map rebuilt per pass, as per step in real use, and timed on its own), then, when {@code dense}, the
     * dense {@code conv3d} peer the same way. One line per algorithm, the dense figures repeated on each.
     */
    public static List<Line> run(
            int r, double occupancy, int channels, int warmup, int reps, List<String> algorithms, boolean dense) {
        List<SparseConvolution.Algorithm> algs =
                algorithms.stream().map(SparseConvBench::algorithm).toList();
        Generator g = Rng.cpu(1);
        Tensor mask = gyroidBand(r, occupancy); // [1, r, r, r]
        Tensor coords = torch.nonzero(mask); // [N, 4]
        mask = null;
        SparseTensor x = SparseTensor.of(coords, Rng.randn(g, coords.size(0), channels), 1, r, r, r);
        x = x.replace(x.feats().requires_grad_(true));
        SubmanifoldConv3d conv = new SubmanifoldConv3d(channels, channels, 3, true, g);
        Tensor gradOut = Rng.randn(g, x.size(), channels); // [N, C]
        long voxels = x.size();
        long pairs = 0;
        List<double[]> results = new ArrayList<>(); // per algorithm: map, wall, cpu, peak, estimate
        List<String> labels = new ArrayList<>();
        for (SparseConvolution.Algorithm a : algs) {
            double[] map = new double[reps], sparse = new double[reps], sparseCpu = new double[reps];
            String label = a.name().toLowerCase(Locale.ROOT);
            double estimate = Double.NaN;
            long kept = 0;
            System.gc();
            long base = ProcessMemory.residentBytes();
            ProcessMemory.resetPeak();
            for (int i = 0; i < warmup + reps; i++) {
                try (StepScope s = new StepScope()) {
                    long t0 = System.nanoTime();
                    KernelMap km =
                            KernelMap.submanifold(x, 3); // built here: the previous pass's map died with its scope
                    long t1 = System.nanoTime(), c1 = StepTimer.processCpuNanos();
                    SparseConvolution.Plan p = SparseConvolution.plan(km, channels, channels, true, a);
                    Tensor y = conv.forward(x, a).feats(); // [N, C]
                    long afterForward = ProcessMemory.residentBytes();
                    backward(y, gradOut);
                    long t2 = System.nanoTime(), c2 = StepTimer.processCpuNanos();
                    kept = Math.max(kept, afterForward - base);
                    pairs = km.pairs();
                    estimate = p.bytes() / MIB;
                    label = a == SparseConvolution.Algorithm.AUTO
                            ? "auto:" + p.algorithm().name().toLowerCase(Locale.ROOT)
                            : p.algorithm().name().toLowerCase(Locale.ROOT);
                    if (i >= warmup) {
                        map[i - warmup] = (t1 - t0) / 1e6;
                        sparse[i - warmup] = (t2 - t1) / 1e6;
                        sparseCpu[i - warmup] = (c2 - c1) / 1e6;
                    }
                }
            }
            long peak = ProcessMemory.peakBytes();
            results.add(new double[] {
                StepTimer.median(map),
                StepTimer.median(sparse),
                StepTimer.median(sparseCpu),
                peak < 0 || base < 0 ? Double.NaN : (peak - base) / MIB,
                estimate,
                base < 0 ? Double.NaN : kept / MIB
            });
            labels.add(label);
        }
        x = null;
        gradOut = null;
        double denseMs = Double.NaN, denseCpu = Double.NaN, densePeak = Double.NaN;
        if (dense) {
            // the dense peer: the same grid with zeros at inactive voxels, conv3d with padding 1
            System.gc();
            long base = ProcessMemory.residentBytes();
            ProcessMemory.resetPeak();
            Tensor input = Rng.randn(g, 1, channels, r, r, r).requires_grad_(true); // [1, C, r, r, r]
            Tensor weight =
                    conv.weight().detach().permute(0, 4, 1, 2, 3).contiguous().requires_grad_(true);
            Tensor bias = conv.bias().detach().clone().requires_grad_(true);
            Tensor denseGrad = Rng.randn(g, 1, channels, r, r, r);
            double[] den = new double[reps], denCpu = new double[reps];
            long[] one = {1, 1, 1};
            for (int i = 0; i < warmup + reps; i++) {
                try (StepScope s = new StepScope()) {
                    long t0 = System.nanoTime(), c0 = StepTimer.processCpuNanos();
                    backward(Conv3d.conv3d(input, weight, bias, one, one), denseGrad);
                    long t1 = System.nanoTime(), c1 = StepTimer.processCpuNanos();
                    if (i >= warmup) {
                        den[i - warmup] = (t1 - t0) / 1e6;
                        denCpu[i - warmup] = (c1 - c0) / 1e6;
                    }
                }
            }
            long peak = ProcessMemory.peakBytes();
            denseMs = StepTimer.median(den);
            denseCpu = StepTimer.median(denCpu);
            densePeak = peak < 0 || base < 0 ? Double.NaN : (peak - base) / MIB;
        }
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i < algs.size(); i++) {
            double[] v = results.get(i);
            lines.add(new Line(
                    r,
                    occupancy,
                    channels,
                    voxels,
                    pairs,
                    v[0],
                    labels.get(i),
                    v[1],
                    v[2],
                    v[3],
                    v[5],
                    v[4],
                    denseMs,
                    denseCpu,
                    densePeak));
        }
        return lines;
    }
}
