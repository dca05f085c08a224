package dev.tessera.app;

import dev.tessera.data.dataset.Dataset;
import dev.tessera.model.Torch;
import dev.tessera.model.latent.LatentEncoding;
import dev.tessera.model.latent.Posterior;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tessera encode}: a prepared dataset → a latent set (a thin layer over {@link LatentEncoding}). */
@Command(
        name = "encode",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Encode every sample of a prepared dataset with a trained VAE (a train-vae run) into a latent set,",
            "the input of 'tessera train-dit': LATENTS/latents.json + latents/<id>.safetensors, with each shape's",
            "class label. The posterior mean by default (deterministic), or one seeded draw with --sample.",
            "--resume keeps the latents already written (see docs/latents.md)."
        })
final class EncodeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--ckpt", required = true, paramLabel = "RUN", description = "The VAE run (train-vae --out).")
    Path ckpt;

    @Option(names = "--data", required = true, paramLabel = "DATASET", description = "Prepared dataset directory.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "LATENTS", description = "Latent set directory to write.")
    Path out;

    @Option(names = "--sample", description = "Store one draw of the posterior, not its mean.")
    boolean sample;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description = "Seed of the input point draws and --sample's noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--resume", description = "Continue the set in --out; keep its up-to-date latents.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        Torch.load();
        PrintWriter o = spec.commandLine().getOut();
        Dataset dataset = Dataset.open(data);
        if (dataset.size() == 0) {
            throw new ParameterException(
                    spec.commandLine(), data + " has no prepared sample (run 'tessera prep' first)");
        }
        LatentEncoding.Options opts = new LatentEncoding.Options(sample ? Posterior.SAMPLE : Posterior.MEAN, seed);
        LatentEncoding.Result r = LatentEncoding.encode(ckpt, dataset, out, opts, resume, new ProgressBar(System.err));
        o.printf(
                Locale.ROOT,
                "encode: %d shapes (%d encoded, %d kept%s) as %s %s latents %s in %s → %s%n",
                r.set().size(),
                r.encoded(),
                r.kept(),
                r.removed() > 0 ? ", " + r.removed() + " removed" : "",
                r.set().info().kind().id(),
                r.set().info().posterior().id(),
                r.set().info().latentShape(),
                Format.seconds(r.seconds()),
                out);
        o.flush();
        return Cli.OK;
    }
}
