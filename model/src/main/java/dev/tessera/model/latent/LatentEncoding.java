package dev.tessera.model.latent;

import dev.tessera.data.Progress;
import dev.tessera.data.dataset.Dataset;
import dev.tessera.data.dataset.ManifestRecord;
import dev.tessera.model.Checkpoint;
import dev.tessera.model.DiagonalGaussian;
import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import dev.tessera.model.sparse.SparseSamples;
import dev.tessera.model.sparse.SparseStructureVae;
import dev.tessera.model.sparse.SparseStructureVaeConfig;
import dev.tessera.model.vecset.EncoderInput;
import dev.tessera.model.vecset.ShapeVae;
import dev.tessera.model.vecset.ShapeVaeConfig;
import dev.tessera.model.vecset.VecsetBatcher;
import dev.tessera.model.vecset.VecsetTrainSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * Encodes every sample of a prepared dataset with a trained VAE into a {@link LatentSet} ({@code tessera encode}): the
 * posterior mean, or one seeded draw of the posterior, of each shape, with the dataset's class label and content hash.
 *
 * <p>Supported VAEs: the vecset VAE ({@link ShapeVae}; its encoder reads {@code pc_size + pc_sharpedge_size} surface
 * and sharp-edge points drawn from the sample) and TRELLIS's sparse-structure VAE ({@link SparseStructureVae}; it
 * reads the sample's surface voxels at the model's resolution).
 *
 * <p>Each shape is encoded on its own, with its input points and its posterior noise drawn from generators seeded by
 * {@code (seed, id)}: a latent depends only on the VAE, the sample, the seed and the id, never on the order, the other
 * shapes or an interruption. With {@code resume}, the latents already in the output directory are kept when their
 * sample's content hash is unchanged; latents of shapes no longer in the dataset are removed.
 */
public final class LatentEncoding {
    private LatentEncoding() {}

    /**
     * How to encode.
     *
     * @param posterior {@link Posterior#MEAN} (deterministic, the default) or {@link Posterior#SAMPLE}
     * @param seed seed of the input point draws and, for {@code SAMPLE}, of the posterior noise
     */
    public record Options(Posterior posterior, long seed) {
        public Options {
            Objects.requireNonNull(posterior, "posterior");
        }

        /** The posterior mean, seed 0. */
        public static Options mean() {
            return new Options(Posterior.MEAN, 0);
        }

        /** One draw of the posterior per shape, seeded. */
        public static Options sample(long seed) {
            return new Options(Posterior.SAMPLE, seed);
        }

        /** The same with another seed. */
        public Options withSeed(long s) {
            return new Options(posterior, s);
        }
    }

    /**
     * What an encoding run did.
     *
     * @param set the finished latent set
     * @param encoded shapes encoded by this run
     * @param kept shapes kept from an earlier run ({@code resume})
     * @param removed latents removed because their shape left the dataset
     * @param seconds wall time
     */
    public record Result(LatentSet set, int encoded, int kept, int removed, double seconds) {}

    /** A loaded VAE encoder: one shape's latent, as a tensor of the set's latent shape. */
    private interface Encoder extends AutoCloseable {
        LatentKind kind();

        long[] shape();

        /** The latent of sample {@code id}, drawn with generators seeded by {@code seed}; the caller frees it. */
        Tensor encode(Dataset dataset, String id, Posterior posterior, long seed) throws IOException;

        @Override
        default void close() {}
    }

    /**
     * Encodes {@code dataset} with the VAE checkpoint {@code vaeRun} (a {@code train-vae} run directory: {@code
     * config.json} + {@code model.safetensors}) into {@code out}.
     *
     * @param resume continue the set in {@code out} (or start it); without, {@code out} must not hold a set
     * @throws LatentSetException when {@code out} already holds a set (without {@code resume}) or holds other latents
     * @throws IllegalArgumentException when the VAE family is not one {@code encode} knows, or the dataset's samples
     *     lack what the VAE reads (each file named)
     */
    public static Result encode(Path vaeRun, Dataset dataset, Path out, Options options, boolean resume, Progress p)
            throws IOException {
        long t0 = System.nanoTime();
        VaeReference ref = VaeReference.of(vaeRun);
        try (Encoder enc = open(vaeRun, ref, dataset)) {
            return encode(enc, ref, dataset, out, options, resume, p, t0);
        }
    }

    private static Result encode(
            Encoder enc,
            VaeReference ref,
            Dataset dataset,
            Path out,
            Options options,
            boolean resume,
            Progress p,
            long t0)
            throws IOException {
        LatentSetInfo header = LatentSetInfo.of(
                enc.kind(),
                enc.shape(),
                options.posterior(),
                ref,
                dataset.root().toAbsolutePath().normalize().toString());
        LatentSetWriter w = resume ? LatentSetWriter.resume(out, header) : LatentSetWriter.create(out, header);
        Set<String> ids = new HashSet<>(dataset.ids());
        int removed = 0;
        for (String id : w.ids()) {
            if (!ids.contains(id)) {
                w.remove(id);
                removed++;
            }
        }
        List<ManifestRecord> todo = dataset.entries().stream()
                .filter(r -> !current(w.entry(r.id()), r))
                .toList();
        int kept = dataset.size() - todo.size();
        p.start("encode", dataset.size());
        try (NoGradGuard ng = new NoGradGuard()) {
            long done = kept;
            p.advance(done, kept > 0 ? kept + " kept" : null);
            for (ManifestRecord r : todo) {
                try (StepScope s = new StepScope()) {
                    Tensor z = enc.encode(dataset, r.id(), options.posterior(), shapeSeed(options.seed(), r.id()));
                    w.write(r.id(), z, r.label(), r.contentHash());
                }
                p.advance(++done, r.id());
            }
        } finally {
            p.finish();
        }
        LatentSet set = w.finish();
        return new Result(set, todo.size(), kept, removed, (System.nanoTime() - t0) / 1e9);
    }

    /** True when an existing latent still belongs to the sample (same label and source content). */
    private static boolean current(LatentEntry e, ManifestRecord r) {
        return e != null && Objects.equals(e.contentHash(), r.contentHash()) && Objects.equals(e.label(), r.label());
    }

    /** The seed of one shape's draws: the run's seed mixed with the id (stable across runs and JVMs). */
    static long shapeSeed(long seed, String id) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < id.length(); i++) {
            h = (h ^ id.charAt(i)) * 0xBF58476D1CE4E5B9L;
        }
        return new SplittableRandom(h).nextLong();
    }

    private static Encoder open(Path run, VaeReference ref, Dataset dataset) throws IOException {
        String cls = ref.configClass();
        if (ShapeVaeConfig.class.getName().equals(cls)) {
            ShapeVaeConfig c = Checkpoint.config(run, ShapeVaeConfig.class);
            ShapeVae vae = new ShapeVae(c, Rng.cpu(0));
            Checkpoint.load(run, vae);
            vae.eval();
            VecsetBatcher batcher =
                    new VecsetBatcher(dataset, c, VecsetTrainSettings.defaults().queries());
            return new Encoder() {
                @Override
                public LatentKind kind() {
                    return LatentKind.VECSET;
                }

                @Override
                public long[] shape() {
                    return new long[] {c.numLatents(), c.embedDim()};
                }

                @Override
                public Tensor encode(Dataset ds, String id, Posterior posterior, long seed) throws IOException {
                    EncoderInput in = batcher.encoderInput(List.of(id), new SplittableRandom(seed));
                    return draw(vae.encode(in), posterior, seed).squeeze(0); // [L, E]
                }

                @Override
                public void close() {
                    batcher.close();
                }
            };
        }
        if (SparseStructureVaeConfig.class.getName().equals(cls)) {
            SparseStructureVaeConfig c = Checkpoint.config(run, SparseStructureVaeConfig.class);
            SparseStructureVae vae = new SparseStructureVae(c, Rng.cpu(0));
            Checkpoint.load(run, vae);
            vae.eval();
            int r = c.resolution();
            long side = c.latentResolution();
            return new Encoder() {
                @Override
                public LatentKind kind() {
                    return LatentKind.SPARSE_STRUCTURE;
                }

                @Override
                public long[] shape() {
                    return new long[] {c.latentChannels(), side, side, side};
                }

                @Override
                public Tensor encode(Dataset ds, String id, Posterior posterior, long seed) throws IOException {
                    float[] occ = SparseSamples.occupancy(ds, id, r);
                    Tensor x = Tensors.fromFloats(occ, 1, 1, r, r, r); // [1, 1, R, R, R]
                    return draw(vae.encoder().forward(x), posterior, seed).squeeze(0); // [C, r, r, r]
                }
            };
        }
        throw new IllegalArgumentException(run.resolve(Checkpoint.WEIGHTS) + ": a VAE of "
                + (cls == null ? "unknown config class" : cls)
                + "; encode knows the vecset VAE (train-vae --model vecset) and the sparse-structure VAE");
    }

    private static Tensor draw(DiagonalGaussian posterior, Posterior kind, long seed) {
        return switch (kind) {
            case MEAN -> posterior.mean();
            case SAMPLE -> posterior.sample(Rng.cpu(seed ^ 0x5DEECE66DL));
        };
    }
}
