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
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
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
    /**
     * One benchmark line: its timed function, its default repetitions, and for the lines that {@code --paired} can
     * interleave with the peer's, its setup (else {@code null}).
     */
    record Line(String name, Timed run, int warmup, int reps, Supplier<StepTimer.Step> setup) {
        Line(String name, Timed run, int warmup, int reps) {
            this(name, run, warmup, reps, null);
        }
    }

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

    /** A timed function returning the median wall and CPU ms of its repetitions, and a note. */
    interface Timed {
        StepTimer.Timing run(int warmup, int reps);
    }

    /** The registered lines, in print order. */
    static final Map<String, Line> LINES = new LinkedHashMap<>();

    private static void register(Line l) {
        LINES.put(l.name(), l);
    }

    static {
        register(new Line(VecsetVaeBench.TRAIN, VecsetVaeBench::train, 2, 5, VecsetVaeBench::trainSetup));
        register(new Line(VecsetVaeBench.DECODE_DENSE, (w, r) -> decode(false, w, r), 0, 1));
        register(new Line(VecsetVaeBench.DECODE_HIERARCHICAL, (w, r) -> decode(true, w, r), 0, 3));
        register(new Line(VecSetDitBench.TRAIN, VecSetDitBench::train, 2, 20, VecSetDitBench::trainSetup));
        register(new Line(VecSetDitBench.SAMPLE, VecSetDitBench::sample, 1, 8, VecSetDitBench::sampleSetup));
        register(new Line(
                SparseStructureVaeBench.NAME, SparseStructureVaeBench::run, 1, 8, SparseStructureVaeBench::setup));
        register(new Line(GridDitBench.NAME, GridDitBench::run, 2, 20, GridDitBench::setup));
        register(new Line(SparseSdfVaeBench.NAME, SparseSdfVaeBench::run, 1, 2));
        register(new Line(SparseSdfVaeBench.NAME_LOW_MEMORY, SparseSdfVaeBench::runLowMemory, 1, 2));
        register(new Line(SparseSdfVaeBench.DECODE, (w, r) -> SparseSdfVaeBench.decode(false, w, r), 0, 1));
        register(new Line(SparseSdfVaeBench.DECODE_LOW_MEMORY, (w, r) -> SparseSdfVaeBench.decode(true, w, r), 0, 1));
    }

    /** The decoding lines' VAE and mesh (set from the options before the lines run). */
    private static Path decodeVae;

    private static Path decodeMesh;

    private static StepTimer.Timing decode(boolean hierarchical, int warmup, int reps) {
        if (decodeVae == null) {
            return new StepTimer.Timing(Double.NaN, Double.NaN);
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

    @Option(
            names = "--paired",
            description = "Interleave each line's steps with the peer's in short blocks, one side's block after"
                    + " the other's (the peer first in every other pair of blocks): each block runs "
                    + BLOCK + " steps back to back and times all but the first, which absorbs the switch. Prints"
                    + " the medians and the median of the per-block ratios: both sides are timed in the same"
                    + " moments of the machine. Lines that can be stepped: ${COMPLETION-CANDIDATES}.",
            completionCandidates = PairedNames.class)
    boolean paired;

    /** The lines {@code --paired} can run, for the help text. */
    static final class PairedNames extends ArrayList<String> {
        PairedNames() {
            LINES.values().stream().filter(l -> l.setup() != null).forEach(l -> add(l.name()));
        }
    }

    /**
     * Steps per block of {@code --paired}; the first is not timed. Back-to-back steps are each side's steady state: the
     * peer's first step after an idle spell is 5–13 % slower (Tessera's mostly within 4 %), and the first step after the peer's
     * shares the cores with OpenBLAS's threads, which spin for about 0.1 s after a product.
     */
    static final int BLOCK = 3;

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
        if (paired) {
            return paired(chosen, spec.commandLine().getOut());
        }
        List<Map<String, StepTimer.Timing>> oursByRound = new ArrayList<>();
        List<Map<String, Double>> peerByRound = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            if (rounds > 1) {
                out.printf(Locale.ROOT, "# round %d of %d%n", round + 1, rounds);
            }
            boolean peerFirst = peers && round % 2 == 1;
            Peers.Result peer = peerFirst ? peer(chosen) : null;
            Map<String, StepTimer.Timing> ours = ours(chosen, out);
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

    /**
     * {@code --paired}: each chosen line's setup on Tessera's side, the peer's cases in one {@code --serve} process,
     * then per line the warm-up steps of both and enough pairs of blocks ({@link #paired(int, int, Stepper, Stepper)})
     * for {@code reps} timed steps of each side. Prints one row per line as it finishes.
     */
    private int paired(List<String> chosen, PrintWriter out) {
        List<String> cannot =
                chosen.stream().filter(n -> LINES.get(n).setup() == null).toList();
        if (!cannot.isEmpty() || rounds != 1 || !peers) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(),
                    !cannot.isEmpty()
                            ? "--paired steps only " + new PairedNames() + "; not " + cannot
                            : "--paired times the peer beside Tessera: it takes neither --rounds nor --no-peers");
        }
        out.printf(
                Locale.ROOT,
                "# paired: blocks of %d steps of each side in turn, the first of each block untimed; medians, and the"
                        + " median of the per-block ratios%n%-34s %12s %12s %12s %8s  %-10s  %s%n",
                BLOCK,
                "line",
                "tessera_ms",
                "cpu_ms",
                "pytorch_ms",
                "ratio",
                "goal",
                "ratios p10–p90");
        out.flush();
        try (Peers.Server peer = Peers.Server.start("torch_bench.py", threads, chosen)) {
            for (String n : chosen) {
                Line l = LINES.get(n);
                int w = warmup != null ? warmup : l.warmup();
                int blocks = Math.max(1, Math.ceilDiv(reps != null ? reps : l.reps(), BLOCK - 1));
                Paired p;
                try (StepTimer.Step step = l.setup().get()) {
                    p = paired(
                            w,
                            blocks,
                            () -> StepTimer.once(step::run),
                            () -> new StepTimer.Timing(peer.step(n), Double.NaN));
                }
                double[] sorted = p.ratios().clone();
                Arrays.sort(sorted);
                out.printf(
                        Locale.ROOT,
                        "%-34s %12.1f %12.1f %12.1f %8.2f  %-10s  %.2f–%.2f (%d blocks)%n",
                        n,
                        median(p.ours()),
                        median(p.cpu()),
                        median(p.peer()),
                        p.ratio(),
                        goal(n, p.ratio()),
                        sorted[(int) Math.floor(0.1 * (blocks - 1))],
                        sorted[(int) Math.ceil(0.9 * (blocks - 1))],
                        blocks);
                out.flush();
            }
        } catch (IOException e) {
            out.println("peer: " + e.getMessage());
        }
        return Cli.OK;
    }

    /** One side's step: its wall ms and CPU ms (NaN when not known). */
    interface Stepper {
        StepTimer.Timing step() throws IOException;
    }

    /**
     * A {@code --paired} line's timings: every timed step of each side (and Tessera's CPU ms), and each block pair's
     * ratio of medians; {@link #ratio} is the median of those.
     */
    record Paired(List<Double> ours, List<Double> cpu, List<Double> peer, double[] ratios) {
        double ratio() {
            return StepTimer.median(ratios);
        }
    }

    /**
     * {@code warmup} steps of each side, then {@code blocks} pairs of blocks of {@link #BLOCK} steps, Tessera's block
     * first in even pairs and the peer's first in odd ones; the first step of every block is not timed.
     */
    static Paired paired(int warmup, int blocks, Stepper ours, Stepper peer) throws IOException {
        for (int i = 0; i < warmup; i++) {
            ours.step();
            peer.step();
        }
        List<Double> mine = new ArrayList<>(), cpu = new ArrayList<>(), theirs = new ArrayList<>();
        double[] ratios = new double[blocks];
        for (int b = 0; b < blocks; b++) {
            double[] oursTimed = new double[BLOCK - 1], peerTimed = new double[BLOCK - 1];
            for (int side = 0; side < 2; side++) {
                boolean peerTurn = (side == 0) == (b % 2 == 1);
                for (int i = 0; i < BLOCK; i++) {
                    StepTimer.Timing t = (peerTurn ? peer : ours).step();
                    if (i == 0) {
                        continue; // absorbs the switch from the other side
                    }
                    (peerTurn ? peerTimed : oursTimed)[i - 1] = t.wallMs();
                    (peerTurn ? theirs : mine).add(t.wallMs());
                    if (!peerTurn) {
                        cpu.add(t.cpuMs());
                    }
                }
            }
            ratios[b] = StepTimer.median(oursTimed) / StepTimer.median(peerTimed);
        }
        return new Paired(mine, cpu, theirs, ratios);
    }

    /** Runs Tessera's side of the chosen lines, printing each as it finishes: {@code name → timing}. */
    private Map<String, StepTimer.Timing> ours(List<String> chosen, PrintWriter out) {
        Map<String, StepTimer.Timing> ours = new LinkedHashMap<>();
        for (String n : chosen) {
            Line l = LINES.get(n);
            boolean decoding = n.equals(VecsetVaeBench.DECODE_DENSE) || n.equals(VecsetVaeBench.DECODE_HIERARCHICAL);
            if (decoding && vae == null) {
                out.printf(Locale.ROOT, "%s skipped (needs --vae RUN, a trained vecset VAE)%n", n);
                continue;
            }
            StepTimer.Timing t = l.run().run(warmup != null ? warmup : l.warmup(), reps != null ? reps : l.reps());
            ours.put(n, t);
            out.printf(
                    Locale.ROOT,
                    "%s %.1f ms (cpu %.1f ms)%s%n",
                    n,
                    t.wallMs(),
                    t.cpuMs(),
                    t.note().isEmpty() ? "" : "  " + t.note());
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

    private static void table(PrintWriter out, Map<String, StepTimer.Timing> ours, Map<String, Double> peer) {
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
            Double ratio = p == null ? null : e.getValue().wallMs() / p;
            out.printf(
                    Locale.ROOT,
                    "%-34s %12.1f %12.1f %12s %8s  %s%n",
                    e.getKey(),
                    e.getValue().wallMs(),
                    e.getValue().cpuMs(),
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
    static void summary(PrintWriter out, List<Map<String, StepTimer.Timing>> ours, List<Map<String, Double>> peer) {
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
                double w = ours.get(r).get(n).wallMs();
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
