package dev.tessera.app;

import dev.tessera.data.dataset.Manifest;
import dev.tessera.data.dataset.ManifestRecord;
import dev.tessera.data.prep.MeshSampleBuilder;
import dev.tessera.data.prep.PrepInputs;
import dev.tessera.data.prep.PrepJob;
import dev.tessera.data.prep.PrepOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera prep}: meshes → training samples. */
@Command(
        name = "prep",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Turn meshes into training samples: load → normalise → watertight → sample surface, sharp edges and",
            "queries with signed distances → voxels → (views) → DATASET/samples/<id>.safetensors + manifest.jsonl.",
            "Resumable: re-running skips shapes done with the same content and settings; failures are recorded",
            "with their reason and the run goes on (exit 1 if any failed). See docs/sample-format.md."
        })
final class PrepCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = {"--input", "-i"},
            required = true,
            paramLabel = "DIR|GLOB|LIST|FILE",
            description =
                    "Meshes: a directory (recursive), a glob ('meshes/**.off'), a list file (.txt), or a file. Repeatable.")
    List<String> inputs;

    @Option(
            names = {"--output", "-o"},
            required = true,
            paramLabel = "DATASET",
            description = "Dataset directory.")
    Path output;

    @Option(
            names = "--workers",
            description = "Parallel shapes (default: all cores, ${DEFAULT-VALUE} = auto).",
            defaultValue = "0")
    int workers;

    @Option(names = "--labels", paramLabel = "CSV", description = "file,label CSV (default: labels.csv in input dirs).")
    Path labels;

    @Option(names = "--small", description = "Small sizes (R 96, 4k surface points, ~20k queries): tests and demos.")
    boolean small;

    @Option(
            names = "--resolution",
            description = "Watertight remeshing grid resolution (default 256; 96 with --small).")
    Integer resolution;

    @Option(
            names = "--sparse-resolution",
            description = "Sparse SDF voxel resolution, 0 for none (default 256; 64 with --small).")
    Integer sparseResolution;

    @Option(
            names = "--views",
            defaultValue = "0",
            description = "Rendered condition views per shape (default: ${DEFAULT-VALUE}).")
    int views;

    @Option(
            names = "--view-size",
            defaultValue = "224",
            description = "View size in pixels, e.g. 224 or 518 (default: ${DEFAULT-VALUE}).")
    int viewSize;

    @Option(names = "--transparent", description = "Render views on a transparent background (default: white).")
    boolean transparent;

    @Option(
            names = "--fixed-views",
            description = "Views on a fixed orbit (evenly spaced yaw, 20° pitch) instead of random cameras.")
    boolean fixedViews;

    @Option(names = "--max-faces", description = "Refuse sources with more triangles (default 5,000,000).")
    Integer maxFaces;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the random draws (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--retry-failed", description = "Retry sources that failed before with the same settings.")
    boolean retryFailed;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrepOptions.Builder b = (small ? PrepOptions.small() : PrepOptions.defaults()).toBuilder();
        if (resolution != null) {
            b.watertightResolution(resolution);
        }
        if (sparseResolution != null) {
            b.sparseResolution(sparseResolution);
        }
        if (maxFaces != null) {
            b.maxFaces(maxFaces);
        }
        PrepOptions o;
        try {
            o = b.views(views, viewSize, transparent)
                    .fixedViews(fixedViews)
                    .seed(seed)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrepInputs.Found found = PrepInputs.find(inputs, labels);
        if (found.sources().isEmpty()) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--input " + String.join(" ", inputs)
                            + " matches no mesh file (.obj .ply .stl .off .glb)"
                            + (found.skipped().isEmpty()
                                    ? ""
                                    : "; " + found.skipped().size() + " files of other formats"));
        }
        for (Path p : found.skipped()) {
            spec.commandLine().getErr().println("tessera prep: warning: skipping " + p + " (unknown format)");
        }
        int n = workers > 0 ? workers : Runtime.getRuntime().availableProcessors();
        PrepJob job = new PrepJob(output, o, new MeshSampleBuilder(), n, retryFailed, VersionProvider.version());
        PrepJob.Summary s = job.run(found, new ProgressBar(System.err));
        out.printf(
                "prep: %d shapes: %d written, %d already done, %d failed%s in %s (%d workers) → %s%n",
                s.total(),
                s.written(),
                s.skipped(),
                s.failed() + s.previouslyFailed(),
                s.previouslyFailed() > 0 ? " (" + s.previouslyFailed() + " in an earlier run; --retry-failed)" : "",
                Format.seconds(s.seconds()),
                n,
                output);
        if (s.failed() + s.previouslyFailed() > 0) {
            int shown = 0;
            for (ManifestRecord r :
                    Manifest.read(output.resolve(Manifest.FILE)).latest().values()) {
                if (!r.ok() && shown++ < 10) {
                    out.println("  failed: " + r.source() + ": " + r.error());
                }
            }
        }
        out.flush();
        return s.failed() + s.previouslyFailed() > 0 ? Cli.FAILED : Cli.OK;
    }
}
