package dev.tessera.model.vecset;

import dev.tessera.data.prep.PrepException;
import dev.tessera.data.prep.PrepOptions;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.StepTimer;
import dev.tessera.model.Tensors;
import dev.tessera.model.train.MicroBatchBench;
import dev.tessera.model.train.ParallelBackward;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;

/**
 * The vecset VAE benchmarks:
 *
 * <ul>
 *   <li>{@value #TRAIN}: one AdamW step of the {@link ShapeVaeConfig#bench()} preset (batch 2, 2048 surface points
 *       with normals, 256 latents × 32, width 256, 4 heads, 1 cross + 2 self encoder layers, 2 decoder layers, 2048
 *       occupancy queries, KL weight 1e-3), as {@code bench/peers/torch_bench.py} runs its {@code VecSetVAE}. The
 *       batch (and its farthest-point-sampled query tokens) is built once, outside the timed step, as the peer's is.
 *       It runs as one micro-batch per core, side by side ({@link ParallelBackward}), as {@code tessera train-vae}
 *       runs a step's batch.
 *   <li>{@value #DECODE_DENSE} and {@value #DECODE_HIERARCHICAL}: a trained VAE's field of one encoded mesh extracted
 *       at 256³ (257³ lattice points over {@code [-1.01, 1.01]³}) densely and hierarchically ({@link
 *       HierarchicalVolumeDecoder#defaults()}); the timing's note gives the decoder queries.
 * </ul>
 */
public final class VecsetVaeBench {
    /** Line name of the training step, shared with the Python peer. */
    public static final String TRAIN = "vecset_vae_train_step";
    /** Line name of the dense 256³ decode. */
    public static final String DECODE_DENSE = "vecset_decode_256_dense";
    /** Line name of the hierarchical 256³ decode. */
    public static final String DECODE_HIERARCHICAL = "vecset_decode_256_hierarchical";

    private VecsetVaeBench() {}

    /** Median times of {@code reps} training steps after {@code warmup} for the bench preset. */
    public static StepTimer.Timing train(int warmup, int reps) {
        return StepTimer.timeSetup(warmup, reps, VecsetVaeBench::trainSetup);
    }

    /** The training line's setup, for the bench preset. */
    public static TrainSetup trainSetup() {
        return new TrainSetup(ShapeVaeConfig.bench());
    }

    /**
     * The training line's setup: the VAE (seed 0) and one batch of 2 (points on a sphere of radius 0.8 with their
     * normals, 2048 uniform queries with their signed distances), as {@code train-vae} runs a step's batch ({@link
     * MicroBatchBench}, {@code VecsetTraining.onCores}). Closing frees the optimiser's state and the batch.
     */
    public static final class TrainSetup extends MicroBatchBench<ShapeVae> {
        private static final int BATCH = 2;
        private final VecsetBatch batch;

        public TrainSetup(ShapeVaeConfig c) {
            super(new ShapeVae(c, Rng.cpu(0)), BATCH);
            model.train(true);
            int b = BATCH, p = 2048;
            SplittableRandom r = new SplittableRandom(0);
            float[][] uniform = new float[b][c.uniformInputs() * c.pointChannels()];
            float[][] sharp = new float[b][c.sharpInputs() * c.pointChannels()];
            for (float[] rows : uniform) {
                for (int i = 0; i < rows.length; i += c.pointChannels()) {
                    double x = r.nextGaussian(), y = r.nextGaussian(), z = r.nextGaussian();
                    double n = Math.sqrt(x * x + y * y + z * z);
                    rows[i] = (float) (0.8 * x / n); // points on a sphere, their normals
                    rows[i + 1] = (float) (0.8 * y / n);
                    rows[i + 2] = (float) (0.8 * z / n);
                    rows[i + 3] = (float) (x / n);
                    rows[i + 4] = (float) (y / n);
                    rows[i + 5] = (float) (z / n);
                }
            }
            float[] pts = new float[b * p * 3], sdf = new float[b * p], w = new float[b * p];
            for (int i = 0; i < b * p; i++) {
                double x = r.nextDouble(-1, 1), y = r.nextDouble(-1, 1), z = r.nextDouble(-1, 1);
                pts[3 * i] = (float) x;
                pts[3 * i + 1] = (float) y;
                pts[3 * i + 2] = (float) z;
                sdf[i] = (float) (Math.sqrt(x * x + y * y + z * z) - 0.8);
                w[i] = 1f / p;
            }
            EncoderInput in;
            try (StepScope s = new StepScope()) {
                in = EncoderInput.fromPoints(c, uniform, sharp);
                this.batch = new VecsetBatch(
                        new EncoderInput(
                                StepScope.keep(in.queries()),
                                StepScope.keep(in.data()),
                                in.uniformQueries(),
                                in.uniformData()),
                        StepScope.keep(Tensors.fromFloats(pts, b, p, 3)),
                        StepScope.keep(Tensors.fromFloats(sdf, b, p)),
                        StepScope.keep(Tensors.fromFloats(w, b, p)));
            }
        }

        @Override
        public Tensor loss(int m, long step) {
            return model.losses(slice(batch, m * per, per), 1e-3, Rng.cpu(step * 64 + m))
                    .loss();
        }

        @Override
        public void close() {
            super.close();
            for (Tensor t : new Tensor[] {
                batch.input().queries(), batch.input().data(), batch.points(), batch.sdf(), batch.weights()
            }) {
                StepScope.release(t);
            }
        }
    }

    /** Rows {@code [from, from + n)} of a batch (views). */
    static VecsetBatch slice(VecsetBatch b, long from, long n) {
        EncoderInput in = b.input();
        return new VecsetBatch(
                new EncoderInput(
                        in.queries().narrow(0, from, n),
                        in.data().narrow(0, from, n),
                        in.uniformQueries(),
                        in.uniformData()),
                b.points().narrow(0, from, n),
                b.sdf().narrow(0, from, n),
                b.weights().narrow(0, from, n));
    }

    /**
     * Median times of extracting the field of {@code mesh} encoded by {@code vae} at 256³, densely or hierarchically
     * (the encoding is done once, untimed), noting the queries and triangles of one extraction.
     */
    public static StepTimer.Timing decode(ShapeVae vae, TriangleMesh mesh, boolean hierarchical, int warmup, int reps)
            throws PrepException {
        vae.eval();
        PrepOptions prep = PrepOptions.small();
        var n = dev.tessera.data.prep.MeshSampleBuilder.normalize(mesh, prep);
        var wt = dev.tessera.data.prep.MeshSampleBuilder.watertight(n.mesh(), prep);
        Tensor z;
        try (StepScope s = new StepScope()) {
            z = VecsetReconstruction.encodeMean(
                    vae, VecsetReconstruction.encoderInput(vae.config(), n.mesh(), wt, prep.sharpAngleDegrees(), 0));
        }
        SurfaceExtraction.Options o =
                SurfaceExtraction.Options.defaults().withResolution(256).withHierarchical(hierarchical);
        long[] queries = {0};
        int[] triangles = {0};
        try (VecsetField field = new VecsetField(vae, z, 0)) {
            StepTimer.Timing t = StepTimer.time(warmup, reps, () -> {
                HierarchicalVolumeDecoder.Result r = SurfaceExtraction.surfaceWithReport(field, o, null);
                queries[0] = r.queries();
                triangles[0] = r.mesh().triangleCount();
            });
            return t.withNote(String.format(
                    Locale.ROOT,
                    "%,d queries (dense %,d, %.1f× fewer), %,d triangles",
                    queries[0],
                    o.lattice().size(),
                    o.lattice().size() / (double) queries[0],
                    triangles[0]));
        } finally {
            StepScope.release(z);
        }
    }

    /** Prints the training line ({@code name wall_ms cpu cpu_ms}); args: [warmup] [reps]. */
    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.println(train(warmup, reps).line(TRAIN));
    }
}
