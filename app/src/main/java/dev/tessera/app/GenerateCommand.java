package dev.tessera.app;

import dev.tessera.geometry.MeshCheck;
import dev.tessera.model.Torch;
import dev.tessera.model.gen.ShapeGenerator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera generate}: shapes from a trained DiT, decoded by its VAE. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = {
            "Generate shapes with a train-dit run. Samples latents (rectified-flow ODE, Euler or Heun,",
            "classifier-free guidance), decodes them with the run's VAE, extracts meshes, and writes",
            "sample-NNN.glb/.obj/.png, sheet.png, latents.safetensors and generate.json to a new directory",
            "(nothing is written if anything fails)."
        })
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--ckpt", required = true, paramLabel = "RUN2", description = "A train-dit run directory.")
    Path ckpt;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "New directory for the shapes.")
    Path out;

    @Option(names = "--class", paramLabel = "NAME", description = "The class to generate (class-conditioned models).")
    String className;

    @Option(names = "--image", paramLabel = "IMG", description = "The condition image (image-conditioned models).")
    Path image;

    @Option(names = "--steps", description = "Solver steps (default: the model's, 25).")
    Integer steps;

    @Option(names = "--cfg", description = "Classifier-free guidance scale, 1 for none (default: the model's, 7.5).")
    Double cfg;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description = "Seed; sample i uses (seed, i) (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--count", defaultValue = "4", description = "Number of shapes (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--sampler", description = "euler or heun (default: the model's, euler).")
    String sampler;

    @Option(names = "--shift", description = "Timestep shift, 1 for a uniform grid (default: the model's, 1).")
    Double shift;

    @Option(
            names = "--vae",
            paramLabel = "RUN",
            description = "The VAE to decode with (default: the one the DiT records).")
    Path vae;

    @Option(
            names = "--resolution",
            defaultValue = "128",
            description = "Decoding grid of VecSet VAEs (default: ${DEFAULT-VALUE}).")
    int resolution;

    @Option(
            names = "--check",
            paramLabel = "DATASET",
            description = "Compare each shape with the training shapes of DATASET: its nearest one by Chamfer distance"
                    + " and that shape's class (in generate.json).")
    Path check;

    @Option(names = "--batch", defaultValue = "4", description = "Samples per model call (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() throws Exception {
        Torch.load();
        ShapeGenerator.Request r;
        try {
            r = new ShapeGenerator.Request(
                    className, image, steps, cfg, seed, count, sampler, shift, vae, resolution, batch, check);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        ShapeGenerator.Result res = ShapeGenerator.generate(ckpt, r, out, new ProgressBar(System.err));
        PrintWriter o = spec.commandLine().getOut();
        int closed = 0;
        for (MeshCheck c : res.checks()) {
            closed += c.isClosed() ? 1 : 0;
        }
        o.printf(
                Locale.ROOT,
                "wrote %d shapes (%d closed) to %s; contact sheet %s%n",
                res.meshes().size(),
                closed,
                res.out(),
                res.sheet());
        if (!res.nearest().isEmpty()) {
            java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
            for (var n : res.nearest()) {
                counts.merge(n.label() == null ? "(none)" : n.label(), 1, Integer::sum);
            }
            o.printf(Locale.ROOT, "nearest training shapes by class: %s%n", counts);
        }
        o.flush();
        return Cli.OK;
    }
}
