package dev.tessera.app;

import dev.tessera.data.dataset.Dataset;
import dev.tessera.data.dataset.Manifest;
import dev.tessera.data.dataset.ManifestRecord;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.sample.SampleValidator;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tessera dataset}: inspect prepared datasets. */
@Command(
        name = "dataset",
        mixinStandardHelpOptions = true,
        description = "Inspect prepared datasets.",
        subcommands = {DatasetCommand.Check.class})
final class DatasetCommand {

    /** {@code tessera dataset check DATASET}. */
    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = {
                "Validate every sample of a dataset against the schema (arrays, shapes, finite values, unit normals,",
                "voxel labels, query signs against the voxel grid) and print statistics. Exit 1 if any sample is invalid."
            })
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "DATASET")
        Path dataset;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Manifest.Contents contents = Manifest.read(dataset.resolve(Manifest.FILE));
            Map<String, ManifestRecord> latest = contents.latest();
            Dataset d = Dataset.open(dataset);
            long failed = latest.values().stream().filter(r -> !r.ok()).count();
            out.printf(
                    "%s: %d shapes in the manifest: %d ok, %d failed%s%n",
                    dataset,
                    latest.size(),
                    d.size(),
                    failed,
                    contents.skippedLines() > 0 ? " (" + contents.skippedLines() + " unreadable lines skipped)" : "");
            int invalid = 0;
            long surface = 0, sharp = 0, queries = 0, sparse = 0, views = 0, bytes = 0, signBad = 0, signChecked = 0;
            int withSharp = 0;
            Map<String, String> problems = new TreeMap<>();
            for (String id : d.ids()) {
                Path f = d.file(id);
                if (!Files.exists(f)) {
                    invalid++;
                    problems.put(id, "sample file missing");
                    continue;
                }
                bytes += Files.size(f);
                try (SafetensorsReader r = SafetensorsReader.open(f)) {
                    SampleValidator.Report rep = SampleValidator.validate(r);
                    if (!rep.valid()) {
                        invalid++;
                        out.println("  invalid: " + id + ": " + String.join("; ", rep.problems()));
                    }
                    surface += rep.surfacePoints();
                    sharp += rep.sharpPoints();
                    withSharp += rep.sharpPoints() > 0 ? 1 : 0;
                    queries += rep.queries();
                    sparse += rep.sparseVoxels();
                    views += rep.views();
                    signBad += rep.signDisagreements();
                    signChecked += rep.signChecked();
                } catch (java.io.IOException e) {
                    invalid++;
                    out.println("  invalid: " + id + ": " + Cli.describe(e));
                }
            }
            problems.forEach((k, v) -> out.println("  invalid: " + k + ": " + v));
            int n = Math.max(1, d.size());
            out.printf(
                    Locale.ROOT,
                    "valid: %d of %d samples, %s on disk%n",
                    d.size() - invalid,
                    d.size(),
                    Format.bytes(bytes));
            out.printf(
                    Locale.ROOT,
                    "per sample: %.0f surface points, %.0f sharp-edge points (%d of %d shapes have sharp"
                            + " edges), %.0f queries, %.0f sparse voxels, %.1f views%n",
                    surface / (double) n,
                    sharp / (double) n,
                    withSharp,
                    d.size(),
                    queries / (double) n,
                    sparse / (double) n,
                    views / (double) n);
            out.printf(
                    Locale.ROOT,
                    "query signs vs voxel grid: %d disagreements in %d checked queries%n",
                    signBad,
                    signChecked);
            out.println("labels: " + d.labelCounts());
            if (failed > 0) {
                Map<String, Integer> reasons = new TreeMap<>();
                latest.values().stream()
                        .filter(r -> !r.ok())
                        .forEach(r -> reasons.merge(String.valueOf(r.error()), 1, Integer::sum));
                out.println("failures:");
                reasons.forEach((k, v) -> out.println("  " + v + " × " + k));
            }
            out.flush();
            return invalid > 0 ? Cli.FAILED : Cli.OK;
        }
    }
}
