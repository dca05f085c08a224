package dev.tessera.app;

import dev.tessera.geometry.Aabb;
import dev.tessera.geometry.DenseGrid;
import dev.tessera.geometry.FarthestPointSampler;
import dev.tessera.geometry.MarchingCubes;
import dev.tessera.geometry.MeshDistance;
import dev.tessera.geometry.SurfaceSampler;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.Voxelizer;
import dev.tessera.geometry.Watertight;
import dev.tessera.geometry.WatertightOptions;
import dev.tessera.model.StepTimer;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tessera bench geometry}: the geometry kernels on one mesh (by default the repository's holey
 * {@code bunny00.off}) normalised to {@code [-0.9, 0.9]³}, side by side with Open3D and scikit-image
 * ({@code bench/peers/geometry_peers.py}, same line names, same thread count).
 */
@Command(
        name = "geometry",
        mixinStandardHelpOptions = true,
        description = {
            "Time the geometry kernels on a mesh normalised to [-0.9, 0.9]³ (default: the repository's holey"
                    + " testdata/meshes/bunny00.off), then the same work with Open3D and scikit-image"
                    + " (bench/peers/geometry_peers.py), both with --threads threads.",
            "Each line is the median of --reps runs after a warm-up; it prints Tessera's wall and CPU seconds, the"
                    + " peer's, the speed-up (peer / Tessera) and the issue's goal. The lines:",
            "- sdf_points_1M: signed distance at 1M random points in [-1, 1]³ (Open3D"
                    + " compute_signed_distance), and the share of signs agreeing with the watertight"
                    + " mesh's (sdf_points_1M_sign_agreement)",
            "- udf_grid_256: distances at the 256³ grid points (Open3D compute_distance)",
            "- sdf_grid_256: signed distances on that grid (no peer)",
            "- marching_cubes_256: the iso-surface at one grid step of that grid (skimage marching_cubes)",
            "- watertight_256: 'tessera watertight' at R = 256 end to end (no peer)",
            "- fps_100k_to_4096: farthest point sampling of 100k surface points (Open3D)",
            "- surface_sample_1M: 1M area-uniform surface points with normals (Open3D)",
            "- voxelize_64: the voxels of a 64³ grid the surface touches (no peer: Open3D's mesh voxeliser tests"
                    + " every voxel against every triangle; it ran over 10 CPU minutes)",
            "- voxelize_solid_64: those plus the voxels inside by winding number (no peer)"
        })
final class GeometryBench implements Callable<Integer> {
    /** Half-extent the mesh is normalised to, as the benchmark asks. */
    static final double HALF_EXTENT = 0.9;

    static final String SDF_POINTS = "sdf_points_1M";
    static final String SIGN_AGREEMENT = "sdf_points_1M_sign_agreement";
    static final String UDF_GRID = "udf_grid_256";
    static final String SDF_GRID = "sdf_grid_256";
    static final String MARCHING_CUBES = "marching_cubes_256";
    static final String WATERTIGHT = "watertight_256";
    static final String FPS = "fps_100k_to_4096";
    static final String SURFACE_SAMPLE = "surface_sample_1M";
    static final String VOXELIZE = "voxelize_64";
    static final String VOXELIZE_SOLID = "voxelize_solid_64";

    /** The lines in print order. */
    static final List<String> LINES = List.of(
            SDF_POINTS, UDF_GRID, SDF_GRID, MARCHING_CUBES, WATERTIGHT, FPS, SURFACE_SAMPLE, VOXELIZE, VOXELIZE_SOLID);

    /** The goals: the speed-up over the peer each line must reach, or an absolute bound in seconds. */
    static final Map<String, String> GOALS = Map.of(
            SDF_POINTS, "≥5×",
            UDF_GRID, "≥20×",
            MARCHING_CUBES, "≥2×",
            FPS, "≥3×",
            WATERTIGHT, "<5 s");

    static final int GRID = 256;

    /**
     * Each line first runs until this much time has passed (once at least), as JMH's time-based warm-up does: a line
     * of a tenth of a second is otherwise timed while the JIT is still compiling its loops (marching cubes: 0.13–0.15 s
     * a run after one warm-up run, 0.09 s after nine).
     */
    static final long WARMUP_NANOS = 2_000_000_000L;

    static final int POINTS = 1_000_000;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "LINE", description = "Lines to run (default: all).")
    List<String> names = new ArrayList<>();

    @Option(
            names = "--mesh",
            paramLabel = "M",
            description = "The mesh (default: testdata/meshes/bunny00.off of the repository).")
    Path mesh;

    @Option(
            names = "--reps",
            defaultValue = "5",
            description =
                    "Timed runs per line, after a warm-up of at least 2 s (one run at least); the median is reported"
                            + " (default: ${DEFAULT-VALUE}).")
    int reps;

    @Option(
            names = "--peer-reps",
            defaultValue = "3",
            description = "Timed runs per line of the peer (its 256³ distance grid runs once) (default: "
                    + "${DEFAULT-VALUE}).")
    int peerReps;

    @Option(names = "--threads", defaultValue = "2", description = "Threads of each side (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--no-peers", negatable = true, defaultValue = "true", description = "Run the Python peers.")
    boolean peers;

    /** One measured line: median wall and CPU seconds, and a detail. */
    record Timing(double wall, double cpu, String detail) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (reps < 1 || peerReps < 1) {
            throw new ParameterException(spec.commandLine(), "--reps and --peer-reps must be at least 1");
        }
        if (threads < 1) {
            throw new ParameterException(spec.commandLine(), "--threads must be at least 1, got " + threads);
        }
        Set<String> chosen = new LinkedHashSet<>(names.isEmpty() ? LINES : names);
        for (String n : chosen) {
            if (!LINES.contains(n)) {
                throw new ParameterException(spec.commandLine(), "unknown line '" + n + "'; the lines are " + LINES);
            }
        }
        Path meshPath = mesh != null ? mesh : repositoryBunny();
        TriangleMesh m = MeshFiles.read(meshPath).normalized(HALF_EXTENT);
        out.printf(
                Locale.ROOT,
                "# %s: %d vertices, %d triangles, normalised to [-%.1f, %.1f]³; %d threads, median of %d runs;"
                        + " load average %.2f%n",
                meshPath,
                m.vertexCount(),
                m.triangleCount(),
                HALF_EXTENT,
                HALF_EXTENT,
                threads,
                reps,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        out.flush();
        ForkJoinPool pool = new ForkJoinPool(threads);
        Path tmp = Files.createTempDirectory("tessera-bench-geometry");
        try {
            Map<String, Timing> ours = new LinkedHashMap<>();
            Double agreement = runLines(m, chosen, pool, tmp, ours, out);
            if (!peers) {
                return Cli.OK;
            }
            List<String> args = new ArrayList<>(List.of(
                    meshPath.toString(), "--reps", Integer.toString(peerReps), "--threads", Integer.toString(threads)));
            if (chosen.contains(SDF_POINTS)) {
                args.addAll(List.of(
                        "--points",
                        tmp.resolve("points.npy").toString(),
                        "--inside",
                        tmp.resolve("inside.npy").toString()));
            }
            args.addAll(chosen);
            out.println("# peer: geometry_peers.py (Open3D, scikit-image)");
            out.flush();
            Peers.Result peer = Peers.run("geometry_peers.py", threads, args, 3600);
            if (!peer.ok()) {
                out.println("peer: " + peer.failure());
                return Cli.OK;
            }
            table(out, ours, peer, agreement);
            return Cli.OK;
        } finally {
            pool.shutdown();
            deleteTree(tmp);
        }
    }

    /** Runs the chosen lines, printing each; returns the sign agreement when {@link #SDF_POINTS} ran. */
    private Double runLines(
            TriangleMesh m, Set<String> chosen, ForkJoinPool pool, Path tmp, Map<String, Timing> ours, PrintWriter out)
            throws Exception {
        Aabb box = Aabb.cube(1);
        MeshDistance distance = in(pool, () -> MeshDistance.of(m));
        Double agreement = null;
        if (chosen.contains(SDF_POINTS)) {
            float[] q = uniformPoints(POINTS, 0);
            Timing t = time(pool, () -> distance.signed(q), d -> "points=" + d.length);
            record(out, ours, SDF_POINTS, t);
            // the reference: the signs of the shrunk watertight shell (closed, so its winding number is its parity)
            TriangleMesh closed = in(
                    pool,
                    () -> Watertight.remesh(
                            m, WatertightOptions.DEFAULT.withResolution(GRID).withShrink(true)));
            float[] ref = in(pool, () -> MeshDistance.of(closed).signed(q));
            float[] ours1 = in(pool, () -> distance.signed(q));
            byte[] inside = new byte[ref.length];
            int agree = 0;
            for (int i = 0; i < ref.length; i++) {
                inside[i] = (byte) (ref[i] < 0 ? 1 : 0);
                agree += (ours1[i] < 0) == (ref[i] < 0) ? 1 : 0;
            }
            agreement = (double) agree / ref.length;
            out.printf(
                    Locale.ROOT,
                    "%s %.5f against the watertight mesh's signs (R = %d, shrunk)%n",
                    SIGN_AGREEMENT,
                    agreement,
                    GRID);
            out.flush();
            Npy.writeFloats(tmp.resolve("points.npy"), q, POINTS, 3);
            Npy.writeBytes(tmp.resolve("inside.npy"), inside, POINTS);
        }
        DenseGrid udf = null;
        if (chosen.contains(UDF_GRID)) {
            DenseGrid[] last = new DenseGrid[1];
            Timing t = time(pool, () -> last[0] = distance.unsignedGrid(box, GRID), g -> "points=" + g.size());
            udf = last[0];
            record(out, ours, UDF_GRID, t);
        } else if (chosen.contains(MARCHING_CUBES)) {
            udf = in(pool, () -> distance.unsignedGrid(box, GRID));
        }
        if (chosen.contains(SDF_GRID)) {
            Timing t = time(pool, () -> distance.signedGrid(box, GRID), g -> "points=" + g.size());
            record(out, ours, SDF_GRID, t);
        }
        if (chosen.contains(MARCHING_CUBES)) {
            DenseGrid g = udf;
            float level = 2f / GRID;
            Timing t = time(
                    pool,
                    () -> MarchingCubes.extract(g, level),
                    mc -> "verts=" + mc.vertexCount() + " faces=" + mc.triangleCount());
            record(out, ours, MARCHING_CUBES, t);
        }
        if (chosen.contains(WATERTIGHT)) {
            WatertightOptions o = WatertightOptions.DEFAULT.withResolution(GRID);
            Timing t = time(pool, () -> Watertight.remesh(m, o), c -> c.triangleCount() + " triangles");
            record(out, ours, WATERTIGHT, t);
        }
        if (chosen.contains(FPS)) {
            float[] cloud = in(pool, () -> SurfaceSampler.sample(m, 100_000, 0).points());
            Timing t =
                    time(pool, () -> FarthestPointSampler.sample(cloud, 4096, 0, threads), p -> "points=" + p.length);
            record(out, ours, FPS, t);
        }
        if (chosen.contains(SURFACE_SAMPLE)) {
            Timing t = time(pool, () -> SurfaceSampler.sample(m, POINTS, 1), s -> "");
            record(
                    out,
                    ours,
                    SURFACE_SAMPLE,
                    withDetail(t, String.format(Locale.ROOT, "points/s=%.3g", POINTS / t.wall())));
        }
        if (chosen.contains(VOXELIZE)) {
            Timing t = time(pool, () -> Voxelizer.surface(m, box, 64), v -> "voxels=" + v.size());
            record(
                    out,
                    ours,
                    VOXELIZE,
                    withDetail(t, t.detail() + String.format(Locale.ROOT, " cells/s=%.3g", 64.0 * 64 * 64 / t.wall())));
        }
        if (chosen.contains(VOXELIZE_SOLID)) {
            Timing t = time(
                    pool,
                    () -> Voxelizer.solid(m, box, 64, xyz -> {
                        float[] w = distance.windingNumber(xyz);
                        for (int i = 0; i < w.length; i++) {
                            w[i] = 0.5f - w[i];
                        }
                        return w;
                    }),
                    v -> "voxels=" + v.size());
            record(
                    out,
                    ours,
                    VOXELIZE_SOLID,
                    withDetail(t, t.detail() + String.format(Locale.ROOT, " cells/s=%.3g", 64.0 * 64 * 64 / t.wall())));
        }
        return agreement;
    }

    private static Timing withDetail(Timing t, String detail) {
        return new Timing(t.wall(), t.cpu(), detail);
    }

    private static void record(PrintWriter out, Map<String, Timing> ours, String name, Timing t) {
        ours.put(name, t);
        out.printf(Locale.ROOT, "%s %.4f cpu %.4f %s%n", name, t.wall(), t.cpu(), t.detail());
        out.flush();
    }

    private void table(PrintWriter out, Map<String, Timing> ours, Peers.Result peer, Double agreement) {
        out.printf(
                Locale.ROOT,
                "%-24s %10s %10s %10s %10s %8s %8s %6s%n",
                "line",
                "tessera_s",
                "cpu_s",
                "peer_s",
                "peer_cpu_s",
                "speedup",
                "goal",
                "met");
        for (var e : ours.entrySet()) {
            String n = e.getKey();
            Timing t = e.getValue();
            double p = peer.number(n, 1), pc = peer.number(n, 2);
            String goal = GOALS.getOrDefault(n, "-");
            String met = "-";
            if (goal.startsWith("≥") && !Double.isNaN(p)) {
                met = p / t.wall() >= Double.parseDouble(goal.substring(1, goal.length() - 1)) ? "yes" : "NO";
            } else if (goal.startsWith("<")) {
                met = t.wall() < Double.parseDouble(goal.substring(1, goal.indexOf(' '))) ? "yes" : "NO";
            }
            out.printf(
                    Locale.ROOT,
                    "%-24s %10.4f %10.4f %10s %10s %8s %8s %6s%n",
                    n,
                    t.wall(),
                    t.cpu(),
                    num(p),
                    num(pc),
                    Double.isNaN(p) ? "-" : String.format(Locale.ROOT, "%.1f×", p / t.wall()),
                    goal,
                    met);
        }
        if (agreement != null) {
            double pa = peer.number(SIGN_AGREEMENT, 1);
            out.printf(
                    Locale.ROOT,
                    "%-24s tessera %.5f, peer %s (share of the 1M signs equal to the watertight mesh's)%n",
                    SIGN_AGREEMENT,
                    agreement,
                    Double.isNaN(pa) ? "-" : String.format(Locale.ROOT, "%.5f", pa));
        }
        out.flush();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    /** Median wall and process CPU seconds of {@link #reps} runs of {@code f} after the warm-up, inside the pool. */
    private <T> Timing time(ForkJoinPool pool, Supplier<T> f, java.util.function.Function<T, String> detail)
            throws ExecutionException, InterruptedException {
        T last;
        long w0 = System.nanoTime();
        do {
            last = in(pool, f);
        } while (System.nanoTime() - w0 < WARMUP_NANOS);
        double[] wall = new double[reps], cpu = new double[reps];
        for (int r = 0; r < reps; r++) {
            long c0 = StepTimer.processCpuNanos(), t0 = System.nanoTime();
            last = in(pool, f);
            wall[r] = (System.nanoTime() - t0) / 1e9;
            cpu[r] = (StepTimer.processCpuNanos() - c0) / 1e9;
        }
        return new Timing(StepTimer.median(wall), StepTimer.median(cpu), detail.apply(last));
    }

    private static <T> T in(ForkJoinPool pool, Supplier<T> f) throws ExecutionException, InterruptedException {
        return pool.submit(f::get).get();
    }

    /** {@code n} points uniform in {@code [-1, 1]³}, seeded. */
    static float[] uniformPoints(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] q = new float[3 * n];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) rnd.nextDouble(-1, 1);
        }
        return q;
    }

    /** {@code testdata/meshes/bunny00.off} under the launcher's root or the working directory. */
    private static Path repositoryBunny() {
        String root = System.getenv("TESSERA_HOME");
        Path p = Path.of(root != null ? root : ".", "testdata", "meshes", "bunny00.off");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("no testdata/meshes/bunny00.off under "
                    + p.getParent().getParent().getParent() + "; run from the repository or pass --mesh M");
        }
        return p;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
