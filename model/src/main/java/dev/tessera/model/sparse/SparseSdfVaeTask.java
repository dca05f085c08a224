package dev.tessera.model.sparse;

import dev.tessera.data.dataset.Dataset;
import dev.tessera.model.sparse.conv.SparseTensor;
import java.io.IOException;
import java.util.ArrayList;
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
 * {@code sdf} and {@code prune_acc} with teacher forcing.
 */
public final class SparseSdfVaeTask extends DatasetVaeTask {
    private final SparseSdfVae vae;

    public SparseSdfVaeTask(SparseSdfVae vae, Dataset train, Dataset validation, int batchSize, int validationShapes) {
        super(vae, vae.config(), train, validation, batchSize, validationShapes);
        this.vae = vae;
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
        for (String id : ids) {
            SparseTensor x = batch(validation, List.of(id));
            SparseTensor r = vae.reconstruct(x);
            iou += SparseSdfVae.iou(r, x);
            ratio += (double) r.size() / x.size();
            SparseSdfVae.Losses l = vae.losses(x, dev.tessera.model.Rng.cpu(step));
            sdf += l.sdf().item_double();
            acc += l.pruneAccuracy().item_double();
        }
        int n = ids.size();
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("iou", iou / n);
        m.put("voxels_ratio", ratio / n);
        m.put("sdf", sdf / n);
        m.put("prune_acc", acc / n);
        return m;
    }
}
