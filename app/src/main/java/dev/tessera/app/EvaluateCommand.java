package dev.tessera.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.data.dataset.Dataset;
import dev.tessera.geometry.ContactSheet;
import dev.tessera.geometry.MetricsOptions;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.io.AtomicFile;
import dev.tessera.geometry.io.Png;
import dev.tessera.model.Torch;
import dev.tessera.model.vecset.ShapeVae;
import dev.tessera.model.vecset.SurfaceExtraction;
import dev.tessera.model.vecset.VecsetBatcher;
import dev.tessera.model.vecset.VecsetReconstruction;
import dev.tessera.model.vecset.VecsetTrainSettings;
import dev.tessera.model.vecset.VecsetTrainTask;
import dev.tessera.model.vecset.VecsetTraining;
import dev.tessera.model.vecset.VecsetValidator;
import java.io.PrintWriter;
import java.nio.file.Files;
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
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tessera evaluate}: a trained vecset VAE on the held-out shapes of the dataset it was trained on — the
 * training run's validation ({@link VecsetValidator}) on every held-out shape, at the resolution asked for, with a
 * table, a JSON report and a contact sheet.
 */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Measure a trained vecset VAE on the held-out shapes of a prepared dataset: the shapes its run never",
            "trained on (the same split by content hash, from the run's validation share). Each shape is encoded",
            "(posterior mean), decoded to a mesh and compared with the watertight surface prep made it from:",
            "volume IoU, near-surface IoU, Chamfer-L1, F-scores (docs/metrics.md). Prints one line per shape and",
            "the means; optionally writes them as JSON and a contact sheet (reference | reconstruction)."
        })
final class EvaluateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--ckpt", required = true, paramLabel = "RUN", description = "A vecset train-vae run.")
    Path ckpt;

    @Option(names = "--data", required = true, paramLabel = "DATASET", description = "The dataset it trained on.")
    Path data;

    @Option(
            names = "--fraction",
            description = "Validation share of the split (default: the run's, from its vecset.json).")
    Double fraction;

    @Option(
            names = "--shapes",
            paramLabel = "N",
            description = "Evaluate at most N held-out shapes, spread over the sorted ids (default: all).")
    Integer shapes;

    @Option(
            names = "--resolution",
            defaultValue = "128",
            description = "Decoding lattice cells per axis (default: ${DEFAULT-VALUE}).")
    int resolution;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the per-shape metrics and means as JSON.")
    Path json;

    @Option(
            names = "--sheet",
            paramLabel = "PNG",
            description = "Write a contact sheet: each shape's reference beside its reconstruction.")
    Path sheet;

    @Override
    public Integer call() throws Exception {
        if (resolution < 8 || resolution > 1024) {
            throw new ParameterException(spec.commandLine(), "--resolution must be 8 to 1024, got " + resolution);
        }
        if (shapes != null && shapes < 1) {
            throw new ParameterException(spec.commandLine(), "--shapes must be at least 1, got " + shapes);
        }
        double share = fraction != null ? fraction : runFraction();
        if (!(share > 0 && share < 1)) {
            throw new ParameterException(spec.commandLine(), "the validation share must be in (0, 1), got " + share);
        }
        Torch.load();
        Dataset dataset = Dataset.open(data);
        List<String> held = VecsetTrainTask.heldOut(dataset, share);
        if (held.isEmpty()) {
            throw new IllegalArgumentException(
                    data + ": no shape falls in the validation share " + share + " (" + dataset.size() + " samples)");
        }
        List<String> ids = shapes == null ? held : Dataset.spread(held, shapes);
        ShapeVae vae = VecsetReconstruction.load(ckpt);
        vae.eval();
        VecsetBatcher batcher = new VecsetBatcher(
                dataset, vae.config(), VecsetTrainSettings.defaults().queries());
        MetricsOptions metricsOptions = MetricsOptions.defaults();
        VecsetValidator validator = new VecsetValidator(
                batcher, ids, SurfaceExtraction.Options.defaults().withResolution(resolution), metricsOptions);

        PrintWriter o = spec.commandLine().getOut();
        o.printf(
                Locale.ROOT,
                "evaluate: %d of %d held-out shapes (share %.3g of %d), %d³ → %s%n",
                ids.size(),
                held.size(),
                share,
                dataset.size(),
                resolution,
                ckpt);
        String f1 = VecsetValidator.fscoreName(0.01), f2 = VecsetValidator.fscoreName(0.02);
        o.printf(Locale.ROOT, "%-24s %10s %10s %10s %10s %10s%n", "shape", "vol_iou", "near_iou", f1, f2, "chamfer");
        o.flush();
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Map<String, Double>> perShape = new ArrayList<>();
        List<TriangleMesh> cells = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        ProgressBar progress = new ProgressBar(System.err);
        progress.start("evaluate", ids.size());
        try {
            for (int i = 0; i < ids.size(); i++) {
                VecsetValidator.ShapeResult r = validator.evaluate(vae, ids.get(i));
                Map<String, Double> m = r.metrics();
                o.printf(
                        Locale.ROOT,
                        "%-24s %10.4f %10.4f %10.4f %10.4f %10.4f%n",
                        r.id(),
                        m.getOrDefault("volume_iou", Double.NaN),
                        m.getOrDefault("near_surface_iou", Double.NaN),
                        m.getOrDefault(f1, Double.NaN),
                        m.getOrDefault(f2, Double.NaN),
                        m.getOrDefault("chamfer_l1", Double.NaN));
                o.flush();
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", r.id());
                row.putAll(m);
                rows.add(row);
                perShape.add(m);
                if (sheet != null && r.reference() != null) {
                    cells.add(r.reference());
                    captions.add(r.id());
                    cells.add(r.reconstruction());
                    captions.add(String.format(
                            Locale.ROOT,
                            "IoU %.2f F %.2f",
                            m.getOrDefault("volume_iou", Double.NaN),
                            m.getOrDefault(f2, Double.NaN)));
                }
                progress.advance(i + 1, r.id());
            }
        } finally {
            progress.finish();
        }
        Map<String, Double> mean = VecsetValidator.mean(perShape);
        o.printf(
                Locale.ROOT,
                "%-24s %10.4f %10.4f %10.4f %10.4f %10.4f%n",
                "mean (" + ids.size() + ")",
                mean.getOrDefault("volume_iou", Double.NaN),
                mean.getOrDefault("near_surface_iou", Double.NaN),
                mean.getOrDefault(f1, Double.NaN),
                mean.getOrDefault(f2, Double.NaN),
                mean.getOrDefault("chamfer_l1", Double.NaN));
        if (json != null) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("run", ckpt.toString());
            report.put("dataset", data.toString());
            report.put("validation_fraction", share);
            report.put("held_out", held.size());
            report.put("resolution", resolution);
            report.put("mean", mean);
            report.put("shapes", rows);
            AtomicFile.write(json, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(report));
            o.println("evaluate: wrote " + json);
        }
        if (sheet != null) {
            if (cells.isEmpty()) {
                o.println("evaluate: no reference mesh could be rebuilt (sources moved?), so no sheet was written");
            } else {
                int columns = Math.min(6, cells.size());
                Png.write(
                        ContactSheet.grid(
                                cells,
                                captions,
                                30,
                                25,
                                ContactSheet.Options.of(160).withColumns(columns)),
                        sheet);
                o.println("evaluate: wrote " + sheet + " (" + cells.size() / 2 + " pairs: reference | reconstruction)");
            }
        }
        o.flush();
        return Cli.OK;
    }

    /** The validation share the run trained with, from its {@code vecset.json}. */
    private double runFraction() throws java.io.IOException {
        if (!Files.exists(ckpt.resolve(VecsetTraining.SETTINGS))) {
            throw new ParameterException(
                    spec.commandLine(),
                    ckpt + " has no " + VecsetTraining.SETTINGS
                            + " (is it a vecset train-vae run directory?); give the split's share with --fraction");
        }
        return VecsetTraining.saved(ckpt).settings().validationFraction();
    }
}
