package dev.tessera.model.gen;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tessera.data.Progress;
import dev.tessera.data.safetensors.SafetensorsWriter;
import dev.tessera.geometry.ContactSheet;
import dev.tessera.geometry.MeshCheck;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.io.AtomicFile;
import dev.tessera.geometry.io.MeshIO;
import dev.tessera.geometry.io.Png;
import dev.tessera.model.Checkpoint;
import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import dev.tessera.model.cond.Rgba8;
import dev.tessera.model.flow.FlowSampler;
import dev.tessera.model.flow.Guidance;
import dev.tessera.model.flow.Timesteps;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code tessera generate}: noise → the DiT's flow (Euler or Heun, guidance) → latents → the VAE's decoder → marching
 * cubes → meshes, with previews. Everything is written to a temporary directory beside the output and renamed into
 * place at the end, so a failed run leaves nothing.
 *
 * <p>Output: {@code sample-NNN.glb} (and {@code .obj}), {@code sample-NNN.png} (a preview),
 * {@code latents.safetensors} (the sampled latents, VAE space, {@code [K, ...]}), {@code sheet.png} (all previews) and
 * {@code generate.json} (the request, seeds and per-sample mesh checks).
 */
public final class ShapeGenerator {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One generation request.
     *
     * @param className the class to generate ({@code class} models), else {@code null}
     * @param image the condition image ({@code image} models), else {@code null}
     * @param steps solver steps, or {@code null} for the model's default
     * @param cfg guidance scale, or {@code null} for the model's default
     * @param seed sample {@code i}'s noise comes from {@code (seed, i)}
     * @param count how many shapes
     * @param sampler {@code euler} or {@code heun}, or {@code null} for the model's default
     * @param shift timestep shift, or {@code null} for the model's default
     * @param vae the VAE checkpoint to decode with, or {@code null} for the one recorded in the DiT's config
     * @param resolution the decoding grid (VecSet VAEs; the sparse-structure VAE's grid is fixed)
     * @param batch samples per model call
     * @param check a dataset to compare the shapes with ({@link NearestTrainingShape}), or {@code null}
     */
    public record Request(
            String className,
            Path image,
            Integer steps,
            Double cfg,
            long seed,
            int count,
            String sampler,
            Double shift,
            Path vae,
            int resolution,
            int batch,
            Path check) {
        public Request {
            if (count < 1) {
                throw new IllegalArgumentException("--count must be ≥ 1, got " + count);
            }
            if (steps != null && steps < 1) {
                throw new IllegalArgumentException("--steps must be ≥ 1, got " + steps);
            }
            if (className != null && image != null) {
                throw new IllegalArgumentException("give --class or --image, not both");
            }
            if (batch < 1) {
                throw new IllegalArgumentException("--batch must be ≥ 1");
            }
        }

        /** {@code count} shapes with the model's defaults, seed 0. */
        public static Request of(int count) {
            return new Request(null, null, null, null, 0, count, null, null, null, 128, 4, null);
        }

        public Request withClass(String name) {
            return new Request(name, image, steps, cfg, seed, count, sampler, shift, vae, resolution, batch, check);
        }

        public Request withImage(Path p) {
            return new Request(className, p, steps, cfg, seed, count, sampler, shift, vae, resolution, batch, check);
        }

        public Request withSteps(int n) {
            return new Request(className, image, n, cfg, seed, count, sampler, shift, vae, resolution, batch, check);
        }

        public Request withCfg(double w) {
            return new Request(className, image, steps, w, seed, count, sampler, shift, vae, resolution, batch, check);
        }

        public Request withSeed(long s) {
            return new Request(className, image, steps, cfg, s, count, sampler, shift, vae, resolution, batch, check);
        }

        public Request withSampler(String s) {
            return new Request(className, image, steps, cfg, seed, count, s, shift, vae, resolution, batch, check);
        }

        public Request withCheck(Path dataset) {
            return new Request(
                    className, image, steps, cfg, seed, count, sampler, shift, vae, resolution, batch, dataset);
        }

        /** The decoding grid's side (VecSet VAEs). */
        public Request withResolution(int r) {
            return new Request(className, image, steps, cfg, seed, count, sampler, shift, vae, r, batch, check);
        }

        /** Samples per model call. */
        public Request withBatch(int b) {
            return new Request(className, image, steps, cfg, seed, count, sampler, shift, vae, resolution, b, check);
        }

        public Request withVae(Path p) {
            return new Request(className, image, steps, cfg, seed, count, sampler, shift, p, resolution, batch, check);
        }
    }

    /**
     * What a generation wrote: the meshes' files and checks, the contact sheet, and (with {@link Request#check}) each
     * shape's nearest training shape.
     */
    public record Result(
            Path out,
            List<Path> meshes,
            List<MeshCheck> checks,
            Path sheet,
            List<NearestTrainingShape.Match> nearest) {}

    private ShapeGenerator() {}

    /** Loads a {@code train-dit} run (or exported checkpoint) directory: its config and weights (strictly). */
    public static FlowModel load(Path ckpt) throws IOException {
        DiTRunConfig config = Checkpoint.config(ckpt, DiTRunConfig.class);
        FlowModel model = new FlowModel(config, Rng.cpu(0));
        Checkpoint.load(ckpt, model);
        model.eval();
        return model;
    }

    /**
     * The decoder to use with a DiT: the request's VAE or the one the DiT's config records, refused when it is not
     * the VAE whose latents the DiT learned or makes latents of another shape.
     */
    public static LatentDecoder decoderFor(Path ckpt, DiTRunConfig config, Path vaeOverride) throws IOException {
        Path dir = vaeOverride != null
                ? vaeOverride
                : config.vae() == null ? null : Path.of(config.vae().run());
        Path ditJson = ckpt.resolve(Checkpoint.CONFIG);
        if (dir == null) {
            throw new DiTPairException(ditJson + " does not record its VAE; give --vae RUN");
        }
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(
                    dir.toString(), null, "the VAE of " + ditJson + " is not there; give its new place with --vae RUN");
        }
        LatentDecoder d = LatentDecoders.open(dir);
        Path vaeJson = dir.resolve(Checkpoint.CONFIG);
        if (config.vae() != null && !config.vae().sameVae(d.reference())) {
            boolean sameConfig = config.vae().config() != null
                    && config.vae().config().equals(d.reference().config());
            throw new DiTPairException("the DiT " + ditJson + " learned the latents of the VAE "
                    + config.vae().run()
                    + "; " + vaeJson + (sameConfig ? " has other weights" : " has another config")
                    + ": decode with the VAE the latents were encoded with");
        }
        if (!Arrays.equals(d.latentShape(), config.shape()) || d.kind() != config.kind()) {
            throw new DiTPairException(
                    "the DiT " + ditJson + " generates " + config.kind().id() + " latents "
                            + config.latentShape() + ", the VAE " + vaeJson + " decodes "
                            + d.kind().id() + " "
                            + Arrays.toString(d.latentShape()));
        }
        return d;
    }

    /** Generates {@code request.count()} shapes from the DiT in {@code ckpt} into the new directory {@code out}. */
    public static Result generate(Path ckpt, Request request, Path out, Progress progress) throws IOException {
        if (Files.exists(out)) {
            try (Stream<Path> s = Files.list(out)) {
                if (s.findAny().isPresent()) {
                    throw new IOException(out + " already exists and is not empty; choose another --out");
                }
            } catch (java.nio.file.NotDirectoryException e) {
                throw new IOException(out + " is a file; choose a directory for --out");
            }
        }
        FlowModel model = load(ckpt);
        DiTRunConfig config = model.config();
        LatentDecoder decoder = decoderFor(ckpt, config, request.vae());
        SamplingDefaults d = config.sampling();
        int steps = request.steps() != null ? request.steps() : d.steps();
        double cfg = request.cfg() != null ? request.cfg() : d.cfg();
        String samplerName = request.sampler() != null ? request.sampler() : d.sampler();
        double shift = request.shift() != null ? request.shift() : d.shift();
        FlowSampler sampler = FlowSampler.of(samplerName);
        if (cfg != 1.0 && !config.hasNullCondition()) {
            throw new IllegalArgumentException("--cfg " + cfg + " needs a model that learned a null condition; "
                    + (config.condition().equals("none")
                            ? "this DiT is unconditional"
                            : "this DiT was trained without condition dropout (cond_dropout 0)")
                    + ": use --cfg 1");
        }
        Guidance guidance = new Guidance(cfg, d.cfgMin(), d.cfgMax());
        double[] times = Timesteps.uniform(steps, shift);

        Rgba8 image = null;
        int label = -1;
        switch (config.condition()) {
            case "class" -> {
                if (request.className() == null) {
                    throw new IllegalArgumentException(
                            "this DiT is class-conditioned: give --class NAME, one of " + config.classNames());
                }
                label = config.classIndex(request.className());
            }
            case "image" -> {
                if (request.image() == null) {
                    throw new IllegalArgumentException("this DiT is image-conditioned: give --image FILE");
                }
                image = readImage(request.image());
                try (StepScope s = new StepScope()) {
                    model.imageConditioner().pixels(image); // preprocess once now: a bad image fails before any work
                } catch (IllegalArgumentException e) {
                    throw new IOException(request.image() + ": " + e.getMessage());
                }
            }
            default -> {
                if (request.className() != null || request.image() != null) {
                    throw new IllegalArgumentException("this DiT is unconditional: drop --class and --image");
                }
            }
        }

        NearestTrainingShape nn = request.check() == null
                ? null
                : NearestTrainingShape.of(dev.tessera.data.dataset.Dataset.open(request.check()), 2048, request.seed());

        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + out.getFileName() + ".tmp-");
        try {
            progress.start("generate", request.count());
            List<float[]> latents = new ArrayList<>();
            List<TriangleMesh> meshes = new ArrayList<>();
            List<MeshCheck> checks = new ArrayList<>();
            List<Path> files = new ArrayList<>();
            List<String> captions = new ArrayList<>();
            long[] shape = config.shape();
            for (int first = 0; first < request.count(); first += request.batch()) {
                int b = Math.min(request.batch(), request.count() - first);
                List<float[]> z =
                        sampleBatch(model, config, sampler, times, guidance, request.seed(), first, b, label, image);
                for (int i = 0; i < b; i++) {
                    int index = first + i;
                    TriangleMesh mesh;
                    try (StepScope s = new StepScope()) {
                        mesh = decoder.mesh(Tensors.fromFloats(z.get(i), shape), request.resolution());
                    } catch (LatentDecoder.EmptyShapeException e) {
                        throw new IOException(
                                "sample " + index + " (seed " + request.seed() + "): " + e.getMessage()
                                        + "; the DiT may be undertrained — try more training, another --seed or --cfg",
                                e);
                    }
                    String name = String.format(Locale.ROOT, "sample-%03d", index);
                    Path glb = tmp.resolve(name + ".glb");
                    MeshIO.write(glb, mesh);
                    MeshIO.write(tmp.resolve(name + ".obj"), mesh);
                    String caption = (request.className() != null ? request.className() + " " : "") + "#" + index;
                    Png.write(preview(List.of(mesh), List.of(caption), 256), tmp.resolve(name + ".png"));
                    latents.add(z.get(i));
                    meshes.add(mesh);
                    checks.add(MeshCheck.of(mesh));
                    files.add(out.resolve(name + ".glb"));
                    captions.add(caption);
                    progress.advance(index + 1, null);
                }
            }
            List<NearestTrainingShape.Match> nearest = new ArrayList<>();
            if (nn != null) {
                for (TriangleMesh m : meshes) {
                    nearest.add(nn.nearest(m));
                }
            }
            writeLatents(tmp.resolve("latents.safetensors"), latents, shape);
            Png.write(preview(meshes, captions, 192), tmp.resolve("sheet.png"));
            writeReport(tmp.resolve("generate.json"), ckpt, request, steps, cfg, samplerName, shift, checks, nearest);
            if (Files.exists(out)) {
                Files.delete(out); // empty, checked above
            }
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            return new Result(out, files, checks, out.resolve("sheet.png"), nearest);
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            throw e;
        } finally {
            progress.finish();
        }
    }

    /** Samples {@code b} latents (VAE space) starting at sample index {@code first}. */
    static List<float[]> sampleBatch(
            FlowModel model,
            DiTRunConfig config,
            FlowSampler sampler,
            double[] times,
            Guidance guidance,
            long seed,
            int first,
            int b,
            int label,
            Rgba8 image) {
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            Tensor noise = FlowSampler.noise(seed, first, b, config.shape()); // [b, ...]
            Tensor cond = switch (config.condition()) {
                case "class" -> {
                    long[] l = new long[b];
                    Arrays.fill(l, label);
                    yield model.classCondition(l); // [b]
                }
                case "image" -> {
                    Tensor px = model.imageConditioner().pixels(image); // [1, 3, S, S]
                    yield model.encodeImages(px).expand(b, -1, -1).contiguous(); // [b, T, W]
                }
                default -> null;
            };
            Tensor uncond = guidance.scale() != 1.0 ? model.nullCondition(b) : null;
            Tensor z = sampler.sample(model, noise, times, cond, uncond, guidance); // [b, ...]
            Tensor latents = config.normalization().denormalize(z); // [b, ...]
            List<float[]> out = new ArrayList<>();
            for (int i = 0; i < b; i++) {
                out.add(Tensors.toFloats(latents.select(0, i)));
            }
            return out;
        }
    }

    /** Reads a condition image; any format ImageIO reads (PNG, JPEG, BMP, GIF). */
    public static Rgba8 readImage(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "the condition image does not exist");
        }
        BufferedImage im;
        try {
            im = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": cannot read the image (" + e.getMessage() + ")", e);
        }
        if (im == null) {
            throw new IOException(file + ": not an image this JVM reads (PNG, JPEG, BMP, GIF)");
        }
        return Rgba8.of(im);
    }

    private static BufferedImage preview(List<TriangleMesh> meshes, List<String> captions, int cell) {
        return ContactSheet.grid(meshes, captions, 30, 25, ContactSheet.Options.of(cell));
    }

    private static void writeLatents(Path file, List<float[]> latents, long[] shape) throws IOException {
        long per = 1;
        for (long d : shape) {
            per *= d;
        }
        float[] all = new float[Math.toIntExact(per * latents.size())];
        for (int i = 0; i < latents.size(); i++) {
            System.arraycopy(latents.get(i), 0, all, Math.toIntExact(i * per), (int) per);
        }
        long[] s = new long[shape.length + 1];
        s[0] = latents.size();
        System.arraycopy(shape, 0, s, 1, shape.length);
        new SafetensorsWriter()
                .metadata("format", "pt")
                .addFloats("latents", all, s)
                .write(file);
    }

    private static void writeReport(
            Path file,
            Path ckpt,
            Request r,
            int steps,
            double cfg,
            String sampler,
            double shift,
            List<MeshCheck> checks,
            List<NearestTrainingShape.Match> nearest)
            throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("checkpoint", ckpt.toAbsolutePath().normalize().toString());
        if (r.className() != null) {
            m.put("class", r.className());
        }
        if (r.image() != null) {
            m.put("image", r.image().toAbsolutePath().normalize().toString());
        }
        m.put("count", r.count());
        m.put("seed", r.seed());
        m.put("sampler", sampler);
        m.put("steps", steps);
        m.put("shift", shift);
        m.put("cfg", cfg);
        List<Map<String, Object>> samples = new ArrayList<>();
        for (int i = 0; i < checks.size(); i++) {
            MeshCheck c = checks.get(i);
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("index", i);
            one.put("noise_seed", FlowSampler.sampleSeed(r.seed(), i));
            one.put("closed", c.isClosed());
            one.put("watertight", c.isWatertight());
            if (!nearest.isEmpty()) {
                NearestTrainingShape.Match n = nearest.get(i);
                Map<String, Object> nm = new LinkedHashMap<>();
                nm.put("id", n.id());
                nm.put("label", n.label());
                nm.put("chamfer_l2", n.chamferL2());
                nm.put("best_per_class", n.bestPerClass());
                one.put("nearest_training_shape", nm);
            }
            samples.add(one);
        }
        if (r.check() != null) {
            m.put("check_dataset", r.check().toAbsolutePath().normalize().toString());
        }
        m.put("samples", samples);
        AtomicFile.write(file, JSON.writeValueAsBytes(m));
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        } catch (IOException ignored) {
            // best effort: a leftover temporary directory is hidden (its name starts with '.')
        }
    }
}
