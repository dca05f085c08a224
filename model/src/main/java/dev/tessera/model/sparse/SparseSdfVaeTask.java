package dev.tessera.model.sparse;

import dev.tessera.data.dataset.Dataset;
import dev.tessera.geometry.MetricsOptions;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.model.StepScope;
import dev.tessera.model.sparse.conv.DecodeTooLargeException;
import dev.tessera.model.sparse.conv.SparseTensor;
import dev.tessera.model.vecset.SurfaceExtraction;
import dev.tessera.model.vecset.VecsetReconstruction;
import dev.tessera.model.vecset.VecsetValidator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;

/**
 * Trains a {@link SparseSdfVae} with the shared {@link dev.tessera.model.train.Trainer} on prepared samples' sparse
 * SDF bands: each micro-batch draws {@code batchSize} training samples (with replacement, from the trainer's seeded
 * random), and validation reconstructs up to {@code validationShapes} held-out samples without guidance.
 *
 * <p>Logged terms: {@code loss}, {@code sdf} (truncated-SDF L1 or L2), {@code prune} (occupancy BCE), {@code kl},
 * {@code prune_acc} (fraction of children whose keep/drop the heads predicted right). Validation: {@code iou}
 * (inside band voxels, {@link SparseSdfVae#iou}), {@code voxels_ratio} (reconstructed / true active voxels),
 * {@code sdf} and {@code prune_acc} with teacher forcing; with mesh metrics on, each reconstruction's surface ({@link
 * SparseSdfMesh}) against the sample's watertight reference shape ({@code docs/metrics.md}): {@code volume_iou},
 * {@code near_surface_iou}, {@code chamfer_l1}, {@code fscore@0.01}, {@code fscore@0.02} (averaged over the shapes
 * whose reference could be rebuilt from its source file). A shape whose decode is refused for memory ({@link
 * DecodeTooLargeException}: an early model that keeps nearly every child) counts as IoU 0, is left out of the other
 * reconstruction metrics and counted in {@code refused}; the run goes on.
 */
public final class SparseSdfVaeTask extends DatasetVaeTask {
    private static final System.Logger LOG = System.getLogger(SparseSdfVaeTask.class.getName());

    private final SparseSdfVae vae;

    private final MetricsOptions metrics;
    private final Map<String, TriangleMesh> references = new HashMap<>();

    public SparseSdfVaeTask(SparseSdfVae vae, Dataset train, Dataset validation, int batchSize, int validationShapes) {
        this(vae, train, validation, batchSize, validationShapes, null);
    }

    /**
     * @param metrics how validation compares reconstructed meshes with the reference shapes, or null for no mesh
     *     metrics
     */
    public SparseSdfVaeTask(
            SparseSdfVae vae,
            Dataset train,
            Dataset validation,
            int batchSize,
            int validationShapes,
            MetricsOptions metrics) {
        super(vae, vae.config(), train, validation, batchSize, validationShapes);
        this.vae = vae;
        this.metrics = metrics;
    }

    public SparseSdfVae vae() {
        return vae;
    }

    @Override
    public void check(String id) throws IOException {
        SparseSamples.band(train, id, vae.config().resolution());
    }

    /** A batch of samples' bands as the model's input. */
    public SparseTensor batch(Dataset ds, List<String> ids) throws IOException {
        List<int[]> coords = new ArrayList<>();
        List<float[]> sdf = new ArrayList<>();
        for (String id : ids) {
            SparseSamples.Band b = SparseSamples.band(ds, id, vae.config().resolution());
            coords.add(b.coords());
            sdf.add(b.sdf());
        }
        return vae.batch(coords, sdf);
    }

    @Override
    public Map<String, Tensor> loss(long step, int micro, SplittableRandom random, Generator generator)
            throws IOException {
        SparseSdfVae.Losses l = vae.losses(batch(train, drawBatch(random)), generator);
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("loss", l.loss());
        out.put("sdf", l.sdf());
        out.put("prune", l.prune());
        out.put("kl", l.kl());
        out.put("prune_acc", l.pruneAccuracy());
        return out;
    }

    @Override
    public Map<String, Double> validate(long step) throws IOException {
        List<String> ids = validationIds();
        if (ids.isEmpty()) {
            return Map.of();
        }
        double iou = 0, ratio = 0, sdf = 0, acc = 0;
        Map<String, Double> meshSum = new LinkedHashMap<>();
        int meshes = 0, refused = 0;
        for (String id : ids) {
            try (StepScope s = new StepScope()) { // one shape's tensors at a time
                SparseTensor x = batch(validation, List.of(id));
                SparseTensor r = null;
                try {
                    r = vae.reconstruct(x);
                } catch (DecodeTooLargeException e) {
                    // an early model that keeps too many children: the shape counts as IoU 0, the run goes on
                    refused++;
                    LOG.log(System.Logger.Level.WARNING, "validation of " + id + ": " + e.getMessage());
                }
                if (r != null) {
                    TriangleMesh reference = metrics == null ? null : reference(id);
                    if (reference != null) {
                        TriangleMesh mesh = SurfaceExtraction.clean(
                                SparseSdfMesh.extract(r, 0, 0f),
                                SurfaceExtraction.Options.defaults().minComponentArea(),
                                0); // as the vecset validation and reconstruction clean theirs
                        VecsetReconstruction.compare(reference, mesh, metrics)
                                .forEach((k, v) -> meshSum.merge(k, v, Double::sum));
                        meshes++;
                    }
                    iou += SparseSdfVae.iou(r, x);
                    ratio += (double) r.size() / x.size();
                }
                SparseSdfVae.Losses l = vae.losses(x, dev.tessera.model.Rng.cpu(step));
                sdf += l.sdf().item_double();
                acc += l.pruneAccuracy().item_double();
            }
        }
        int n = ids.size();
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("iou", iou / n);
        if (refused < n) {
            m.put("voxels_ratio", ratio / (n - refused));
        }
        if (refused > 0) {
            m.put("refused", (double) refused);
        }
        m.put("sdf", sdf / n);
        m.put("prune_acc", acc / n);
        for (Map.Entry<String, Double> e : meshSum.entrySet()) {
            m.put(e.getKey(), e.getValue() / meshes);
        }
        return m;
    }

    /** The watertight shape sample {@code id} was prepared from (cached), or null when it cannot be rebuilt. */
    private TriangleMesh reference(String id) {
        if (references.containsKey(id)) {
            return references.get(id);
        }
        TriangleMesh m = null;
        try {
            m = VecsetValidator.referenceShape(validation, id);
        } catch (IOException | dev.tessera.data.prep.PrepException | RuntimeException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "validation of " + id + ": no reference mesh (" + e.getMessage() + "); mesh metrics skipped");
        }
        references.put(id, m);
        return m;
    }
}
