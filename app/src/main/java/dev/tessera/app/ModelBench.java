package dev.tessera.app;

import dev.tessera.geometry.TriangleMesh;
import dev.tessera.model.StepTimer;
import dev.tessera.model.Torch;
import dev.tessera.model.dit.GridDitBench;
import dev.tessera.model.dit.VecSetDitBench;
import dev.tessera.model.sparse.SparseSdfVaeBench;
import dev.tessera.model.sparse.SparseStructureVaeBench;
import dev.tessera.model.vecset.ShapeVae;
import dev.tessera.model.vecset.VecsetReconstruction;
import dev.tessera.model.vecset.VecsetVaeBench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tessera bench model}: model training and sampling steps at the {@code bench()} presets, each side by side with
 * the same work in PyTorch eager ({@code bench/peers/torch_bench.py}, same sizes, same thread count).
 *
 * <p>The lines are a registry: a name (shared with the peer's output) and a function {@code (warmup, reps) →} median
 * wall ms, with the median process CPU time of the same repetitions beside it.
 */
@Command(
        name = "model",
        mixinStandardHelpOptions = true,
        description = {
            "Time model training and sampling steps at the bench() presets against PyTorch eager",
            "(bench/peers/torch_bench.py, same sizes, 2 threads). Prints, per line: Tessera's median wall ms,",
            "its CPU ms, the peer's wall ms, the ratio Tessera/peer (below 1 is faster) and, for the lines",
            "whose issue sets one, the goal (ratio ≤ 0.80) and whether it is met."
        })
final class ModelBench implements Callable<Integer> {
    /** One benchmark line: its timed function and its default repetitions. */
    record Line(String name, Timed run, int warmup, int reps) {}

    /**
     * The issues' goals: the largest ratio Tessera / PyTorch each line may reach (issue 6 for the vecset VAE step,
     * issue 7 for the sparse-structure step, issue 8 for the DiT lines).
     */
    static final Map<String, Double> GOALS = Map.of(
            VecsetVaeBench.TRAIN, 0.8,
            SparseStructureVaeBench.NAME, 0.8,
            VecSetDitBench.TRAIN, 0.8,
            VecSetDitBench.SAMPLE, 0.8,
            GridDitBench.NAME, 0.8);

    /** {@code "≤0.80 yes"}, {@code "≤0.80 NO"}, or {@code "-"} for a line without a goal or without a ratio. */
    static String goal(String line, Double ratio) {
        Double g = GOALS.get(line);
        if (g == null || ratio == null) {
            return "-";
        }
        return String.format(Locale.ROOT, "≤%.2f %s", g, ratio <= g ? "yes" : "NO");
    }

    /** A timed function returning the median wall ms (and leaving its CPU ms for {@link #cpu}). */
    interface Timed {
        double run(int warmup, int reps);
    }

    /** The registered lines, in print order. */
    static final Map<String, Line> LINES = new LinkedHashMap<>();

    private static void register(Line l) {
        LINES.put(l.name(), l);
    }

    static {
        register(new Line(VecsetVaeBench.TRAIN, VecsetVaeBench::train, 2, 5));
        register(new Line(VecsetVaeBench.DECODE_DENSE, (w, r) -> decode(false, w, r), 0, 1));
        register(new Line(VecsetVaeBench.DECODE_HIERARCHICAL, (w, r) -> decode(true, w, r), 0, 3));
        register(new Line(VecSetDitBench.TRAIN, VecSetDitBench::train, 2, 20));
        register(new Line(VecSetDitBench.SAMPLE, VecSetDitBench::sample, 1, 8));
        register(new Line(SparseStructureVaeBench.NAME, SparseStructureVaeBench::run, 1, 8));
        register(new Line(GridDitBench.NAME, GridDitBench::run, 2, 20));
        register(new Line(SparseSdfVaeBench.NAME, SparseSdfVaeBench::run, 1, 2));
        register(new Line(SparseSdfVaeBench.NAME_LOW_MEMORY, SparseSdfVaeBench::runLowMemory, 1, 2));
        register(new Line(SparseSdfVaeBench.DECODE, (w, r) -> SparseSdfVaeBench.decode(false, w, r), 0, 1));
        register(new Line(SparseSdfVaeBench.DECODE_LOW_MEMORY, (w, r) -> SparseSdfVaeBench.decode(true, w, r), 0, 1));
    }

    private static double cpu(String name) {
        return switch (name) {
            case VecSetDitBench.TRAIN, VecSetDitBench.SAMPLE -> VecSetDitBench.lastCpuMillis();
            case GridDitBench.NAME -> GridDitBench.lastCpuMillis();
            case SparseStructureVaeBench.NAME -> SparseStructureVaeBench.lastCpuMillis();
            case SparseSdfVaeBench.NAME,
                    SparseSdfVaeBench.NAME_LOW_MEMORY,
                    SparseSdfVaeBench.DECODE,
                    SparseSdfVaeBench.DECODE_LOW_MEMORY -> SparseSdfVaeBench.lastCpuMillis();
            case VecsetVaeBench.TRAIN, VecsetVaeBench.DECODE_DENSE, VecsetVaeBench.DECODE_HIERARCHICAL ->
                VecsetVaeBench.lastCpuMillis();
            default -> Double.NaN;
        };
    }

    /** The decoding lines' VAE and mesh (set from the options before the lines run). */
    private static Path decodeVae;

    private static Path decodeMesh;

    private static double decode(boolean hierarchical, int warmup, int reps) {
        if (decodeVae == null) {
            return Double.NaN;
        }
        try {
            ShapeVae vae = VecsetReconstruction.load(decodeVae);
            TriangleMesh m = MeshFiles.read(decodeMesh);
            return VecsetVaeBench.decode(vae, m, hierarchical, warmup, reps);
        } catch (Exception e) {
            throw new IllegalStateException("decoding bench: " + e.getMessage(), e);
        }
    }

    @Spec
    CommandSpec spec;

    @Option(
            names = "--vae",
            paramLabel = "RUN",
            description = "A trained vecset VAE for the vecset_decode_* lines (skipped without it).")
    Path vae;

    @Option(
            names = "--mesh",
            paramLabel = "MESH",
            defaultValue = "testdata/meshes/bunny00.off",
            description = "The mesh the decoding lines encode (default: ${DEFAULT-VALUE}).")
    Path mesh;

    @Parameters(
            arity = "0..*",
            paramLabel = "LINE",
            description = "Lines to run (default: all): ${COMPLETION-CANDIDATES}",
            completionCandidates = LineNames.class)
    List<String> names = new ArrayList<>();

    @Option(
            names = "--reps",
            description = "Timed repetitions per line, on both sides (default: the line's own, 1–20).")
    Integer reps;

    @Option(
            names = "--warmup",
            description = "Untimed repetitions first, on both sides (default: the line's own, 0–2).")
    Integer warmup;

    @Option(names = "--threads", defaultValue = "2", description = "Threads of the peer (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--no-peers", negatable = true, defaultValue = "true", description = "Run the PyTorch peer.")
    boolean peers;

    /** The registered names, for the help text. */
    static final class LineNames extends ArrayList<String> {
        LineNames() {
            super(LINES.keySet());
        }
    }

    @Option(
            names = "--rounds",
            defaultValue = "1",
            description = {
                "Rounds of Tessera's lines and the peer's, in alternating order (Tessera first in odd rounds),",
                "then a summary: each line's median times and the median of its per-round ratios, which a drift",
                "of the machine between the two halves of one round moves less (default: ${DEFAULT-VALUE})."
            })
    int rounds;

    @Override
    public Integer call() {
        Torch.load();
        PrintWriter out = spec.commandLine().getOut();
        List<String> chosen = names.isEmpty() ? new ArrayList<>(LINES.keySet()) : names;
        for (String n : chosen) {
            if (!LINES.containsKey(n)) {
                throw new picocli.CommandLine.ParameterException(
                        spec.commandLine(), "unknown line '" + n + "'; the lines are " + LINES.keySet());
            }
        }
        if (rounds < 1) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "--rounds must be at least 1, got " + rounds);
        }
        decodeVae = vae;
        decodeMesh = mesh;
        List<Map<String, double[]>> oursByRound = new ArrayList<>();
        List<Map<String, Double>> peerByRound = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            if (rounds > 1) {
                out.printf(Locale.ROOT, "# round %d of %d%n", round + 1, rounds);
            }
            boolean peerFirst = peers && round % 2 == 1;
            Peers.Result peer = peerFirst ? peer(chosen) : null;
            Map<String, double[]> ours = ours(chosen, out);
            if (peers && !peerFirst) {
                peer = peer(chosen);
            }
            oursByRound.add(ours);
            if (peer == null) {
                continue;
            }
            if (!peer.ok()) {
                out.println("peer: " + peer.failure());
                return Cli.OK;
            }
            peerByRound.add(peer.values());
            table(out, ours, peer.values());
        }
        if (rounds > 1) {
            summary(out, oursByRound, peerByRound);
        }
        out.flush();
        return Cli.OK;
    }

    /** Runs Tessera's side of the chosen lines, printing each as it finishes: {@code name → {wall ms, CPU ms}}. */
    private Map<String, double[]> ours(List<String> chosen, PrintWriter out) {
        Map<String, double[]> ours = new LinkedHashMap<>();
        for (String n : chosen) {
            Line l = LINES.get(n);
            boolean decoding = n.equals(VecsetVaeBench.DECODE_DENSE) || n.equals(VecsetVaeBench.DECODE_HIERARCHICAL);
            if (decoding && vae == null) {
                out.printf(Locale.ROOT, "%s skipped (needs --vae RUN, a trained vecset VAE)%n", n);
                continue;
            }
            double wall = l.run().run(warmup != null ? warmup : l.warmup(), reps != null ? reps : l.reps());
            ours.put(n, new double[] {wall, cpu(n)});
            out.printf(
                    Locale.ROOT,
                    "%s %.1f ms (cpu %.1f ms)%s%n",
                    n,
                    wall,
                    cpu(n),
                    decoding
                            ? "  " + VecsetVaeBench.lastNote()
                            : n.startsWith("sparse_sdf_vae_256") ? "  " + SparseSdfVaeBench.lastNote() : "");
            out.flush();
        }
        return ours;
    }

    /** Runs the PyTorch peer on the chosen lines, with the same repetitions. */
    private Peers.Result peer(List<String> chosen) {
        List<String> args = new ArrayList<>();
        args.add(Integer.toString(threads));
        if (reps != null) {
            args.addAll(List.of("--reps", Integer.toString(reps)));
        }
        if (warmup != null) {
            args.addAll(List.of("--warmup", Integer.toString(warmup)));
        }
        args.addAll(chosen);
        return Peers.run("torch_bench.py", threads, args, 3600);
    }

    private static void table(PrintWriter out, Map<String, double[]> ours, Map<String, Double> peer) {
        out.printf(
                Locale.ROOT,
                "%-34s %12s %12s %12s %8s  %s%n",
                "line",
                "tessera_ms",
                "cpu_ms",
                "pytorch_ms",
                "ratio",
                "goal");
        for (var e : ours.entrySet()) {
            Double p = peer.get(e.getKey());
            Double ratio = p == null ? null : e.getValue()[0] / p;
            out.printf(
                    Locale.ROOT,
                    "%-34s %12.1f %12.1f %12s %8s  %s%n",
                    e.getKey(),
                    e.getValue()[0],
                    e.getValue()[1],
                    p == null ? "-" : String.format(Locale.ROOT, "%.1f", p),
                    ratio == null ? "-" : String.format(Locale.ROOT, "%.2f", ratio),
                    goal(e.getKey(), ratio));
        }
        out.flush();
    }

    /**
     * The rounds' summary, one row per line: the median of Tessera's wall times, of the peer's, each round's ratio
     * (Tessera / peer, paired within the round) and their median.
     */
    static void summary(PrintWriter out, List<Map<String, double[]>> ours, List<Map<String, Double>> peer) {
        out.printf(
                Locale.ROOT,
                "# %d rounds: medians, and the median of the per-round ratios%n%-34s %12s %12s %12s  %-10s  %s%n",
                ours.size(),
                "line",
                "tessera_ms",
                "pytorch_ms",
                "ratio",
                "goal",
                "per round");
        for (String n : ours.get(0).keySet()) {
            List<Double> mine = new ArrayList<>();
            List<Double> theirs = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            for (int r = 0; r < ours.size(); r++) {
                double w = ours.get(r).get(n)[0];
                mine.add(w);
                Double p = r < peer.size() ? peer.get(r).get(n) : null;
                if (p != null) {
                    theirs.add(p);
                    ratios.add(w / p);
                }
            }
            StringBuilder each = new StringBuilder();
            for (double q : ratios) {
                each.append(each.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", q));
            }
            Double ratio = ratios.isEmpty() ? null : median(ratios);
            out.printf(
                    Locale.ROOT,
                    "%-34s %12.1f %12s %12s  %-10s  %s%n",
                    n,
                    median(mine),
                    theirs.isEmpty() ? "-" : String.format(Locale.ROOT, "%.1f", median(theirs)),
                    ratio == null ? "-" : String.format(Locale.ROOT, "%.2f", ratio),
                    goal(n, ratio),
                    each);
        }
        out.flush();
    }

    /** The median as {@link StepTimer#median} takes it: the upper middle value of an even count. */
    private static double median(List<Double> v) {
        return StepTimer.median(v.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
