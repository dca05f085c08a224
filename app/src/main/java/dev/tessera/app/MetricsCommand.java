package dev.tessera.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tessera.geometry.MeshMetrics;
import dev.tessera.geometry.MetricsOptions;
import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tessera metrics A B}: reconstruction metrics of a candidate mesh B against a reference mesh A. */
@Command(
        name = "metrics",
        mixinStandardHelpOptions = true,
        description = {
            "Reconstruction metrics of mesh B (a reconstruction, a generated shape) against reference mesh A:"
                    + " Chamfer-L1 and -L2, completeness and accuracy, F-score, precision and recall at each"
                    + " --tau, normal consistency (absolute and oriented), Hausdorff, volume IoU and near-surface"
                    + " IoU, all on --points area-uniform surface points per mesh (docs/metrics.md defines each).",
            "Both meshes are first moved by the transform that fits A into [-1, 1]³, so distances and τ are in"
                    + " units of half of A's longest side. A mesh against itself gives distances 0, F-scores,"
                    + " normal consistency and IoUs 1. Inside (for the IoUs) means a winding number of at least"
                    + " 1/2."
        })
final class MetricsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "A", description = "The reference mesh (ground truth).")
    Path a;

    @Parameters(index = "1", paramLabel = "B", description = "The candidate mesh.")
    Path b;

    @Option(
            names = "--points",
            paramLabel = "N",
            description = "Surface points per mesh, and query points per IoU (default: ${DEFAULT-VALUE}).")
    int points = MetricsOptions.defaults().points();

    @Option(names = "--seed", paramLabel = "S", description = "Seed of every random draw (default: ${DEFAULT-VALUE}).")
    long seed = MetricsOptions.defaults().seed();

    @Option(
            names = "--tau",
            split = ",",
            paramLabel = "T",
            description = "F-score thresholds, comma-separated (default: 0.01,0.02).")
    List<Double> tau = MetricsOptions.defaults().fscoreThresholds();

    @Option(
            names = "--sigma",
            paramLabel = "S",
            description = "Noise of the near-surface IoU's points (default: ${DEFAULT-VALUE}).")
    double sigma = MetricsOptions.defaults().nearSurfaceSigma();

    @Option(names = "--no-normalize", description = "Measure in the files' own units instead of A's [-1, 1]³ frame.")
    boolean noNormalize;

    @Option(names = "--no-iou", description = "Skip the volume and near-surface IoUs (no inside tests).")
    boolean noIou;

    @Option(names = "--json", description = "Print one JSON object instead of 'name value' lines.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        MetricsOptions o;
        try {
            o = new MetricsOptions(points, seed, !noNormalize, tau, sigma, !noIou);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage().replaceFirst("^metrics: ", ""));
        }
        TriangleMesh ma = MeshFiles.read(a);
        TriangleMesh mb = MeshFiles.read(b);
        long t0 = System.nanoTime();
        MeshMetrics.Result r = MeshMetrics.compare(ma, mb, o);
        double seconds = (System.nanoTime() - t0) / 1e9;
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(r, seconds));
        } else {
            out.printf("%-28s %s%n", "a", a);
            out.printf("%-28s %s%n", "b", b);
            out.print(r.format());
            out.printf(Locale.ROOT, "%-28s %.2f%n", "seconds", seconds);
        }
        out.flush();
        return Cli.OK;
    }

    private String toJson(MeshMetrics.Result r, double seconds) throws IOException {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("a", a.toString());
        root.put("b", b.toString());
        root.put("points", r.points());
        root.put("seed", seed);
        root.put("normalized", !noNormalize);
        put(root, "chamfer_l1", r.chamferL1());
        put(root, "chamfer_l2", r.chamferL2());
        put(root, "completeness", r.completeness());
        put(root, "accuracy", r.accuracy());
        var fs = root.putArray("fscores");
        for (MeshMetrics.FScore f : r.fscores()) {
            ObjectNode n = fs.addObject();
            n.put("tau", f.tau());
            put(n, "fscore", f.fscore());
            put(n, "precision", f.precision());
            put(n, "recall", f.recall());
        }
        put(root, "normal_consistency", r.normalConsistency());
        put(root, "oriented_normal_consistency", r.orientedNormalConsistency());
        put(root, "hausdorff", r.hausdorff());
        put(root, "volume_iou", r.volumeIoU());
        put(root, "near_surface_iou", r.nearSurfaceIoU());
        root.put("seconds", Math.round(seconds * 100) / 100.0);
        return m.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    /** A number, or null when it was not computed (NaN is not JSON). */
    private static void put(ObjectNode n, String key, double v) {
        if (Double.isNaN(v)) {
            n.putNull(key);
        } else {
            n.put(key, v);
        }
    }
}
