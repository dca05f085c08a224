package dev.tessera.app;

import dev.tessera.model.Torch;
import dev.tessera.model.sparse.conv.SparseConvBench;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera bench sparse-conv}: submanifold sparse convolution against dense {@code conv3d} on one grid. */
@Command(
        name = "sparse-conv",
        mixinStandardHelpOptions = true,
        description = {
            "Time a 3×3×3 submanifold sparse convolution, forward + backward, against the dense conv3d a user would"
                    + " run instead on the same grid (zeros at inactive voxels), at several resolutions and"
                    + " occupancies. The active voxels are a band around a gyroid's surfaces, like a sparse SDF's."
                    + " Prints median wall ms of each side, the ratio sparse/dense (below 1: sparse wins), the same"
                    + " ratio in CPU time, and the kernel map's build time (built once per voxel set and cached in"
                    + " real use), with the peak resident memory each algorithm added, the memory still held after"
                    + " its forward pass (kept for the backward pass) and its own estimate of the peak."
        })
final class SparseConvBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--grids",
            split = ",",
            defaultValue = "128:32,256:16",
            paramLabel = "R:C",
            description = "Resolution:channels pairs (default: ${DEFAULT-VALUE}).")
    List<String> grids;

    @Option(
            names = "--occupancy",
            split = ",",
            defaultValue = "0.01,0.05,0.2",
            description = "Active fractions of the grid (default: ${DEFAULT-VALUE}).")
    List<Double> occupancy;

    @Option(
            names = "--algorithms",
            split = ",",
            defaultValue = "auto",
            description = "Sparse algorithms to measure, each on its own line: auto, gather-scatter, implicit-gemm,"
                    + " output-gather (default: ${DEFAULT-VALUE}).")
    List<String> algorithms;

    @Option(
            names = "--dense",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Run the dense conv3d peer (--no-dense skips it; it takes minutes at 256³).")
    boolean dense;

    @Option(names = "--warmup", defaultValue = "1", description = "Untimed passes (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--reps", defaultValue = "3", description = "Timed passes (default: ${DEFAULT-VALUE}).")
    int reps;

    @Override
    public Integer call() {
        int[][] rc = new int[grids.size()][];
        for (int i = 0; i < grids.size(); i++) {
            rc[i] = parseGrid(grids.get(i));
        }
        for (double o : occupancy) {
            if (!(o > 0 && o <= 1)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--occupancy must be in (0, 1], got " + o);
            }
        }
        if (warmup < 0 || reps < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--warmup must be ≥ 0 and --reps ≥ 1");
        }
        for (String a : algorithms) {
            if (!SparseConvBench.ALGORITHMS.contains(a)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--algorithms: unknown '" + a + "'; choose from " + SparseConvBench.ALGORITHMS);
            }
        }
        Torch.load();
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                Locale.ROOT,
                "%-24s %-28s %8s %10s %10s %10s %9s %9s %9s %10s %9s %9s %9s %9s%n",
                "line",
                "algorithm",
                "channels",
                "voxels",
                "sparse_ms",
                "cpu_ms",
                "peak_mib",
                "fwd_mib",
                "est_mib",
                "dense_ms",
                "dense_mib",
                "ratio",
                "cpu_ratio",
                "map_ms");
        out.flush();
        for (int[] g : rc) {
            for (double o : occupancy) {
                for (SparseConvBench.Line l : SparseConvBench.run(g[0], o, g[1], warmup, reps, algorithms, dense)) {
                    out.printf(
                            Locale.ROOT,
                            "%-24s %-28s %8d %10d %10.1f %10.1f %10.1f %9.1f %9.1f %10.1f %9.1f %9.3f %9.3f %10.1f%n",
                            l.name(),
                            l.algorithm(),
                            l.channels(),
                            l.voxels(),
                            l.sparseMs(),
                            l.sparseCpuMs(),
                            l.peakMiB(),
                            l.keptMiB(),
                            l.estimateMiB(),
                            l.denseMs(),
                            l.densePeakMiB(),
                            l.sparseMs() / l.denseMs(),
                            l.sparseCpuMs() / l.denseCpuMs(),
                            l.mapMs());
                    out.flush();
                }
            }
        }
        return Cli.OK;
    }

    private int[] parseGrid(String s) {
        String[] p = s.split(":");
        try {
            if (p.length == 2) {
                int r = Integer.parseInt(p[0].trim()), c = Integer.parseInt(p[1].trim());
                if (r >= 4 && r <= 1024 && c >= 1) {
                    return new int[] {r, c};
                }
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "--grids wants R:C pairs with 4 ≤ R ≤ 1024 and C ≥ 1, e.g. 128:32, got '" + s + "'");
    }
}
