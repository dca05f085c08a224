package dev.tessera.model;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Frees the native temporaries of one training or sampling step. Every tensor created on this thread while the scope
 * is open (graph included) is released when it closes, so native memory stays flat over thousands of steps.
 *
 * <pre>{@code
 * for (int step = 0; step < steps; step++) {
 *     try (var scope = new StepScope()) {
 *         Tensor loss = model.loss(batch);
 *         loss.backward();
 *         optimizer.step();
 *         log(loss.item_float());            // read scalars before the scope closes
 *     }
 * }
 * }</pre>
 *
 * <p>Rules: create models, optimizers and long-lived tensors <i>outside</i> any scope. To keep a tensor made inside,
 * call {@link #keep(Tensor)} and {@link #release(Tensor)} it when done — never {@code PointerScope.detach}, which
 * frees it. Scopes are thread-local.
 */
public final class StepScope implements AutoCloseable {
    static {
        Torch.load();
    }

    private final PointerScope scope = new PointerScope();

    /** Keeps {@code t} alive past this scope; the caller must {@link #release(Tensor)} it later. */
    public static Tensor keep(Tensor t) {
        t.retainReference();
        return t;
    }

    /** Releases a tensor kept with {@link #keep(Tensor)}. */
    public static void release(Tensor t) {
        if (t != null) {
            t.releaseReference();
        }
    }

    /**
     * Runs {@code work} in a scope of its own and keeps only the tensors {@code keep} lists from its result: every
     * other temporary of the work is freed when it returns, the kept ones belong to the scope open around the call.
     * For work without gradients, where nothing needs the temporaries afterwards.
     */
    public static <T> T only(Supplier<T> work, Function<T, List<Tensor>> keep) {
        T result;
        List<Tensor> kept;
        try (StepScope s = new StepScope()) {
            result = work.get();
            kept = keep.apply(result);
            kept.forEach(Tensor::retainReference);
        }
        handOver(kept);
        return result;
    }

    /**
     * Gives tensors retained with {@code retainReference} to the innermost scope open on this thread, which frees
     * them when it closes; with no scope open they stay until the garbage collector's fallback frees them.
     */
    public static void handOver(List<Tensor> retained) {
        PointerScope outer = PointerScope.getInnerScope();
        if (outer != null) {
            for (Tensor t : retained) {
                outer.attach(t);
                t.releaseReference();
            }
        }
    }

    @Override
    public void close() {
        scope.close();
    }
}
