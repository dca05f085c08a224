package dev.tessera.model.vecset;

import dev.tessera.geometry.FarthestPointSampler;
import dev.tessera.model.Rng;
import dev.tessera.model.Tensors;
import java.util.Arrays;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;

/**
 * What the vecset encoder reads: the input points of each shape and the query tokens picked among them, both as
 * {@code xyz + point_feats} rows, uniform set first, then the sharp-edge set.
 *
 * <p>As in Hunyuan3D-2's {@code PointCrossAttentionEncoder.sample_points_and_latents}, the {@code num_latents} query
 * tokens are shared between the two sets in proportion to {@code pc_size : pc_sharpedge_size}; each set contributes
 * {@code queries × downsample_ratio} input points, and its queries are picked among them by farthest point sampling
 * ({@link FarthestPointSampler}, exact, starting at the set's first input point).
 *
 * @param queries the query points {@code [B, L, 3 + F]} (uniform set's first)
 * @param data the input points {@code [B, M, 3 + F]} (uniform set's first)
 * @param uniformQueries how many of the queries come from the uniform set
 * @param uniformData how many of the input points come from the uniform set
 */
public record EncoderInput(Tensor queries, Tensor data, int uniformQueries, int uniformData) {

    /** Batch size. */
    public long batch() {
        return data.size(0);
    }

    /**
     * An input from per-shape point rows ({@code xyz + features}, {@code config.pointChannels()} floats per row):
     * {@code uniform[b]} holds exactly {@code config.uniformInputs()} rows and {@code sharp[b]} {@code
     * config.sharpInputs()} rows (the caller draws them at random). Queries are picked by farthest point sampling.
     */
    public static EncoderInput fromPoints(ShapeVaeConfig config, float[][] uniform, float[][] sharp) {
        int b = uniform.length, ch = config.pointChannels();
        int nu = config.uniformInputs(), ns = config.sharpInputs();
        int qu = config.uniformQueries(), qs = config.sharpQueries();
        if (sharp.length != b) {
            throw new IllegalArgumentException(
                    "uniform and sharp point sets differ in batch size: " + b + " and " + sharp.length);
        }
        int m = nu + ns, l = qu + qs;
        float[] data = new float[b * m * ch];
        float[] queries = new float[b * l * ch];
        for (int i = 0; i < b; i++) {
            check("uniform", i, uniform[i], nu, ch);
            check("sharp-edge", i, sharp[i], ns, ch);
            System.arraycopy(uniform[i], 0, data, i * m * ch, nu * ch);
            System.arraycopy(sharp[i], 0, data, (i * m + nu) * ch, ns * ch);
            gatherRows(uniform[i], farthestQueries(uniform[i], ch, qu), ch, queries, i * l);
            if (qs > 0) {
                gatherRows(sharp[i], farthestQueries(sharp[i], ch, qs), ch, queries, i * l + qu);
            }
        }
        return new EncoderInput(Tensors.fromFloats(queries, b, l, ch), Tensors.fromFloats(data, b, m, ch), qu, nu);
    }

    /**
     * An input from a surface tensor laid out as the reference's {@code surface} argument, {@code [B, pc_size +
     * pc_sharpedge_size, 3 + F]} (uniform points first), with the input points of each set chosen by index: the first
     * {@code uniformInputs()} entries of {@code uniformIndex} (indices into the uniform set) and the first {@code
     * sharpInputs()} of {@code sharpIndex} (indices into the sharp-edge set), the same for every shape of the batch.
     */
    public static EncoderInput fromSurface(
            ShapeVaeConfig config, Tensor surface, long[] uniformIndex, long[] sharpIndex) {
        int ch = config.pointChannels();
        long[] shape = Tensors.shape(surface);
        if (shape.length != 3 || shape[2] != ch || shape[1] != config.pcSize() + config.pcSharpedgeSize()) {
            throw new IllegalArgumentException("surface must be [B, " + (config.pcSize() + config.pcSharpedgeSize())
                    + ", " + ch + "] (pc_size + pc_sharpedge_size points of xyz + " + config.pointFeats()
                    + " features), got " + Arrays.toString(shape));
        }
        int b = (int) shape[0], n = (int) shape[1];
        float[] all = Tensors.toFloats(surface);
        int nu = config.uniformInputs(), ns = config.sharpInputs();
        if (uniformIndex.length < nu || sharpIndex.length < ns) {
            throw new IllegalArgumentException("need " + nu + " uniform and " + ns + " sharp-edge indices, got "
                    + uniformIndex.length + " and " + sharpIndex.length);
        }
        float[][] u = new float[b][nu * ch];
        float[][] s = new float[b][ns * ch];
        for (int i = 0; i < b; i++) {
            for (int r = 0; r < nu; r++) {
                int src = Math.toIntExact(check(uniformIndex[r], config.pcSize()));
                System.arraycopy(all, (i * n + src) * ch, u[i], r * ch, ch);
            }
            for (int r = 0; r < ns; r++) {
                int src = config.pcSize() + Math.toIntExact(check(sharpIndex[r], config.pcSharpedgeSize()));
                System.arraycopy(all, (i * n + src) * ch, s[i], r * ch, ch);
            }
        }
        return fromPoints(config, u, s);
    }

    /**
     * As {@link #fromSurface(ShapeVaeConfig, Tensor, long[], long[])} with the input points drawn as the reference
     * draws them: a random permutation of each set from {@code g}, shared by the batch.
     */
    public static EncoderInput sample(ShapeVaeConfig config, Tensor surface, Generator g) {
        long[] u = Tensors.toLongs(Rng.randperm(g, config.pcSize()));
        long[] s =
                config.pcSharpedgeSize() > 0 ? Tensors.toLongs(Rng.randperm(g, config.pcSharpedgeSize())) : new long[0];
        return fromSurface(config, surface, u, s);
    }

    /**
     * The rows picked as query tokens among {@code rows} ({@code channels} floats each, xyz first): farthest point
     * sampling of {@code k} points starting at row 0.
     */
    public static int[] farthestQueries(float[] rows, int channels, int k) {
        int n = rows.length / channels;
        float[] xyz = new float[3 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows, i * channels, xyz, 3 * i, 3);
        }
        return FarthestPointSampler.sample(xyz, k, 0, 1);
    }

    private static void gatherRows(float[] rows, int[] idx, int ch, float[] out, int rowOffset) {
        for (int r = 0; r < idx.length; r++) {
            System.arraycopy(rows, idx[r] * ch, out, (rowOffset + r) * ch, ch);
        }
    }

    private static void check(String set, int item, float[] rows, int n, int ch) {
        if (rows.length != n * ch) {
            throw new IllegalArgumentException("shape " + item + ": the " + set + " set needs " + n + " points of " + ch
                    + " values (" + n * ch + " floats), got " + rows.length + " floats");
        }
    }

    private static long check(long index, int size) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("point index " + index + " outside a set of " + size);
        }
        return index;
    }
}
