package dev.tessera.model.sparse.conv;

import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.StepTimer;
import dev.tessera.model.Tensors;
import dev.tessera.model.nn.Conv3d;
import java.util.Arrays;
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
 * <p>{@code tessera bench sparse-conv} runs it; {@link Line#toString()} is one line per case with median wall times and
 * the ratio in process CPU time.
 */
public final class SparseConvBench {
    private SparseConvBench() {}

    /** One measured case (median milliseconds; CPU time is the whole process's, all threads). */
    public record Line(
            int resolution,
            double occupancy,
            int channels,
            long voxels,
            long pairs,
            double mapMs,
            double sparseMs,
            double denseMs,
            double sparseCpuMs,
            double denseCpuMs,
            String algorithm) {
        /** The line's name, e.g. {@code sparse_conv3d_128_5pct}. */
        public String name() {
            return String.format(Locale.ROOT, "sparse_conv3d_%d_%dpct", resolution, Math.round(occupancy * 100));
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%s %.1f dense %.1f ratio %.3f map %.1f voxels %d pairs %d channels %d cpu %.1f dense_cpu %.1f"
                            + " cpu_ratio %.3f algorithm %s",
                    name(),
                    sparseMs,
                    denseMs,
                    sparseMs / denseMs,
                    mapMs,
                    voxels,
                    pairs,
                    channels,
                    sparseCpuMs,
                    denseCpuMs,
                    sparseCpuMs / denseCpuMs,
                    algorithm);
        }
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

    /** Measures one case: {@code warmup} untimed and {@code reps} timed forward + backward passes of each side. */
    public static Line run(int r, double occupancy, int channels, int warmup, int reps) {
        Generator g = Rng.cpu(1);
        Tensor mask = gyroidBand(r, occupancy); // [1, r, r, r]
        Tensor coords = torch.nonzero(mask); // [N, 4]
        SparseTensor x = SparseTensor.of(coords, Rng.randn(g, coords.size(0), channels), 1, r, r, r);
        x = x.replace(x.feats().requires_grad_(true));
        SubmanifoldConv3d conv = new SubmanifoldConv3d(channels, channels, 3, true, g);
        Tensor gradOut = Rng.randn(g, x.size(), channels); // [N, C]
        double[] map = new double[reps], sparse = new double[reps], sparseCpu = new double[reps];
        long pairs = 0;
        for (int i = 0; i < warmup + reps; i++) {
            try (StepScope s = new StepScope()) {
                long t0 = System.nanoTime();
                KernelMap km = KernelMap.submanifold(x, 3); // built here: the previous step's map died with its scope
                long t1 = System.nanoTime(), c1 = StepTimer.processCpuNanos();
                backward(conv.forward(x).feats(), gradOut);
                long t2 = System.nanoTime(), c2 = StepTimer.processCpuNanos();
                pairs = km.pairs();
                if (i >= warmup) {
                    map[i - warmup] = (t1 - t0) / 1e6;
                    sparse[i - warmup] = (t2 - t1) / 1e6;
                    sparseCpu[i - warmup] = (c2 - c1) / 1e6;
                }
            }
        }
        long voxels = x.size();
        x = null;
        // the dense peer: the same grid with zeros at inactive voxels, conv3d with padding 1
        Tensor dense = Rng.randn(g, 1, channels, r, r, r).requires_grad_(true); // [1, C, r, r, r]
        Tensor weight =
                conv.weight().detach().permute(0, 4, 1, 2, 3).contiguous().requires_grad_(true);
        Tensor bias = conv.bias().detach().clone().requires_grad_(true);
        Tensor denseGrad = Rng.randn(g, 1, channels, r, r, r);
        double[] den = new double[reps], denCpu = new double[reps];
        long[] one = {1, 1, 1};
        for (int i = 0; i < warmup + reps; i++) {
            try (StepScope s = new StepScope()) {
                long t0 = System.nanoTime(), c0 = StepTimer.processCpuNanos();
                backward(Conv3d.conv3d(dense, weight, bias, one, one), denseGrad);
                long t1 = System.nanoTime(), c1 = StepTimer.processCpuNanos();
                if (i >= warmup) {
                    den[i - warmup] = (t1 - t0) / 1e6;
                    denCpu[i - warmup] = (c1 - c0) / 1e6;
                }
            }
        }
        return new Line(
                r,
                occupancy,
                channels,
                voxels,
                pairs,
                StepTimer.median(map),
                StepTimer.median(sparse),
                StepTimer.median(den),
                StepTimer.median(sparseCpu),
                StepTimer.median(denCpu),
                SparseConvolution.choose(pairs, voxels, 27).name().toLowerCase(Locale.ROOT));
    }
}
