package dev.tessera.model.vecset;

import static dev.tessera.data.sample.SampleSchema.NEAR_POINTS;
import static dev.tessera.data.sample.SampleSchema.NEAR_SDF;
import static dev.tessera.data.sample.SampleSchema.NEAR_SHARP_POINTS;
import static dev.tessera.data.sample.SampleSchema.NEAR_SHARP_SDF;
import static dev.tessera.data.sample.SampleSchema.SHARP_NORMALS;
import static dev.tessera.data.sample.SampleSchema.SHARP_POINTS;
import static dev.tessera.data.sample.SampleSchema.SURFACE_NORMALS;
import static dev.tessera.data.sample.SampleSchema.SURFACE_POINTS;
import static dev.tessera.data.sample.SampleSchema.VOLUME_POINTS;
import static dev.tessera.data.sample.SampleSchema.VOLUME_SDF;

import dev.tessera.data.dataset.Dataset;
import dev.tessera.data.dataset.PointBatcher;
import dev.tessera.data.safetensors.DType;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.safetensors.TensorInfo;
import dev.tessera.model.Tensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Turns samples of a prepared dataset ({@code docs/sample-format.md}) into vecset VAE batches, the way Dora and
 * Hunyuan3D-2.1 train: every call draws fresh random subsets of each sample's surface and sharp-edge points (the
 * encoder's input) and of its near-surface, near-sharp and volume queries (the supervision), straight from the
 * memory-mapped files.
 *
 * <p>A shape without sharp edges has no sharp-edge points; its sharp-edge set is then drawn from its surface points
 * (flagged 0 when {@code point_feats} is 4). Open readers are cached (at most {@value #OPEN_FILES}).
 */
public final class VecsetBatcher implements AutoCloseable {
    /** The arrays a sample must have. */
    public static final List<String> NEEDED = List.of(
            SURFACE_POINTS,
            SURFACE_NORMALS,
            SHARP_POINTS,
            SHARP_NORMALS,
            NEAR_POINTS,
            NEAR_SDF,
            NEAR_SHARP_POINTS,
            NEAR_SHARP_SDF,
            VOLUME_POINTS,
            VOLUME_SDF);

    static final int OPEN_FILES = 256;

    /**
     * Supervised queries per shape and step, and the weight of the near-sharp ones.
     *
     * @param near queries near the surface
     * @param nearSharp queries near sharp edges
     * @param volume queries uniform in the volume
     * @param sharpWeight the near-sharp queries' mean error counts this much (Dora: 2), the others' once
     */
    public record Queries(int near, int nearSharp, int volume, double sharpWeight) {
        public Queries {
            if (near < 0 || nearSharp < 0 || volume < 0 || near + nearSharp + volume == 0) {
                throw new IllegalArgumentException("query counts must be ≥ 0 and not all 0, got near " + near
                        + ", near-sharp " + nearSharp + ", volume " + volume);
            }
            if (!(sharpWeight >= 0) || !Double.isFinite(sharpWeight)) {
                throw new IllegalArgumentException("sharp weight must be ≥ 0, got " + sharpWeight);
            }
        }

        /** Queries per shape. */
        public int total() {
            return near + nearSharp + volume;
        }
    }

    private final Dataset dataset;
    private final ShapeVaeConfig config;
    private final Queries queries;
    private final boolean spin;
    private final Map<String, SafetensorsReader> open = new LinkedHashMap<>(16, 0.75f, true);

    /**
     * A batcher over {@code dataset}'s samples, its training batches as the samples are.
     *
     * @throws IllegalArgumentException when a sample lacks an array or has one of the wrong shape (all problems are
     *     listed, each with its file)
     */
    public VecsetBatcher(Dataset dataset, ShapeVaeConfig config, Queries queries) throws IOException {
        this(dataset, config, queries, false);
    }

    /**
     * A batcher over {@code dataset}'s samples; with {@code spin}, each shape of a training batch is turned about y
     * at random, mirrored or not, and normalised again ({@link SpinAugmentation}).
     *
     * @throws IllegalArgumentException when a sample lacks an array or has one of the wrong shape (all problems are
     *     listed, each with its file)
     */
    public VecsetBatcher(Dataset dataset, ShapeVaeConfig config, Queries queries, boolean spin) throws IOException {
        this.dataset = dataset;
        this.config = config;
        this.queries = queries;
        this.spin = spin;
        check(dataset);
    }

    /** Checks that every sample of {@code dataset} has the arrays the vecset VAE reads, with their shapes. */
    public static void check(Dataset dataset) throws IOException {
        List<String> problems = new ArrayList<>();
        for (String id : dataset.ids()) {
            try (SafetensorsReader r = dataset.open(id)) {
                List<String> missing = new ArrayList<>();
                for (String name : NEEDED) {
                    if (!r.contains(name)) {
                        missing.add(name);
                        continue;
                    }
                    TensorInfo info = r.info(name);
                    boolean points = name.endsWith(".points") || name.endsWith(".normals");
                    long[] s = info.shape();
                    boolean ok = info.dtype() == DType.F32 && (points ? s.length == 2 && s[1] == 3 : s.length == 1);
                    if (!ok) {
                        problems.add(dataset.file(id) + ": " + name + " is " + info.dtype() + " "
                                + java.util.Arrays.toString(s) + ", expected F32 " + (points ? "[N, 3]" : "[N]"));
                    }
                }
                if (!missing.isEmpty()) {
                    problems.add(dataset.file(id) + ": no " + String.join(", ", missing));
                } else {
                    for (String name : List.of(SURFACE_POINTS, NEAR_POINTS, VOLUME_POINTS)) {
                        if (r.info(name).shape()[0] == 0) {
                            problems.add(dataset.file(id) + ": " + name + " is empty");
                        }
                    }
                }
            }
            if (problems.size() >= 20) {
                break;
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("the vecset VAE reads " + String.join(", ", NEEDED)
                    + " from each sample;" + " re-run 'tessera prep' on the sources of these samples:\n  "
                    + String.join("\n  ", problems));
        }
    }

    public Dataset dataset() {
        return dataset;
    }

    public Queries queries() {
        return queries;
    }

    private synchronized SafetensorsReader reader(String id) throws IOException {
        SafetensorsReader r = open.get(id);
        if (r == null) {
            r = dataset.open(id);
            open.put(id, r);
            if (open.size() > OPEN_FILES) {
                var eldest = open.entrySet().iterator().next();
                eldest.getValue().close();
                open.remove(eldest.getKey());
            }
        }
        return r;
    }

    /** The encoder's input for the given samples, as they are: random surface and sharp-edge points, FPS queries. */
    public synchronized EncoderInput encoderInput(List<String> ids, SplittableRandom random) throws IOException {
        float[][][] rows = inputRows(ids, random);
        return EncoderInput.fromPoints(config, rows[0], rows[1]);
    }

    /** Each sample's random surface and sharp-edge point rows: {@code {uniform, sharp}}, one array per sample. */
    private float[][][] inputRows(List<String> ids, SplittableRandom random) throws IOException {
        int b = ids.size();
        float[][] uniform = new float[b][], sharp = new float[b][];
        for (int i = 0; i < b; i++) {
            SafetensorsReader r = reader(ids.get(i));
            uniform[i] = pointRows(r, SURFACE_POINTS, SURFACE_NORMALS, config.uniformInputs(), 0f, random);
            boolean hasSharp = r.info(SHARP_POINTS).shape()[0] > 0;
            sharp[i] = hasSharp
                    ? pointRows(r, SHARP_POINTS, SHARP_NORMALS, config.sharpInputs(), 1f, random)
                    : pointRows(r, SURFACE_POINTS, SURFACE_NORMALS, config.sharpInputs(), 0f, random);
        }
        return new float[][][] {uniform, sharp};
    }

    /** {@code n} random rows of xyz + normal (+ flag when {@code point_feats} is 4). */
    private float[] pointRows(
            SafetensorsReader r, String points, String normals, int n, float flag, SplittableRandom random)
            throws IOException {
        int ch = config.pointChannels();
        if (n == 0) {
            return new float[0];
        }
        int[] rows = PointBatcher.draw((int) r.info(points).shape()[0], n, random);
        float[] p = new float[3 * n], q = new float[3 * n];
        PointBatcher.gather(r, points, rows, p, 0);
        PointBatcher.gather(r, normals, rows, q, 0);
        float[] out = new float[ch * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(p, 3 * i, out, ch * i, 3);
            System.arraycopy(q, 3 * i, out, ch * i + 3, 3);
            if (ch == 7) {
                out[ch * i + 6] = flag;
            }
        }
        return out;
    }

    /**
     * One training batch of the given samples: the encoder's input, and {@link Queries#total()} supervised queries
     * per shape (near-surface, near-sharp, volume, in that order) with their signed distances and weights; each shape
     * spun at random when this batcher spins (the random draws of the points come first, so a batcher that does not
     * spin draws the same batches as before it could).
     */
    public synchronized VecsetBatch batch(List<String> ids, SplittableRandom random) throws IOException {
        float[][][] rows = inputRows(ids, random);
        int b = ids.size(), p = queries.total();
        float[] pts = new float[3 * b * p], sdf = new float[b * p], w = new float[b * p];
        int coarse = queries.near() + queries.volume();
        float wCoarse = coarse == 0 ? 0f : 1f / coarse;
        float wSharp = queries.nearSharp() == 0 ? 0f : (float) (queries.sharpWeight() / queries.nearSharp());
        for (int i = 0; i < b; i++) {
            SafetensorsReader r = reader(ids.get(i));
            int row = i * p;
            draw(r, NEAR_POINTS, NEAR_SDF, queries.near(), random, pts, sdf, row);
            boolean hasNearSharp = r.info(NEAR_SHARP_POINTS).shape()[0] > 0;
            draw(
                    r,
                    hasNearSharp ? NEAR_SHARP_POINTS : NEAR_POINTS,
                    hasNearSharp ? NEAR_SHARP_SDF : NEAR_SDF,
                    queries.nearSharp(),
                    random,
                    pts,
                    sdf,
                    row + queries.near());
            draw(
                    r,
                    VOLUME_POINTS,
                    VOLUME_SDF,
                    queries.volume(),
                    random,
                    pts,
                    sdf,
                    row + queries.near() + queries.nearSharp());
            for (int j = 0; j < p; j++) {
                boolean isSharp = j >= queries.near() && j < queries.near() + queries.nearSharp();
                w[row + j] = isSharp ? wSharp : wCoarse;
            }
        }
        if (spin) {
            int stride = config.pointChannels();
            for (int i = 0; i < b; i++) {
                SpinAugmentation t = SpinAugmentation.draw(random, stride, rows[0][i], rows[1][i]);
                t.applyToRows(rows[0][i], stride);
                t.applyToRows(rows[1][i], stride);
                t.applyToQueries(pts, sdf, i * p, p);
            }
        }
        EncoderInput in = EncoderInput.fromPoints(config, rows[0], rows[1]);
        return new VecsetBatch(
                in, Tensors.fromFloats(pts, b, p, 3), Tensors.fromFloats(sdf, b, p), Tensors.fromFloats(w, b, p));
    }

    private static void draw(
            SafetensorsReader r,
            String points,
            String values,
            int n,
            SplittableRandom random,
            float[] pts,
            float[] sdf,
            int row)
            throws IOException {
        if (n == 0) {
            return;
        }
        int[] rows = PointBatcher.draw((int) r.info(points).shape()[0], n, random);
        PointBatcher.gather(r, points, rows, pts, row);
        PointBatcher.gather(r, values, rows, sdf, row);
    }

    /** All of a sample's points and signed distances of one query set ({@code "near"}, {@code "volume"}, …). */
    public synchronized float[][] queriesOf(String id, String set) throws IOException {
        SafetensorsReader r = reader(id);
        return new float[][] {r.floats(set + ".points"), r.floats(set + ".sdf")};
    }

    @Override
    public void close() {
        for (SafetensorsReader r : open.values()) {
            try {
                r.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        open.clear();
    }
}
