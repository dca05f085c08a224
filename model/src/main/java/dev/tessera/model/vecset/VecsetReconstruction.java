package dev.tessera.model.vecset;

import dev.tessera.data.prep.MeshSampleBuilder;
import dev.tessera.data.prep.PrepException;
import dev.tessera.data.prep.PrepOptions;
import dev.tessera.geometry.MeshDistance;
import dev.tessera.geometry.MeshMetrics;
import dev.tessera.geometry.MetricsOptions;
import dev.tessera.geometry.Normalization;
import dev.tessera.geometry.SharpEdgeSampler;
import dev.tessera.geometry.SharpEdgeSamples;
import dev.tessera.geometry.SurfaceSampler;
import dev.tessera.geometry.SurfaceSamples;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.model.Checkpoint;
import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * A mesh through a trained vecset VAE and back: the mesh is cleaned and normalised and made watertight exactly as
 * {@code tessera prep} does ({@link MeshSampleBuilder#normalize}, {@link MeshSampleBuilder#watertight}), its surface
 * (and sharp edges) sampled into the encoder's input, encoded to the posterior mean, decoded into a field ({@link
 * VecsetField}), extracted hierarchically or densely with bounded memory ({@link SurfaceExtraction}), and cleaned
 * (floaters dropped, optional decimation). The result is in the source mesh's own frame unless asked otherwise.
 */
public final class VecsetReconstruction {
    private VecsetReconstruction() {}

    /**
     * How to reconstruct.
     *
     * @param prep the normalisation and watertight settings (those the VAE's training set was prepared with)
     * @param extraction resolution, hierarchical or dense, cleanup, decimation
     * @param seed seed of the surface and sharp-edge samples the encoder reads
     * @param sourceFrame map the result back to the source mesh's frame (else keep the normalised sample frame)
     * @param metrics compare the result with the watertight reference ({@code docs/metrics.md}), or null for none
     */
    public record Options(
            PrepOptions prep,
            SurfaceExtraction.Options extraction,
            long seed,
            boolean sourceFrame,
            MetricsOptions metrics) {
        /** Default prep settings, resolution 256 hierarchically, seed 0, the source frame, no metrics. */
        public static Options defaults() {
            return new Options(PrepOptions.defaults(), SurfaceExtraction.Options.defaults(), 0, true, null);
        }

        public Options withPrep(PrepOptions p) {
            return new Options(p, extraction, seed, sourceFrame, metrics);
        }

        public Options withExtraction(SurfaceExtraction.Options e) {
            return new Options(prep, e, seed, sourceFrame, metrics);
        }

        public Options withSeed(long s) {
            return new Options(prep, extraction, s, sourceFrame, metrics);
        }

        public Options withSourceFrame(boolean on) {
            return new Options(prep, extraction, seed, on, metrics);
        }

        public Options withMetrics(MetricsOptions m) {
            return new Options(prep, extraction, seed, sourceFrame, m);
        }
    }

    /**
     * What a reconstruction gives.
     *
     * @param mesh the clean reconstruction (in the source frame when asked for)
     * @param reference the watertight normalised surface the encoder's points were sampled on
     * @param normalization the transform from the source frame to the sample frame
     * @param decode the decoder's report: the raw surface, the lattices visited and the queries at each
     * @param denseQueries the queries a dense decode of the same lattice makes, {@code (R + 1)³}
     * @param metrics the result against the reference (empty when not asked for)
     * @param seconds wall time of each stage
     */
    public record Result(
            TriangleMesh mesh,
            TriangleMesh reference,
            Normalization normalization,
            HierarchicalVolumeDecoder.Result decode,
            long denseQueries,
            Map<String, Double> metrics,
            Map<String, Double> seconds) {
        /** Decoder queries made. */
        public long queries() {
            return decode.queries();
        }
    }

    /** Loads a vecset VAE checkpoint directory ({@code config.json} + {@code model.safetensors}) in eval mode. */
    public static ShapeVae load(Path ckpt) throws IOException {
        ShapeVaeConfig config = Checkpoint.config(ckpt, ShapeVaeConfig.class);
        ShapeVae vae = new ShapeVae(config, Rng.cpu(0));
        Checkpoint.load(ckpt, vae);
        vae.eval();
        return vae;
    }

    /**
     * The encoder's input for one normalised shape: {@code uniformInputs()} points with normals on the watertight
     * surface and {@code sharpInputs()} on the sharp edges of the normalised mesh (surface points instead when it has
     * none), drawn as {@code prep} draws them, then the query tokens by farthest point sampling.
     */
    public static EncoderInput encoderInput(
            ShapeVaeConfig c, TriangleMesh normalized, TriangleMesh watertight, double sharpAngleDegrees, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int ch = c.pointChannels();
        SurfaceSamples u = SurfaceSampler.sample(watertight, Math.max(1, c.uniformInputs()), r.nextLong());
        float[] uniform = rows(u.points(), u.normals(), c.uniformInputs(), ch, 0f);
        float[] sharp = new float[0];
        long sharpSeed = r.nextLong();
        if (c.sharpInputs() > 0) {
            SharpEdgeSamples s = SharpEdgeSampler.sample(normalized, c.sharpInputs(), sharpAngleDegrees, sharpSeed);
            if (s.isEmpty()) {
                SurfaceSamples f = SurfaceSampler.sample(watertight, c.sharpInputs(), r.nextLong());
                sharp = rows(f.points(), f.normals(), c.sharpInputs(), ch, 0f);
            } else {
                sharp = rows(s.points(), s.normals(), c.sharpInputs(), ch, 1f);
            }
        }
        return EncoderInput.fromPoints(c, new float[][] {uniform}, new float[][] {sharp});
    }

    private static float[] rows(float[] p, float[] n, int count, int ch, float flag) {
        float[] out = new float[count * ch];
        for (int i = 0; i < count; i++) {
            System.arraycopy(p, 3 * i, out, ch * i, 3);
            System.arraycopy(n, 3 * i, out, ch * i + 3, 3);
            if (ch == 7) {
                out[ch * i + 6] = flag;
            }
        }
        return out;
    }

    /** The posterior mean {@code [1, L, E]} of one input, as a tensor the caller owns (release it). */
    public static Tensor encodeMean(ShapeVae vae, EncoderInput in) {
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            // the mean is a view into the chunked moments: keep a copy
            return StepScope.keep(vae.encode(in).mean().clone()); // [1, L, E]
        }
    }

    /**
     * Reconstructs {@code source} with {@code vae} (in eval mode).
     *
     * @throws PrepException when the mesh has no area or encloses no volume
     * @throws DecodeTooLargeException when the decoding lattice would not fit in memory (checked before allocating)
     */
    public static Result reconstruct(ShapeVae vae, TriangleMesh source, Options o) throws PrepException {
        Map<String, Double> seconds = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        MeshSampleBuilder.Normalized n = MeshSampleBuilder.normalize(source, o.prep());
        TriangleMesh wt = MeshSampleBuilder.watertight(n.mesh(), o.prep());
        t0 = lap(seconds, "prepare", t0);
        EncoderInput in;
        Tensor z;
        try (StepScope s = new StepScope()) {
            in = encoderInput(vae.config(), n.mesh(), wt, o.prep().sharpAngleDegrees(), o.seed());
            z = encodeMean(vae, in);
        }
        t0 = lap(seconds, "encode", t0);
        HierarchicalVolumeDecoder.Result decoded;
        try (VecsetField field = new VecsetField(vae, z, 0)) {
            decoded = SurfaceExtraction.surfaceWithReport(field, o.extraction(), null);
        } finally {
            StepScope.release(z);
        }
        t0 = lap(seconds, "decode", t0);
        TriangleMesh clean = SurfaceExtraction.clean(decoded.mesh(), o.extraction());
        t0 = lap(seconds, "clean", t0);
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (o.metrics() != null) {
            metrics.putAll(compare(wt, clean, o.metrics()));
            t0 = lap(seconds, "metrics", t0);
        }
        TriangleMesh out = o.sourceFrame() ? inverse(clean, n.normalization()) : clean;
        return new Result(
                out, wt, n.normalization(), decoded, o.extraction().lattice().size(), metrics, seconds);
    }

    /**
     * The metrics of {@code docs/metrics.md} of a reconstruction against its reference: {@code volume_iou}, {@code
     * near_surface_iou}, {@code chamfer_l1} and one {@code fscore@τ} per threshold; an empty reconstruction scores 0.
     */
    public static Map<String, Double> compare(TriangleMesh reference, TriangleMesh mesh, MetricsOptions o) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (mesh.isEmpty() || mesh.area() <= 0) {
            m.put("volume_iou", 0.0);
            m.put("near_surface_iou", 0.0);
            for (double t : o.fscoreThresholds()) {
                m.put(VecsetValidator.fscoreName(t), 0.0);
            }
            return m;
        }
        MeshMetrics.Result r = MeshMetrics.compare(reference, mesh, o, x -> MeshDistance.of(x)::signed);
        m.put("volume_iou", r.volumeIoU());
        m.put("near_surface_iou", r.nearSurfaceIoU());
        m.put("chamfer_l1", r.chamferL1());
        for (MeshMetrics.FScore f : r.fscores()) {
            m.put(VecsetValidator.fscoreName(f.tau()), f.fscore());
        }
        return m;
    }

    /** {@code mesh} mapped from the sample frame back to the source frame of {@code n}. */
    public static TriangleMesh inverse(TriangleMesh mesh, Normalization n) {
        if (mesh.isEmpty()) {
            return mesh;
        }
        return new TriangleMesh(n.invert(mesh.positions()), mesh.triangles());
    }

    private static long lap(Map<String, Double> seconds, String stage, long t0) {
        long t = System.nanoTime();
        seconds.put(stage, (t - t0) / 1e9);
        return t;
    }

    /** Resolutions of a report as {@code 64→128→256}. */
    public static String levels(List<Integer> resolutions) {
        StringBuilder b = new StringBuilder();
        for (int r : resolutions) {
            b.append(b.length() == 0 ? "" : "→").append(r);
        }
        return b.toString();
    }
}
