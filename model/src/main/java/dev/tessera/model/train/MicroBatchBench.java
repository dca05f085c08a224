package dev.tessera.model.train;

import dev.tessera.model.CoreParallel;
import dev.tessera.model.StepTimer;
import java.util.List;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * A training benchmark's step, as the trainers run theirs: AdamW with {@code torch.optim.AdamW}'s defaults (how the
 * peer script builds its optimisers) over a model's parameters, and a batch cut into one micro-batch per core. Each
 * {@link #run} is one {@link ParallelBackward#step} of the subclass's micro-batch losses, for the next step number.
 * Closing frees the optimiser's state; a subclass frees its batch after calling {@code super.close()}.
 *
 * @param <M> the model's type
 */
public abstract class MicroBatchBench<M extends Module> implements StepTimer.Step {
    protected final M model;
    private final FusedAdamW opt;
    private final List<Tensor> params;
    private final int micros;
    /** Samples per micro-batch. */
    protected final long per;

    private long step;

    protected MicroBatchBench(M model, int batch) {
        this.model = model;
        this.opt = FusedAdamW.torchDefaults(model, 1e-4);
        this.params = ParallelBackward.parameters(model);
        this.micros = CoreParallel.shared().piecesFor(batch);
        this.per = batch / micros;
    }

    public FusedAdamW optimizer() {
        return opt;
    }

    public List<Tensor> parameters() {
        return params;
    }

    /** Number of micro-batches (one per core, as the trainers run a batch). */
    public int micros() {
        return micros;
    }

    /** Micro-batch {@code m}'s loss at step {@code step}; its random draws come from both. */
    public abstract Tensor loss(int m, long step);

    @Override
    public void run() {
        long s = step++;
        ParallelBackward.step(opt, params, micros, m -> loss(m, s));
    }

    @Override
    public void close() {
        opt.close();
    }
}
