package dev.tessera.model.vecset;

import dev.tessera.data.dataset.Dataset;
import dev.tessera.geometry.MetricsOptions;
import dev.tessera.model.train.TrainTask;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * The vecset VAE's {@link TrainTask} for the shared {@link dev.tessera.model.train.Trainer}: every micro-batch takes
 * the next {@code batch_size} training shapes of a seeded epoch order, draws random subsets of their points and queries
 * ({@link VecsetBatcher}) and returns the loss of {@link ShapeVae#losses}; validation reconstructs held-out shapes and
 * measures them ({@link VecsetValidator}).
 *
 * <p>The shapes of step {@code s}, micro-batch {@code m} depend only on the seed, {@code s} and {@code m} (and the
 * data), so a resumed run sees the same batches as an uninterrupted one.
 */
public final class VecsetTrainTask implements TrainTask, AutoCloseable {
    private final ShapeVae vae;
    private final VecsetTrainSettings settings;
    private final Dataset train;
    private final VecsetBatcher batcher;
    private final VecsetValidator validator;
    private final int accumulation;
    private final long seed;
    private long cachedEpoch = -1;
    private List<String> cachedOrder;

    /**
     * @param vae the model (created outside any step scope)
     * @param dataset the prepared samples
     * @param settings batches, loss weights, validation
     * @param accumulation micro-batches per optimiser step (the trainer's)
     * @param seed the run's seed (the trainer's)
     * @throws IllegalArgumentException when a sample lacks an array the VAE reads, or no shape is left for training
     */
    public VecsetTrainTask(ShapeVae vae, Dataset dataset, VecsetTrainSettings settings, int accumulation, long seed)
            throws IOException {
        this.vae = vae;
        this.settings = settings;
        this.accumulation = accumulation;
        this.seed = seed;
        Dataset.Split split = dataset.split(settings.validationFraction());
        List<String> held = heldOut(dataset, settings.validationFraction());
        Dataset trainSet = split.train();
        if (trainSet.size() == 0) {
            throw new IllegalArgumentException(dataset.root() + ": all " + dataset.size() + " samples fell in the"
                    + " validation share " + settings.validationFraction() + "; lower it or add shapes");
        }
        if (held.isEmpty()) { // no held-out shape: validate on training shapes
            held.addAll(trainSet.ids());
            java.util.Collections.sort(held);
        }
        this.train = trainSet;
        this.batcher = new VecsetBatcher(dataset, vae.config(), settings.queries(), settings.spin());
        this.validator = new VecsetValidator(
                batcher,
                Dataset.spread(held, settings.validationShapes()),
                SurfaceExtraction.Options.defaults().withResolution(settings.validationResolution()),
                MetricsOptions.defaults().withPoints(settings.metricsPoints()));
    }

    /**
     * The held-out ids of a dataset for a validation share, sorted (the shapes a run with that share never trains
     * on); empty when the share holds none.
     */
    public static List<String> heldOut(Dataset dataset, double validationFraction) {
        List<String> held =
                new ArrayList<>(dataset.split(validationFraction).validation().ids());
        java.util.Collections.sort(held);
        return held;
    }

    @Override
    public Module model() {
        return vae;
    }

    @Override
    public Object config() {
        return vae.config();
    }

    public ShapeVae vae() {
        return vae;
    }

    public VecsetTrainSettings settings() {
        return settings;
    }

    /** The training shapes. */
    public Dataset trainingSet() {
        return train;
    }

    /** The shapes validation reconstructs. */
    public List<String> validationIds() {
        return validator.ids();
    }

    public VecsetValidator validator() {
        return validator;
    }

    /** The ids of micro-batch {@code micro} of step {@code step}: consecutive positions of seeded epoch orders. */
    public synchronized List<String> batchIds(long step, int micro) {
        int n = train.size(), b = settings.batchSize();
        List<String> ids = new ArrayList<>(b);
        long first = (step * accumulation + micro) * (long) b;
        for (int i = 0; i < b; i++) {
            long g = first + i;
            long epoch = g / n;
            if (epoch != cachedEpoch) {
                cachedOrder = train.epochOrder(seed, epoch);
                cachedEpoch = epoch;
            }
            ids.add(cachedOrder.get((int) (g % n)));
        }
        return ids;
    }

    @Override
    public Map<String, Tensor> loss(long step, int micro, SplittableRandom random, Generator generator)
            throws IOException {
        VecsetBatch batch = batcher.batch(batchIds(step, micro), random);
        ShapeVae.Losses l = vae.losses(batch, settings.klWeight(), generator);
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        out.put("loss", l.loss());
        out.put("reconstruction", l.reconstruction());
        out.put("kl", l.kl());
        return out;
    }

    /** The batcher's reads are synchronised and the epoch-order cache is: micro-batches may run side by side. */
    @Override
    public boolean parallelMicroBatches() {
        return true;
    }

    @Override
    public Map<String, Double> validate(long step) throws IOException {
        return validator.validate(vae);
    }

    @Override
    public void close() {
        batcher.close();
    }
}
