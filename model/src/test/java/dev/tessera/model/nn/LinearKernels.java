package dev.tessera.model.nn;

import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.Torch;
import java.util.Locale;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The DiT's linear layers on one thread, as a {@code CoreParallel} worker runs them: libtorch's {@code linear}
 * (OpenBLAS {@code sgemm}) against the same product as a 1×1 convolution on a channels-last view, which libtorch
 * hands to oneDNN — forward and forward + backward, in GFLOP/s. oneDNN picks its kernels from the CPU itself, so it
 * runs AVX-512 where OpenBLAS is pinned to AVX2 ({@code docs/benchmarks.md}, <i>Memory between steps</i>). Not a
 * test: run with {@code java -cp app/target/tessera.jar:model/target/test-classes dev.tessera.model.nn.LinearKernels}.
 */
public final class LinearKernels {
    private LinearKernels() {}

    /** {@code x [n, k] · wᵀ} with {@code w [m, k]} as a 1×1 convolution over {@code n / 16} × 16 positions. */
    static Tensor asConvolution(Tensor x, Tensor w) {
        long n = x.size(0), k = x.size(1), m = w.size(0);
        Tensor nchw = x.view(16, n / 16, 1, k).permute(0, 3, 1, 2); // [16, k, n/16, 1], channels-last memory
        Tensor y = torch.conv2d(nchw, w.view(m, k, 1, 1)); // [16, m, n/16, 1], channels-last
        return y.permute(0, 2, 3, 1).reshape(n, m); // [n, m]
    }

    private static Tensor product(boolean conv, Tensor x, Tensor w) {
        return conv ? asConvolution(x, w) : torch.linear(x, w); // [n, m]
    }

    /** Mean ms of 50 calls, each in its own scope. */
    private static double msPerCall(Runnable call) {
        int it = 50;
        long t0 = System.nanoTime();
        for (int i = 0; i < it; i++) {
            try (StepScope s = new StepScope()) {
                call.run();
            }
        }
        return (System.nanoTime() - t0) / 1e6 / it;
    }

    public static void main(String[] args) {
        Torch.load();
        torch.set_num_threads(1);
        long[][] shapes = {{256, 384, 1152}, {256, 384, 1536}, {256, 1536, 384}, {256, 384, 384}};
        for (long[] sh : shapes) {
            long n = sh[0], k = sh[1], m = sh[2];
            Generator g = Rng.cpu(0);
            Tensor x = StepScope.keep(Rng.randn(g, n, k).requires_grad_(true)); // [n, k]
            Tensor w = StepScope.keep(Rng.randn(g, m, k).requires_grad_(true)); // [m, k]
            for (boolean conv : new boolean[] {false, true}) {
                double fwd = Double.POSITIVE_INFINITY, both = Double.POSITIVE_INFINITY;
                for (int rep = 0; rep < 5; rep++) {
                    fwd = Math.min(
                            fwd, msPerCall(() -> product(conv, x, w).sum().item_double()));
                    both = Math.min(
                            both, msPerCall(() -> product(conv, x, w).sum().backward()));
                }
                double gflop = 2.0 * n * k * m / 1e6; // per ms → GFLOP/s
                System.out.printf(
                        Locale.ROOT,
                        "%-22s [%d, %d]·[%d, %d]: forward %.3f ms (%.0f GFLOP/s), forward + backward %.3f ms (%.0f GFLOP/s)%n",
                        conv ? "oneDNN 1x1 convolution" : "OpenBLAS linear",
                        n,
                        k,
                        k,
                        m,
                        fwd,
                        gflop / fwd,
                        both,
                        3 * gflop / both);
            }
            StepScope.release(x);
            StepScope.release(w);
        }
        float[] one = weightGradient(true, 1), two = weightGradient(true, 2), blas = weightGradient(false, 1);
        double off = 0;
        for (int i = 0; i < one.length; i++) {
            off = Math.max(off, Math.abs(one[i] - blas[i]) / (1 + Math.abs(blas[i])));
        }
        System.out.printf(
                Locale.ROOT,
                "oneDNN weight gradient [1152, 384]: the same bits with 1 and 2 threads: %b; largest |Δ| / (1 + |g|)"
                        + " against OpenBLAS: %.1e%n",
                java.util.Arrays.equals(one, two),
                off);
    }

    /** The weight gradient of {@code sum(y²)} for the qkv product, with {@code threads} intra-op threads. */
    private static float[] weightGradient(boolean conv, int threads) {
        torch.set_num_threads(threads);
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(0);
            Tensor x = Rng.randn(g, 256, 384).requires_grad_(true); // [n, k]
            Tensor w = Rng.randn(g, 1152, 384).requires_grad_(true); // [m, k]
            Tensor y = product(conv, x, w); // [n, m]
            y.mul(y).sum().backward();
            return dev.tessera.model.Tensors.toFloats(w.grad());
        } finally {
            torch.set_num_threads(1);
        }
    }
}
