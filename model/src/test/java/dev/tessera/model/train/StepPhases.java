package dev.tessera.model.train;

import dev.tessera.model.CoreParallel;
import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.Torch;
import dev.tessera.model.dit.VecSetDiT;
import dev.tessera.model.dit.VecSetDiTConfig;
import dev.tessera.model.flow.RectifiedFlow;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;

/**
 * The VecSet DiT bench step ({@code VecSetDitBench.train}: batch 2 as one micro-batch per core) cut into its phases:
 * the micro-batches' forward and backward passes with their gradient sum ({@link ParallelBackward#run}), then the
 * AdamW update. Prints the minimum, median and 90th percentile of each over the timed steps — the spread of the
 * first phase is what glibc's malloc thresholds change ({@code docs/libtorch.md}, <i>Memory between steps</i>). Not a
 * test: run with {@code java -cp app/target/tessera.jar:model/target/test-classes
 * dev.tessera.model.train.StepPhases [steps]} under the environment to compare.
 */
public final class StepPhases {
    private StepPhases() {}

    public static void main(String[] args) {
        Torch.load();
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int warmup = 3;
        VecSetDiTConfig config = VecSetDiTConfig.bench();
        Generator g = Rng.cpu(0);
        VecSetDiT model = new VecSetDiT(config, g);
        FusedAdamW opt = FusedAdamW.of(model, 1e-4, 0.9, 0.999, 1e-8, 0.01);
        List<Tensor> params = ParallelBackward.parameters(model);
        Tensor x1 = StepScope.keep(Rng.randn(g, 2, config.latentTokens(), config.latentChannels())); // [2, N, C]
        Tensor ctx = StepScope.keep(Rng.randn(g, 2, 257, config.contextDim())); // [2, M, C_ctx]
        RectifiedFlow flow = new RectifiedFlow(0, 1, 0);
        int micros = CoreParallel.shared().piecesFor(2);
        long per = 2 / micros;
        double[] passes = new double[steps];
        double[] adam = new double[steps];
        for (int s = 0; s < warmup + steps; s++) {
            long seed = s;
            try (StepScope scope = new StepScope()) {
                opt.zeroGrad();
                long t0 = System.nanoTime();
                ParallelBackward.run(
                        params,
                        micros,
                        m -> Map.of(
                                "loss",
                                flow.loss(
                                                model,
                                                x1.narrow(0, m * per, per),
                                                ctx.narrow(0, m * per, per),
                                                null,
                                                Rng.cpu(seed * 64 + m))
                                        .loss()));
                long t1 = System.nanoTime();
                opt.step();
                long t2 = System.nanoTime();
                if (s >= warmup) {
                    passes[s - warmup] = (t1 - t0) / 1e6;
                    adam[s - warmup] = (t2 - t1) / 1e6;
                }
            }
        }
        opt.close();
        System.out.println(line("forward + backward + sum", passes));
        System.out.println(line("AdamW", adam));
    }

    private static String line(String name, double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        return String.format(
                Locale.ROOT,
                "%-25s min %.1f ms, median %.1f ms, p90 %.1f ms (%d steps)",
                name,
                s[0],
                s[s.length / 2],
                s[(int) (0.9 * (s.length - 1))],
                s.length);
    }
}
