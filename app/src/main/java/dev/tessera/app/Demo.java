package dev.tessera.app;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tessera.data.Progress;
import dev.tessera.data.dataset.Dataset;
import dev.tessera.data.prep.MeshSampleBuilder;
import dev.tessera.data.prep.PrepInputs;
import dev.tessera.data.prep.PrepJob;
import dev.tessera.data.prep.PrepOptions;
import dev.tessera.data.synth.ShapeClass;
import dev.tessera.data.synth.SyntheticShapes;
import dev.tessera.geometry.ContactSheet;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.io.AtomicFile;
import dev.tessera.geometry.io.MeshIO;
import dev.tessera.geometry.io.Png;
import dev.tessera.model.Torch;
import dev.tessera.model.flow.RectifiedFlow;
import dev.tessera.model.gen.DiTTraining;
import dev.tessera.model.gen.LatentDecoder;
import dev.tessera.model.gen.NearestTrainingShape;
import dev.tessera.model.gen.SamplingDefaults;
import dev.tessera.model.gen.ShapeGenerator;
import dev.tessera.model.latent.LatentEncoding;
import dev.tessera.model.train.TrainOptions;
import dev.tessera.model.train.Trainer;
import dev.tessera.model.vecset.ShapeVaeConfig;
import dev.tessera.model.vecset.VecsetTrainSettings;
import dev.tessera.model.vecset.VecsetTraining;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The end-to-end demo ({@code tessera demo}): synthesise a small labelled dataset → prep → train a tiny vecset VAE →
 * encode → train a tiny class-conditioned DiT → generate shapes of every class → GLB files, a contact sheet, and an
 * HTML page with the pictures and both loss curves. Every stage is the public Java call its command is a layer over.
 *
 * <p>Layout of the output directory:
 *
 * <pre>
 * OUT/demo.json            the settings (a re-run with other settings is refused)
 * OUT/shapes/              the synthetic meshes and labels.csv        (tessera synth)
 * OUT/dataset/             the training samples                       (tessera prep)
 * OUT/vae/                 the VAE run, loss.png                      (tessera train-vae)
 * OUT/latents/             the latent set                             (tessera encode)
 * OUT/dit/                 the DiT run, loss.png                      (tessera train-dit)
 * OUT/generated/CLASS/     sample-NNN.glb/.obj/.png, generate.json    (tessera generate --check)
 * OUT/sheet.png            one row per class: a training shape, then the generated ones
 * OUT/summary.json         this run's timings, the losses and the nearest-training-shape check
 * OUT/index.html           the page with all of it
 * </pre>
 *
 * <p>A re-run with the same directory continues where the last one stopped: prep skips finished samples, training
 * resumes from its latest checkpoint (a finished run is not trained again), encode keeps its latents, and a class
 * whose shapes were generated is not generated again.
 */
final class Demo {
    static final String SETTINGS = "demo.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Demo() {}

    /**
     * The sizes of a demo run.
     *
     * @param classes the shape classes (labels of {@link ShapeClass})
     * @param shapesPerClass synthetic training shapes per class
     * @param synthResolution meshing resolution of the synthetic shapes
     * @param prepResolution watertight remeshing resolution of prep
     * @param surfacePoints surface points per sample (and half as many sharp-edge points)
     * @param queriesPerSigma near-surface queries per sample and band (two bands), and the near-sharp ones
     * @param volumePoints uniform volume queries per sample
     * @param vaeSteps VAE optimiser steps
     * @param vaeLr VAE peak learning rate
     * @param vaeBatch shapes per VAE step
     * @param vaeQueries supervised queries per shape and step: near, near-sharp, volume
     * @param ditSteps DiT optimiser steps
     * @param ditLr DiT peak learning rate
     * @param ditBatch latents per DiT step
     * @param perClass generated shapes per class
     * @param sampleSteps flow solver steps
     * @param cfg classifier-free guidance scale
     * @param resolution decoding grid of the generated shapes
     * @param seed seed of every random draw
     */
    record Settings(
            List<String> classes,
            @JsonProperty("shapes_per_class") int shapesPerClass,
            @JsonProperty("synth_resolution") int synthResolution,
            @JsonProperty("prep_resolution") int prepResolution,
            @JsonProperty("surface_points") int surfacePoints,
            @JsonProperty("queries_per_sigma") int queriesPerSigma,
            @JsonProperty("volume_points") int volumePoints,
            @JsonProperty("vae_steps") int vaeSteps,
            @JsonProperty("vae_lr") double vaeLr,
            @JsonProperty("vae_batch") int vaeBatch,
            @JsonProperty("vae_queries") List<Integer> vaeQueries,
            @JsonProperty("dit_steps") int ditSteps,
            @JsonProperty("dit_lr") double ditLr,
            @JsonProperty("dit_batch") int ditBatch,
            @JsonProperty("per_class") int perClass,
            @JsonProperty("sample_steps") int sampleSteps,
            double cfg,
            int resolution,
            long seed) {
        Settings {
            classes = List.copyOf(classes);
            vaeQueries = List.copyOf(vaeQueries);
            if (classes.size() < 2) {
                throw new IllegalArgumentException("the demo needs at least two classes, got " + classes);
            }
            for (String c : classes) {
                ShapeClass.ofLabel(c); // a clear error for an unknown class
            }
            if (vaeQueries.size() != 3) {
                throw new IllegalArgumentException("vae_queries takes three counts, got " + vaeQueries);
            }
        }

        /** The full demo: four classes, 12 shapes each; under 15 minutes on 2 cores. */
        static Settings full() {
            return new Settings(
                    List.of("torus", "cone", "box", "sphere"),
                    12,
                    64,
                    64,
                    2048,
                    2048,
                    4096,
                    1400,
                    2e-3,
                    4,
                    List.of(512, 256, 512),
                    2500,
                    1e-3,
                    16,
                    4,
                    25,
                    3.0,
                    48,
                    0);
        }

        /** The CI smoke test: the same pipeline at a size that runs in under 3 minutes. */
        static Settings quick() {
            return new Settings(
                    List.of("torus", "cone"),
                    4,
                    40,
                    40,
                    1024,
                    1024,
                    2048,
                    300,
                    2e-3,
                    4,
                    List.of(256, 128, 256),
                    500,
                    1e-3,
                    8,
                    2,
                    10,
                    3.0,
                    40,
                    0);
        }

        /** Total synthetic shapes. */
        int shapes() {
            return shapesPerClass * classes.size();
        }

        PrepOptions prep() {
            return new PrepOptions.Builder()
                    .watertightResolution(prepResolution)
                    .surfacePoints(surfacePoints)
                    .sharpPoints(surfacePoints / 2)
                    .nearSigmas(List.of(0.005, 0.02))
                    .nearPointsPerSigma(queriesPerSigma)
                    .nearSharpPoints(queriesPerSigma)
                    .volumePoints(volumePoints)
                    .sparseResolution(0)
                    .views(0, 64, false)
                    .seed(seed)
                    .build();
        }

        VecsetTraining.Plan vaePlan() {
            VecsetTrainSettings s = VecsetTrainSettings.defaults()
                    .withBatchSize(vaeBatch)
                    .withQueries(vaeQueries.get(0), vaeQueries.get(1), vaeQueries.get(2))
                    .withValidation(0, 0, 32, 1000);
            TrainOptions t = TrainOptions.defaults(vaeSteps, vaeLr)
                    .withWarmup(Math.max(1, vaeSteps / 30))
                    .withCheckpointEvery(Math.max(1, vaeSteps / 3))
                    .withValidateEvery(0)
                    .withSeed(seed);
            return new VecsetTraining.Plan(ShapeVaeConfig.tiny(), s, t);
        }

        TrainOptions ditOptions() {
            return TrainOptions.defaults(ditSteps, ditLr)
                    .withWarmup(Math.max(1, ditSteps / 20))
                    .withEma(0.995)
                    .withCheckpointEvery(Math.max(1, ditSteps / 3))
                    .withSeed(seed);
        }

        DiTTraining.Options ditPlan() {
            return new DiTTraining.Options(
                    "vecset",
                    "class",
                    "tiny",
                    ditBatch,
                    "channel",
                    RectifiedFlow.defaults(),
                    null,
                    112,
                    null,
                    new SamplingDefaults("euler", sampleSteps, 1.0, cfg, 0, 1));
        }
    }

    /**
     * What a demo run produced.
     *
     * @param out the output directory
     * @param page {@code index.html}
     * @param sheet the contact sheet
     * @param meshes the generated GLB files, per class
     * @param confusion per generated class, how many shapes were nearest (Chamfer) to a training shape of each class
     * @param seeds the sampling seed of each class (the demo's seed, or the next ones when a sample was empty)
     * @param chamfer per generated class, the mean over its shapes of the Chamfer-L2 distance to the nearest training
     *     shape of each class
     * @param accuracy the share of generated shapes whose nearest training shape has their class
     * @param stageSeconds wall time per stage in this run (near 0 for a stage a re-run skipped)
     * @param seconds total wall time
     */
    record Result(
            Path out,
            Path page,
            Path sheet,
            Map<String, List<Path>> meshes,
            Map<String, Map<String, Integer>> confusion,
            Map<String, Long> seeds,
            Map<String, Map<String, Double>> chamfer,
            double accuracy,
            Map<String, Double> stageSeconds,
            double seconds) {}

    private static final String[] STAGES = {"synth", "prep", "train VAE", "encode", "train DiT", "generate", "report"};

    /** Runs (or continues) the demo into {@code out}. */
    static Result run(Settings s, Path out, Progress bar) throws Exception {
        Torch.load();
        long t0 = System.nanoTime();
        Files.createDirectories(out);
        checkSettings(s, out);
        StagedProgress p = new StagedProgress(bar, STAGES.length);
        Map<String, Double> seconds = new LinkedHashMap<>();
        Path shapes = out.resolve("shapes"), data = out.resolve("dataset"), vae = out.resolve("vae");
        Path latents = out.resolve("latents"), dit = out.resolve("dit"), gen = out.resolve("generated");
        List<ShapeClass> classes = s.classes().stream().map(ShapeClass::ofLabel).toList();

        long t = System.nanoTime();
        p.stage(STAGES[0]);
        SyntheticShapes.generate(
                shapes, s.shapes(), s.seed(), new ArrayList<>(classes), s.synthResolution(), MeshIO.Format.PLY, p);
        seconds.put("synth", since(t));

        t = System.nanoTime();
        p.stage(STAGES[1]);
        int workers = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
        PrepJob.Summary prep = new PrepJob(
                        data, s.prep(), new MeshSampleBuilder(), workers, false, VersionProvider.version())
                .run(PrepInputs.find(List.of(shapes.toString()), null), p);
        if (prep.failed() + prep.previouslyFailed() > 0) {
            throw new IOException((prep.failed() + prep.previouslyFailed()) + " of " + prep.total()
                    + " synthetic shapes failed to prepare; see " + data.resolve("manifest.jsonl"));
        }
        Dataset dataset = Dataset.open(data);
        seconds.put("prep", since(t));

        t = System.nanoTime();
        p.stage(STAGES[2]);
        VecsetTraining.Plan plan = s.vaePlan();
        if (!finished(vae, plan.options().steps())) {
            VecsetTraining.train(dataset, vae, plan, Trainer.latestCheckpoint(vae) != null, p);
        }
        seconds.put("train VAE", since(t));

        t = System.nanoTime();
        p.stage(STAGES[3]);
        LatentEncoding.encode(
                vae, dataset, latents, LatentEncoding.Options.mean().withSeed(s.seed()), true, p);
        seconds.put("encode", since(t));

        t = System.nanoTime();
        p.stage(STAGES[4]);
        TrainOptions ditOptions = s.ditOptions();
        if (!finished(dit, ditOptions.steps())) {
            DiTTraining.train(latents, vae, s.ditPlan(), ditOptions, dit, Trainer.latestCheckpoint(dit) != null, p);
        }
        seconds.put("train DiT", since(t));

        t = System.nanoTime();
        p.stage(STAGES[5]);
        Map<String, ShapeGenerator.Result> generated = new LinkedHashMap<>();
        Map<String, List<Path>> meshes = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> confusion = new LinkedHashMap<>();
        Map<String, Long> seeds = new LinkedHashMap<>();
        Map<String, Map<String, Double>> chamfer = new LinkedHashMap<>();
        NearestTrainingShape nearest = NearestTrainingShape.of(dataset, 2048, s.seed());
        int right = 0, all = 0;
        for (String c : s.classes()) {
            Path dir = gen.resolve(c);
            // a short run may sample a latent that decodes to nothing: then the class is sampled again with the next
            // seed (the seed used is in generated/CLASS/generate.json and on the page)
            for (int attempt = 0; !Files.exists(dir.resolve("generate.json")); attempt++) {
                try {
                    ShapeGenerator.generate(
                            dit,
                            ShapeGenerator.Request.of(s.perClass())
                                    .withClass(c)
                                    .withSteps(s.sampleSteps())
                                    .withCfg(s.cfg())
                                    .withSeed(s.seed() + attempt)
                                    .withResolution(s.resolution()),
                            dir,
                            p);
                } catch (IOException e) {
                    if (!(e.getCause() instanceof LatentDecoder.EmptyShapeException) || attempt >= 4) {
                        throw e;
                    }
                }
            }
            seeds.put(
                    c,
                    JSON.readTree(dir.resolve("generate.json").toFile())
                            .path("seed")
                            .asLong(s.seed()));
            List<Path> files = new ArrayList<>();
            Map<String, Integer> row = new TreeMap<>();
            for (String k : s.classes()) {
                row.put(k, 0);
            }
            Map<String, Double> dist = new TreeMap<>();
            for (int i = 0; i < s.perClass(); i++) {
                Path glb = dir.resolve(String.format(Locale.ROOT, "sample-%03d.glb", i));
                files.add(glb);
                NearestTrainingShape.Match m = nearest.nearest(MeshIO.read(glb));
                String got = m.label();
                row.merge(got, 1, Integer::sum);
                m.bestPerClass().forEach((k, v) -> dist.merge(k, v / s.perClass(), Double::sum));
                right += c.equals(got) ? 1 : 0;
                all++;
            }
            meshes.put(c, files);
            confusion.put(c, row);
            chamfer.put(c, dist);
        }
        seconds.put("generate", since(t));

        t = System.nanoTime();
        p.stage(STAGES[6]);
        p.start("", 2);
        Path sheet = out.resolve("sheet.png");
        writeSheet(s, shapes, meshes, sheet);
        p.advance(1, null);
        double accuracy = all == 0 ? 0 : (double) right / all;
        seconds.put("report", since(t));
        double total = since(t0);
        Result r = new Result(
                out, out.resolve("index.html"), sheet, meshes, confusion, seeds, chamfer, accuracy, seconds, total);
        writeSummary(s, r, dataset);
        writePage(s, r, dataset);
        p.advance(2, null);
        p.finish();
        return r;
    }

    private static double since(long t) {
        return (System.nanoTime() - t) / 1e9;
    }

    /** True when the run in {@code dir} finished all {@code steps}: its last checkpoint is the last step. */
    static boolean finished(Path dir, int steps) throws IOException {
        Path latest = Trainer.latestCheckpoint(dir);
        return latest != null
                && latest.getFileName().toString().equals(String.format(Locale.ROOT, "step-%07d", steps - 1))
                && Files.exists(dir.resolve(dev.tessera.model.Checkpoint.WEIGHTS));
    }

    /** Writes {@code demo.json}, or refuses a directory that holds a demo run of other settings. */
    private static void checkSettings(Settings s, Path out) throws IOException {
        Path file = out.resolve(SETTINGS);
        JsonNode want = JSON.valueToTree(s);
        if (Files.exists(file)) {
            Settings have;
            try {
                have = JSON.readValue(file.toFile(), Settings.class);
            } catch (IOException | RuntimeException e) {
                have = null;
            }
            if (!s.equals(have)) {
                throw new IllegalStateException(out + " holds a demo run with other settings (" + file
                        + "); use another --out, or the same options as that run (--quick or not)");
            }
            return;
        }
        try (var list = Files.list(out)) {
            if (list.findAny().isPresent()) {
                throw new IllegalStateException(
                        out + " is not empty and holds no " + SETTINGS + ": choose a new or empty directory for --out");
            }
        }
        AtomicFile.write(file, JSON.writeValueAsBytes(want));
    }

    /** One row per class: a training shape of the class, then the generated ones. */
    private static void writeSheet(Settings s, Path shapes, Map<String, List<Path>> meshes, Path file)
            throws IOException {
        List<TriangleMesh> cells = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (var e : meshes.entrySet()) {
            cells.add(MeshIO.read(firstTrainingShape(shapes, e.getKey())));
            labels.add("training " + e.getKey());
            int i = 0;
            for (Path glb : e.getValue()) {
                cells.add(MeshIO.read(glb));
                labels.add(e.getKey() + " #" + i++);
            }
        }
        var image = ContactSheet.grid(
                cells, labels, 30, 25, ContactSheet.Options.of(160).withColumns(s.perClass() + 1));
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Png.write(image, tmp);
        Files.move(
                tmp,
                file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static Path firstTrainingShape(Path shapes, String label) throws IOException {
        try (var files = Files.list(shapes.resolve(label))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".ply"))
                    .sorted()
                    .findFirst()
                    .orElseThrow(() -> new IOException(shapes.resolve(label) + " holds no training shape"));
        }
    }

    private static void writeSummary(Settings s, Result r, Dataset dataset) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("settings", s);
        m.put("shapes", dataset.size());
        m.put("seconds", r.seconds());
        m.put("stage_seconds", r.stageSeconds());
        m.put("vae_last_loss", lastLoss(r.out().resolve("vae/metrics.jsonl")));
        m.put("dit_last_loss", lastLoss(r.out().resolve("dit/metrics.jsonl")));
        m.put("sampling_seeds", r.seeds());
        m.put("nearest_class", r.confusion());
        m.put("nearest_class_accuracy", r.accuracy());
        m.put("mean_chamfer_to_class", r.chamfer());
        AtomicFile.write(r.out().resolve("summary.json"), JSON.writeValueAsBytes(m));
    }

    /** The mean training loss of the last tenth of the logged steps (a smoother figure than the last step's). */
    static double lastLoss(Path metrics) throws IOException {
        List<Double> losses = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) {
            JsonNode n = JSON.readTree(line);
            if (n.has("loss")) {
                losses.add(n.get("loss").asDouble());
            }
        }
        if (losses.isEmpty()) {
            return Double.NaN;
        }
        int k = Math.max(1, losses.size() / 10);
        return losses.subList(losses.size() - k, losses.size()).stream()
                .mapToDouble(Double::doubleValue)
                .average()
                .orElse(Double.NaN);
    }

    private static void writePage(Settings s, Result r, Dataset dataset) throws IOException {
        HtmlReport page = new HtmlReport("Tessera demo: class-conditioned 3D shape generation");
        page.text("Synthetic labelled shapes → prep → a tiny vecset VAE → latents → a tiny class-conditioned DiT "
                + "trained with rectified flow → " + s.perClass() + " shapes per class, sampled with "
                + s.sampleSteps() + " Euler steps and guidance " + s.cfg() + ", decoded at " + s.resolution()
                + "³ and meshed by marching cubes.");
        page.section("Generated shapes");
        page.text("Each row: the first training shape of the class, then the generated shapes of that class.");
        page.image("sheet.png", "training shape | generated shapes, one row per class");
        for (var e : r.meshes().entrySet()) {
            Map<String, String> links = new LinkedHashMap<>();
            for (Path glb : e.getValue()) {
                links.put(
                        glb.getFileName().toString(),
                        r.out().relativize(glb).toString().replace('\\', '/'));
            }
            long seed = r.seeds().getOrDefault(e.getKey(), s.seed());
            page.links(e.getKey() + (seed == s.seed() ? "" : " (seed " + seed + ")") + " (GLB):", links);
        }
        page.section("Check: nearest training shape");
        page.text("Each generated shape is compared with every training shape by symmetric Chamfer distance "
                + "(2048 surface points each); the class of the nearest one should be the class asked for.");
        List<String> header = new ArrayList<>();
        header.add("asked for ↓ / nearest →");
        header.addAll(s.classes());
        List<List<String>> rows = new ArrayList<>();
        for (var e : r.confusion().entrySet()) {
            List<String> row = new ArrayList<>();
            row.add(e.getKey());
            for (String c : s.classes()) {
                row.add(String.valueOf(e.getValue().getOrDefault(c, 0)));
            }
            rows.add(row);
        }
        page.grid(header, rows);
        List<List<String>> dRows = new ArrayList<>();
        for (var e : r.chamfer().entrySet()) {
            List<String> row = new ArrayList<>();
            row.add(e.getKey());
            for (String c : s.classes()) {
                row.add(String.format(Locale.ROOT, "%.4f", e.getValue().getOrDefault(c, Double.NaN)));
            }
            dRows.add(row);
        }
        page.text("Mean Chamfer-L2 distance from the generated shapes of a class (rows) to the nearest training shape"
                + " of each class (columns); the diagonal should be the smallest of each row:");
        List<String> dHeader = new ArrayList<>();
        dHeader.add("generated ↓ / training →");
        dHeader.addAll(s.classes());
        page.grid(dHeader, dRows);
        page.text(String.format(
                Locale.ROOT,
                "Accuracy: %.0f %% (chance: %.0f %%).",
                100 * r.accuracy(),
                100.0 / s.classes().size()));
        page.section("Training");
        page.image("vae/loss.png", "VAE loss");
        page.image("dit/loss.png", "DiT loss");
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put(
                "shapes",
                dataset.size() + " (" + s.shapesPerClass() + " per class: " + String.join(", ", s.classes()) + ")");
        facts.put(
                "VAE",
                String.format(
                        Locale.ROOT,
                        "tiny vecset, %d steps, last loss %.4f",
                        s.vaeSteps(),
                        lastLoss(r.out().resolve("vae/metrics.jsonl"))));
        facts.put(
                "DiT",
                String.format(
                        Locale.ROOT,
                        "tiny vecset DiT, class-conditioned, %d steps, last loss %.4f",
                        s.ditSteps(),
                        lastLoss(r.out().resolve("dit/metrics.jsonl"))));
        for (var e : r.stageSeconds().entrySet()) {
            facts.put("time of this run: " + e.getKey(), Format.seconds(e.getValue()));
        }
        facts.put("time of this run: total", Format.seconds(r.seconds()));
        page.table(facts);
        page.section("Files");
        Map<String, String> dirs = new LinkedHashMap<>();
        for (String d : List.of("shapes", "dataset", "vae", "latents", "dit", "generated")) {
            dirs.put(d + "/", d + "/");
        }
        dirs.put("summary.json", "summary.json");
        dirs.put("demo.json", "demo.json");
        page.links("Directories:", dirs);
        page.write(r.page());
    }
}
