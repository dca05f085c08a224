package dev.tessera.model.sparse;

import dev.tessera.data.dataset.Dataset;
import dev.tessera.model.Tensors;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;

/**
 * Trains TRELLIS's {@link SparseStructureVae} with the shared {@link dev.tessera.model.train.Trainer} on prepared
 * samples' surface voxels ({@code voxels64 == 1}; max-pooled when the model's resolution is a divisor of 64): each
 * micro-batch draws {@code batchSize} training samples with the trainer's seeded random; validation reconstructs up
 * to {@code validationShapes} held-out samples (posterior mean, occupied where the logit is positive).
 *
 * <p>Logged terms: {@code loss}, {@code occupancy} (the config's {@code loss_type}), {@code kl}. Validation: {@code
 * iou} over all validated voxels, {@code occupancy}.
 */
public final class SparseStructureVaeTask extends DatasetVaeTask {
    private final SparseStructureVae vae;

    public SparseStructureVaeTask(
            SparseStructureVae vae, Dataset train, Dataset validation, int batchSize, int validationShapes) {
        super(vae, vae.config(), train, validation, batchSize, validationShapes);
        this.vae = vae;
    }

    /**
     * The mean occupancy of up to {@code shapes} training samples spread over the sorted ids, clamped to
     * {@code [1e-4, 0.5]}: the prior {@link SparseStructureDecoder#initOutputPrior} starts a new run from.
     */
    public double occupancyPrior(int shapes) throws IOException {
        List<String> ids = new java.util.ArrayList<>(train.ids());
        java.util.Collections.sort(ids);
        int r = vae.config().resolution();
        double sum = 0;
        List<String> chosen = Dataset.spread(ids, shapes);
        for (String id : chosen) {
            for (float v : SparseSamples.occupancy(train, id, r)) {
                sum += v;
            }
        }
        double mean = sum / ((double) chosen.size() * r * r * r);
        return Math.min(0.5, Math.max(1e-4, mean));
    }

    /** The occupancies of the given samples as {@code [B, 1, R, R, R]}. */
    public Tensor batch(Dataset ds, List<String> ids) throws IOException {
        int r = vae.config().resolution();
        int n = r * r * r;
        float[] all = new float[ids.size() * n];
        for (int i = 0; i < ids.size(); i++) {
            System.arraycopy(SparseSamples.occupancy(ds, ids.get(i), r), 0, all, i * n, n);
        }
        return Tensors.fromFloats(all, ids.size(), 1, r, r, r);
    }

    @Override
    public void check(String id) throws IOException {
        SparseSamples.occupancy(train, id, vae.config().resolution());
    }

    public SparseStructureVae vae() {
        return vae;
    }

    @Override
    public Map<String, Tensor> loss(long step, int micro, SplittableRandom random, Generator generator)
            throws IOException {
        SparseStructureVae.Losses l = vae.losses(batch(train, drawBatch(random)), generator);
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("loss", l.loss());
        out.put("occupancy", l.occupancy());
        out.put("kl", l.kl());
        return out;
    }

    @Override
    public Map<String, Double> validate(long step) throws IOException {
        List<String> ids = validationIds();
        if (ids.isEmpty()) {
            return Map.of();
        }
        double inter = 0, union = 0, occ = 0;
        for (String id : ids) {
            Tensor x = batch(validation, List.of(id)); // [1, 1, R, R, R]
            Tensor logits = vae.reconstruct(x);
            Tensor pred = logits.gt(new org.bytedeco.pytorch.Scalar(0.0));
            Tensor truth = x.gt(new org.bytedeco.pytorch.Scalar(0.5));
            inter += pred.logical_and(truth).sum().item_double();
            union += pred.logical_or(truth).sum().item_double();
            occ += SparseStructureVae.occupancyLoss(vae.config().lossType(), logits, x)
                    .item_double();
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("iou", union == 0 ? 1.0 : inter / union);
        m.put("occupancy", occ / ids.size());
        return m;
    }
}
