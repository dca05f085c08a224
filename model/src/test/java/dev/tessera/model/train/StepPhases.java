package dev.tessera.model.train;

import dev.tessera.model.StepScope;
import dev.tessera.model.Torch;
import dev.tessera.model.dit.VecSetDitBench;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * The VecSet DiT bench step ({@code VecSetDitBench.train}: batch 2 as one micro-batch per core) cut into its phases:
 * the micro-batches' forward and backward passes with their gradient sum ({@link ParallelBackward#run}), then the
 * AdamW update, which alternates between one fused call on the calling thread and one call per core (what {@link
 * FusedAdamW#step()} does). Prints the minimum, median and 90th percentile of each over the timed steps — the spread
 * of the first phase is what glibc's malloc thresholds change ({@code docs/libtorch.md}, <i>Memory between steps</i>). Not a
 * test: run with {@code java -cp app/target/tessera.jar:model/target/test-classes
 * dev.tessera.model.train.StepPhases [steps]} under the environment to compare.
 */
public final class StepPhases {
    private StepPhases() {}

    public static void main(String[] args) {
        Torch.load();
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int warmup = 3;
        double[] passes = new double[steps];
        double[] adamOne = new double[steps];
        double[] adamCores = new double[steps];
        try (VecSetDitBench.TrainSetup t = VecSetDitBench.trainSetup()) {
            FusedAdamW opt = t.optimizer();
            for (int s = 0; s < warmup + steps; s++) {
                long seed = s;
                try (StepScope scope = new StepScope()) {
                    opt.zeroGrad();
                    long t0 = System.nanoTime();
                    ParallelBackward.run(t.parameters(), t.micros(), m -> Map.of("loss", t.loss(m, seed)));
                    long t1 = System.nanoTime();
                    boolean cores = s % 2 == 1;
                    opt.step(cores ? dev.tessera.model.CoreParallel.shared().workers() : 1);
                    long t2 = System.nanoTime();
                    if (s >= warmup) {
                        passes[s - warmup] = (t1 - t0) / 1e6;
                        (cores ? adamCores : adamOne)[s - warmup] = (t2 - t1) / 1e6;
                    }
                }
            }
        }
        System.out.println(line("forward + backward + sum", passes));
        System.out.println(line("AdamW, one call", taken(adamOne)));
        System.out.println(line("AdamW, a call per core", taken(adamCores)));
    }

    /** The entries of the steps that ran this variant (the others are 0). */
    private static double[] taken(double[] ms) {
        return Arrays.stream(ms).filter(v -> v > 0).toArray();
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
