package dev.tessera.model.vecset;

import dev.tessera.model.CoreParallel;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The field of one decoded vecset latent: the latent {@code z [1, L, E]} is decoded once ({@code post_kl} and the
 * transformer) and the geometry decoder's keys and values are computed once; {@link #values} then evaluates any
 * number of points in chunks, each inside its own {@link StepScope}, so native memory is bounded by one chunk. Values
 * are {@link ShapeVae#signedField signed}: negative inside, surface at 0.
 *
 * <p>Close it to free the cached keys and values. Not thread-safe: {@link #values} itself spreads its chunks over the
 * cores.
 */
public final class VecsetField implements PointField, AutoCloseable {
    /** Native bytes one chunk of queries may use (attention weights and activations). */
    static final long CHUNK_BUDGET_BYTES = 192L << 20;

    private final ShapeVae vae;
    private final Tensor keysValues;
    private final int chunk;
    private final AtomicLong queries = new AtomicLong();

    /**
     * Decodes {@code z} ({@code [1, L, E]} or {@code [L, E]}) with {@code vae}, which should be in eval mode.
     *
     * @param chunk points per decoder call (≤ 0: chosen from the model's size, {@link #defaultChunk})
     */
    public VecsetField(ShapeVae vae, Tensor z, int chunk) {
        this.vae = vae;
        this.chunk = chunk > 0 ? chunk : defaultChunk(vae.config());
        Tensor kv;
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            Tensor latents = z.dim() == 2 ? z.unsqueeze(0) : z; // [1, L, E]
            if (latents.size(0) != 1) {
                throw new IllegalArgumentException(
                        "a VecsetField decodes one shape; got a batch of " + latents.size(0));
            }
            kv = StepScope.keep(vae.queryKeysValues(vae.decode(latents))); // [1, L, 2w]
        }
        this.keysValues = kv;
    }

    /**
     * Points per decoder call that keep one call's attention weights and MLP activations near {@value
     * #CHUNK_BUDGET_BYTES} bytes: {@code budget / (4 · (heads · L + (2 · mlp + 8) · w))}, between 1024 and 65 536.
     */
    public static int defaultChunk(ShapeVaeConfig c) {
        long w = c.width() / c.geoDecoderDownsampleRatio(), h = c.heads() / c.geoDecoderDownsampleRatio();
        long perPoint = 4L * (h * c.numLatents() + (2L * c.geoDecoderMlpExpandRatio() + 8) * w);
        return (int) Math.max(1024, Math.min(65_536, CHUNK_BUDGET_BYTES / perPoint));
    }

    /** Points per decoder call. */
    public int chunk() {
        return chunk;
    }

    /** How many points this field has evaluated so far. */
    public long queries() {
        return queries.get();
    }

    /** The fewest points worth a piece of their own on another core. */
    static final int MIN_PIECE = 1024;

    /**
     * The field at packed {@code xyz} points. The points are cut into pieces of at most {@link #chunk} (and at least
     * {@value #MIN_PIECE} when that makes more pieces than cores), which run side by side on the cores
     * ({@link CoreParallel}), each on one libtorch thread: the decoder's linear layers run in OpenBLAS, which Tessera
     * keeps single-threaded, so one piece at a time left the other cores idle.
     */
    @Override
    public float[] values(float[] xyz) {
        int n = xyz.length / 3;
        float[] out = new float[n];
        CoreParallel cores = CoreParallel.shared();
        int pieces = Math.max((n + chunk - 1) / chunk, Math.min(cores.workers(), (n + MIN_PIECE - 1) / MIN_PIECE));
        int size = pieces == 0 ? 0 : (n + pieces - 1) / pieces;
        try (NoGradGuard ng = new NoGradGuard()) {
            cores.map(pieces, i -> {
                int start = i * size, m = Math.min(size, n - start);
                if (m <= 0) {
                    return null;
                }
                try (StepScope s = new StepScope()) {
                    float[] part = new float[3 * m];
                    System.arraycopy(xyz, 3 * start, part, 0, 3 * m);
                    Tensor pts = Tensors.fromFloats(part, 1, m, 3); // [1, m, 3]
                    Tensor v = vae.signedField(vae.queryCached(pts, keysValues)); // [1, m]
                    System.arraycopy(Tensors.toFloats(v), 0, out, start, m);
                }
                return null;
            });
        }
        queries.addAndGet(n);
        return out;
    }

    /** The truncation τ for a {@code "tsdf"} model (its values are distances / τ), 0 for occupancy logits. */
    @Override
    public double distancePerUnit() {
        return vae.config().isTsdf() ? vae.config().tsdfTruncation() : 0;
    }

    @Override
    public void close() {
        StepScope.release(keysValues);
    }
}
