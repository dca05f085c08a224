package dev.tessera.model.train;

import dev.tessera.model.CoreParallel;
import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.StepTimer;
import dev.tessera.model.Torch;
import dev.tessera.model.dit.MultiHeadRmsNorm;
import dev.tessera.model.dit.VecSetDitBench;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The small measurements behind docs/benchmarks.md's stop-26 sections, each a median over repetitions. Not a test:
 * run with {@code java -cp app/target/tessera.jar:model/target/test-classes dev.tessera.model.train.StepProbes
 * PROBE} under the launcher's environment, PROBE one of:
 *
 * <ul>
 *   <li>{@code adam}: one fused AdamW call over 13.6 M elements in 1 tensor and in 60;
 *   <li>{@code sum}: adding two micro-batches' gradients of the vecset DiT bench model, on the calling thread and one
 *       run of parameters per core ({@link CoreParallel#cuts}), alternated;
 *   <li>{@code idle}: the vecset DiT bench step with and without 0.45 s of sleep before each step;
 *   <li>{@code attention}: flash attention against three forms of the math path ({@code matmul}, {@code softmax},
 *       {@code matmul}: scaling the scores, scaling the queries first, or {@code baddbmm} with the scale as alpha),
 *       forward alone and forward and backward, one thread, 6 heads of 64, from 256 to 1024 queries and keys, two
 *       rounds;
 *   <li>{@code qk-norm}: TRELLIS's QK-norm ({@link MultiHeadRmsNorm}) against {@code rms_norm} times gamma, forward
 *       and backward on {@code [1, 512, 6, 64]}, one thread.
 * </ul>
 */
public final class StepProbes {
    private StepProbes() {}

    public static void main(String[] args) throws InterruptedException {
        Torch.load();
        switch (args.length > 0 ? args[0] : "") {
            case "adam" -> adam();
            case "sum" -> sum();
            case "idle" -> idle();
            case "attention" -> attention();
            case "qk-norm" -> qkNorm();
            default -> System.out.println("probes: adam | sum | idle | attention | qk-norm");
        }
    }

    private static void adam() {
        for (int pieces : new int[] {1, 60, 1, 60}) {
            Map<String, Tensor> ps = new LinkedHashMap<>();
            for (int i = 0; i < pieces; i++) {
                Tensor p = StepScope.keep(torch.randn(13_600_000L / pieces).requires_grad_(true));
                p.mutable_grad().put(torch.randn(13_600_000L / pieces));
                ps.put("p" + i, p);
            }
            try (FusedAdamW opt = new FusedAdamW(1e-4, 0.9, 0.999, 1e-8).addGroup(ps, 0.01)) {
                double ms = StepTimer.time(5, 30, () -> opt.step(1)).wallMs();
                print("AdamW, one call, 13.6 M elements in %d tensors: %.2f ms", pieces, ms);
            }
        }
    }

    private static void sum() {
        try (VecSetDitBench.TrainSetup t = VecSetDitBench.trainSetup()) {
            List<Tensor> params = t.parameters();
            List<Tensor> g0 = new ArrayList<>(), g1 = new ArrayList<>();
            for (Tensor p : params) {
                g0.add(StepScope.keep(torch.randn_like(p)));
                g1.add(StepScope.keep(torch.randn_like(p)));
            }
            int workers = CoreParallel.shared().workers();
            double[][] ms = new double[2][30];
            for (int i = 0; i < 64; i++) {
                int way = i % 2;
                long t0 = System.nanoTime();
                try (StepScope s = new StepScope()) {
                    CoreParallel.shared().forEachRun(params, way == 0 ? 1 : workers, (from, to) -> {
                        for (int k = from; k < to; k++) {
                            g0.get(k).add(g1.get(k));
                        }
                    });
                }
                if (i >= 4) {
                    ms[way][(i - 4) / 2] = (System.nanoTime() - t0) / 1e6;
                }
            }
            print(
                    "gradient sum, one thread: %.2f ms; one run per core: %.2f ms",
                    StepTimer.median(ms[0]), StepTimer.median(ms[1]));
        }
    }

    private static void idle() throws InterruptedException {
        try (VecSetDitBench.TrainSetup t = VecSetDitBench.trainSetup()) {
            for (long gap : new long[] {0, 450, 0, 450}) {
                double[] ms = new double[13];
                for (int i = 0; i < 16; i++) {
                    Thread.sleep(gap);
                    long t0 = System.nanoTime();
                    try (StepScope s = new StepScope()) {
                        t.run();
                    }
                    if (i >= 3) {
                        ms[i - 3] = (System.nanoTime() - t0) / 1e6;
                    }
                }
                print("vecset DiT step after %d ms of sleep: %.1f ms", gap, StepTimer.median(ms));
            }
        }
    }

    private static void attention() {
        torch.set_num_threads(1);
        long[][] sizes = {{512, 512}, {512, 257}, {256, 256}, {256, 257}, {768, 768}, {1024, 1024}};
        for (int round = 0; round < 2; round++) {
            for (long[] size : sizes) {
                long queries = size[0], keys = size[1];
                Tensor q0 = torch.randn(1, 6, queries, 64), k0 = torch.randn(1, 6, keys, 64);
                Tensor v0 = torch.randn(1, 6, keys, 64);
                for (String way : new String[] {"flash", "math", "prescaled", "baddbmm"}) {
                    for (boolean grad : new boolean[] {true, false}) {
                        double ms = StepTimer.time(5, 30, () -> {
                                    Tensor q = q0.clone().requires_grad_(grad);
                                    Tensor k = k0.clone().requires_grad_(grad);
                                    Tensor v = v0.clone().requires_grad_(grad);
                                    Tensor o = attend(way, q, k, v);
                                    if (grad) {
                                        o.sum().backward();
                                    }
                                })
                                .wallMs();
                        print(
                                "attention, %d queries against %d keys, %s, %s: %.2f ms",
                                queries, keys, way, grad ? "forward+backward" : "forward", ms);
                    }
                }
            }
        }
    }

    private static Tensor attend(String way, Tensor q, Tensor k, Tensor v) {
        Scalar scale = new Scalar(0.125);
        return switch (way) {
            case "flash" -> torch.scaled_dot_product_attention(q, k, v);
            case "math" ->
                torch.matmul(torch.softmax(torch.matmul(q, k.transpose(-2, -1)).mul(scale), -1), v);
            case "prescaled" -> torch.matmul(torch.softmax(torch.matmul(q.mul(scale), k.transpose(-2, -1)), -1), v);
            default -> {
                long b = q.size(0) * q.size(1), n = q.size(2), m = k.size(2), d = q.size(3);
                Tensor s = torch.baddbmm(
                        torch.empty(1), q.reshape(b, n, d), k.reshape(b, m, d).transpose(1, 2), new Scalar(0.0), scale);
                yield torch.bmm(torch.softmax(s, -1), v.reshape(b, m, d)).reshape(q.size(0), q.size(1), n, d);
            }
        };
    }

    private static void qkNorm() {
        torch.set_num_threads(1);
        MultiHeadRmsNorm norm = new MultiHeadRmsNorm(64, 6);
        Tensor x0 = Rng.randn(Rng.cpu(0), 1, 512, 6, 64);
        for (int round = 0; round < 2; round++) {
            for (boolean fused : new boolean[] {false, true}) {
                double ms = StepTimer.time(20, 400, () -> {
                            Tensor x = x0.clone().requires_grad_(true);
                            Tensor y = fused
                                    ? torch.rms_norm(
                                                    x,
                                                    new long[] {64},
                                                    new TensorOptional(),
                                                    new DoubleOptional(1e-24 / 64))
                                            .mul(norm.gamma())
                                    : norm.forward(x);
                            y.sum().backward();
                        })
                        .wallMs();
                print("QK-norm %s: %.1f µs", fused ? "rms_norm · gamma" : "MultiHeadRmsNorm", 1000 * ms);
            }
        }
    }

    private static void print(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
