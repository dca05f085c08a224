package dev.tessera.model.vecset;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.data.dataset.Dataset;
import dev.tessera.data.prep.MeshSampleBuilder;
import dev.tessera.data.prep.PrepException;
import dev.tessera.data.prep.PrepOptions;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.sample.SampleSchema;
import dev.tessera.geometry.MeshDistance;
import dev.tessera.geometry.MeshMetrics;
import dev.tessera.geometry.MetricsOptions;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.io.MeshIO;
import dev.tessera.model.StepScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * Measures how well a vecset VAE reconstructs held-out samples: each is encoded (posterior mean, fixed input
 * points), decoded to a mesh, and compared with its reference shape by {@link MeshMetrics} ({@code docs/metrics.md}:
 * volume IoU, near-surface IoU, Chamfer-L1, F-scores). The reference shape is the watertight surface {@code tessera
 * prep} took every signed distance from, rebuilt from the sample's source file and stored settings (and cached); when
 * the source is gone, only the point metrics are given: the IoUs of the decoded field's inside with the sample's own
 * volume and near-surface query points ({@code points_volume_iou}, {@code points_near_iou}).
 */
public final class VecsetValidator {
    private static final System.Logger LOG = System.getLogger(VecsetValidator.class.getName());
    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** One shape's reconstruction and metrics. */
    public record ShapeResult(
            String id, TriangleMesh reference, TriangleMesh reconstruction, Map<String, Double> metrics) {}

    private final VecsetBatcher batcher;
    private final List<String> ids;
    private final SurfaceExtraction.Options extraction;
    private final MetricsOptions metrics;
    private final Map<String, TriangleMesh> references = new HashMap<>();

    /**
     * @param batcher reads the samples (its dataset holds {@code ids})
     * @param ids the held-out samples
     * @param extraction how meshes are extracted
     * @param metrics how meshes are compared
     */
    public VecsetValidator(
            VecsetBatcher batcher, List<String> ids, SurfaceExtraction.Options extraction, MetricsOptions metrics) {
        this.batcher = batcher;
        this.ids = List.copyOf(ids);
        this.extraction = extraction;
        this.metrics = metrics;
    }

    public List<String> ids() {
        return ids;
    }

    /** The metrics averaged over the held-out samples ({@code shapes}: how many; mesh metrics over those with one). */
    public Map<String, Double> validate(ShapeVae vae) throws IOException {
        List<Map<String, Double>> perShape = new java.util.ArrayList<>();
        for (String id : ids) {
            perShape.add(evaluate(vae, id).metrics());
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("shapes", (double) ids.size());
        out.putAll(mean(perShape));
        return out;
    }

    /** Each metric averaged over the shapes that have a finite value of it, in first-seen order. */
    public static Map<String, Double> mean(List<Map<String, Double>> perShape) {
        Map<String, Double> sum = new LinkedHashMap<>();
        Map<String, Integer> count = new HashMap<>();
        for (Map<String, Double> m : perShape) {
            for (var e : m.entrySet()) {
                if (Double.isFinite(e.getValue())) {
                    sum.merge(e.getKey(), e.getValue(), Double::sum);
                    count.merge(e.getKey(), 1, Integer::sum);
                }
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        sum.forEach((k, v) -> out.put(k, v / count.get(k)));
        return out;
    }

    /** Encodes, decodes and measures one sample. */
    public ShapeResult evaluate(ShapeVae vae, String id) throws IOException {
        Tensor z;
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            EncoderInput in = batcher.encoderInput(List.of(id), new SplittableRandom(id.hashCode()));
            // the mean is a view into the chunked moments, owned by a vector the scope frees: keep a copy
            z = StepScope.keep(vae.encode(in).mean().clone()); // [1, L, E]
        }
        Map<String, Double> m = new LinkedHashMap<>();
        TriangleMesh mesh;
        try (VecsetField field = new VecsetField(vae, z, 0)) {
            m.put("points_volume_iou", pointIou(field, batcher.queriesOf(id, "volume")));
            m.put("points_near_iou", pointIou(field, batcher.queriesOf(id, "near")));
            mesh = SurfaceExtraction.mesh(field, extraction, null);
        } finally {
            StepScope.release(z);
        }
        TriangleMesh reference = reference(id);
        if (reference != null) {
            if (mesh.isEmpty() || mesh.area() <= 0) {
                m.put("volume_iou", 0.0);
                m.put("near_surface_iou", 0.0);
                for (double t : metrics.fscoreThresholds()) {
                    m.put(fscoreName(t), 0.0);
                }
            } else {
                MeshMetrics.Result r = MeshMetrics.compare(reference, mesh, metrics, x -> MeshDistance.of(x)::signed);
                m.put("volume_iou", r.volumeIoU());
                m.put("near_surface_iou", r.nearSurfaceIoU());
                m.put("chamfer_l1", r.chamferL1());
                for (MeshMetrics.FScore f : r.fscores()) {
                    m.put(fscoreName(f.tau()), f.fscore());
                }
            }
        }
        return new ShapeResult(id, reference, mesh, m);
    }

    /** {@code fscore@0.02} for τ = 0.02. */
    public static String fscoreName(double tau) {
        return "fscore@"
                + String.format(java.util.Locale.ROOT, "%g", tau)
                        .replaceAll("0+$", "")
                        .replaceAll("\\.$", "");
    }

    private static double pointIou(PointField field, float[][] pointsAndSdf) {
        float[] v = field.values(pointsAndSdf[0]);
        float[] sdf = pointsAndSdf[1];
        long inter = 0, union = 0;
        for (int i = 0; i < v.length; i++) {
            boolean a = sdf[i] < 0, b = v[i] < 0;
            inter += a && b ? 1 : 0;
            union += a || b ? 1 : 0;
        }
        return union == 0 ? Double.NaN : inter / (double) union;
    }

    /** The sample's reference shape (cached), or null when its source cannot be read. */
    public TriangleMesh reference(String id) {
        if (references.containsKey(id)) {
            return references.get(id);
        }
        TriangleMesh m = null;
        try {
            m = referenceShape(batcher.dataset(), id);
        } catch (IOException | PrepException | RuntimeException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "validation of " + id + ": no reference mesh (" + e.getMessage() + "); mesh metrics skipped");
        }
        references.put(id, m);
        return m;
    }

    /**
     * The watertight surface a sample was made from: its source file, normalised and remeshed with the settings
     * stored in the sample ({@link MeshSampleBuilder#normalize}, {@link MeshSampleBuilder#watertight}).
     */
    public static TriangleMesh referenceShape(Dataset dataset, String id) throws IOException, PrepException {
        Map<String, String> md;
        try (SafetensorsReader r = dataset.open(id)) {
            md = r.metadata();
        }
        String source = md.get(SampleSchema.META_SOURCE), settings = md.get(SampleSchema.META_SETTINGS);
        if (source == null || settings == null) {
            throw new IOException(dataset.file(id) + " records no source or settings");
        }
        Path file = Path.of(source);
        if (!Files.exists(file)) {
            throw new IOException("source " + file + " of " + dataset.file(id) + " not found");
        }
        PrepOptions o = JSON.readValue(settings, PrepOptions.class);
        TriangleMesh normalized =
                MeshSampleBuilder.normalize(MeshIO.read(file), o).mesh();
        return MeshSampleBuilder.watertight(normalized, o);
    }
}
