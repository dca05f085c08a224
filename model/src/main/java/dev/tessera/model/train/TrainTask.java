package dev.tessera.model.train;

import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * What a model brings to the shared {@link Trainer}: the module, its config, how to compute the loss of one
 * micro-batch, and optionally how to validate.
 */
public interface TrainTask {
    /** The module being trained (its registered parameters are optimised). */
    Module model();

    /** The model's config record, saved as {@code config.json} with every checkpoint. */
    Object config();

    /**
     * The loss terms of one micro-batch. Must contain {@code "loss"} (the scalar to minimise); other entries (scalars)
     * are logged. All randomness must come from {@code random} (data) and {@code generator} (libtorch noise), which the
     * trainer derives from the seed, the step and the micro-batch index, so runs are reproducible and resumable.
     */
    Map<String, Tensor> loss(long step, int micro, SplittableRandom random, Generator generator) throws Exception;

    /**
     * True when {@link #loss} may run for several micro-batches of a step at once, on different threads: the
     * trainer then runs them side by side on the cores ({@code ParallelBackward}). A task says so only when its
     * data access and any caches are thread-safe. By default the micro-batches run one after the other.
     */
    default boolean parallelMicroBatches() {
        return false;
    }

    /** Validation metrics (higher or lower is better, as named), computed with the current (EMA) weights. */
    default Map<String, Double> validate(long step) throws Exception {
        return Map.of();
    }
}
