package dev.tessera.model.train;

import dev.tessera.model.CoreParallel;
import dev.tessera.model.StepScope;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The forward and backward passes of one optimiser step's micro-batches, run side by side on the cores
 * ({@link CoreParallel}), their gradients summed in micro-batch order.
 *
 * <p>Each micro-batch's loss is divided by the number of micro-batches, so the summed gradient is the gradient of
 * their mean: the same step as one batch holding all of them, for models without batch-coupled layers (no batch
 * norm here). Each piece computes its gradients with {@code torch::autograd::grad} instead of accumulating into the
 * parameters' {@code .grad} concurrently; then the cores add them, each core a run of the parameters, every sum in
 * micro-batch order: the result does not depend on which piece finishes first, so a seeded step is bit-for-bit
 * reproducible with any number of cores.
 */
public final class ParallelBackward {
    private ParallelBackward() {}

    /**
     * The parameters of {@code module} that require gradients, as owned handles: {@code parameters()} returns a
     * vector whose elements are references into it, which dangle once the vector is collected.
     */
    public static List<Tensor> parameters(org.bytedeco.pytorch.Module module) {
        return new java.util.ArrayList<>(namedParameters(module).values());
    }

    /** The same by name, in the module's order ({@code parameters()} is {@code named_parameters()}'s values). */
    public static Map<String, Tensor> namedParameters(org.bytedeco.pytorch.Module module) {
        var dict = module.named_parameters(true);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (long i = 0; i < dict.size(); i++) {
            Tensor p = new Tensor(dict.get(i).value()); // an owned handle: the dict's entries dangle once it goes
            if (p.requires_grad()) {
                out.put(dict.get(i).key().getString(), p);
            }
        }
        return out;
    }

    /** What one step's micro-batches gave: the mean of each logged term, and whether every loss was finite. */
    public record Result(Map<String, Double> terms, boolean finite) {}

    /**
     * Runs {@code lossOf.apply(micro)} for every micro-batch (each on its own core when there are several; the
     * function runs on a worker thread and must take its randomness from generators of its own), then adds
     * {@code Σ ∂(loss_micro / micros) / ∂p} to each parameter's gradient. When a loss is not finite nothing is
     * added and {@link Result#finite()} is false.
     *
     * @param params the parameters to differentiate (each {@code requires_grad})
     * @param micros the number of micro-batches, at least 1
     * @param lossOf the loss terms of a micro-batch; must contain {@code "loss"}, the other entries are logged
     */
    public static Result run(List<Tensor> params, int micros, IntFunction<Map<String, Tensor>> lossOf) {
        return run(params, micros, true, lossOf);
    }

    /**
     * The same, or with {@code parallel} false the micro-batches one after the other on the calling thread, each
     * loss's {@code backward()} accumulating into the gradients (for tasks whose loss function is not thread-safe).
     */
    public static Result run(
            List<Tensor> params, int micros, boolean parallel, IntFunction<Map<String, Tensor>> lossOf) {
        if (micros == 1 || !parallel) {
            return sequential(micros, lossOf);
        }
        TensorVector inputs = new TensorVector(params.toArray(new Tensor[0]));
        List<Piece> pieces = CoreParallel.shared().map(micros, micro -> {
            try (StepScope scope = new StepScope()) {
                Map<String, Tensor> t = lossOf.apply(micro);
                Map<String, Double> terms = items(t);
                Tensor loss = t.get("loss");
                if (!Double.isFinite(terms.get("loss"))) {
                    return new Piece(terms, null);
                }
                Tensor scaled = micros == 1 ? loss : loss.div(new Scalar(micros));
                TensorVector g = torch.grad(
                        new TensorVector(scaled), inputs, new TensorVector(), new BoolOptional(false), false, true);
                Tensor[] grads = new Tensor[params.size()];
                for (int i = 0; i < grads.length; i++) {
                    Tensor gi = g.get(i); // a reference into the vector: copy the handle before the vector goes
                    grads[i] = gi.defined() ? StepScope.keep(new Tensor(gi)) : null;
                }
                return new Piece(terms, grads);
            }
        });
        Map<String, Double> terms = new LinkedHashMap<>();
        boolean finite = true;
        for (Piece p : pieces) {
            finite &= p.grads != null;
            p.terms.forEach((k, v) -> terms.merge(k, v / micros, Double::sum));
        }
        try {
            if (finite) {
                CoreParallel.shared()
                        .forEachRun(
                                params,
                                CoreParallel.shared().workers(),
                                (from, to) -> addGradients(params, pieces, from, to));
            }
        } finally {
            for (Piece p : pieces) {
                if (p.grads != null) {
                    for (Tensor gi : p.grads) {
                        StepScope.release(gi);
                    }
                }
            }
        }
        return new Result(terms, finite);
    }

    /**
     * Adds the pieces' gradients of parameters {@code [from, to)} in piece order and puts the sum into (or adds it to)
     * each parameter's gradient.
     */
    private static void addGradients(List<Tensor> params, List<Piece> pieces, int from, int to) {
        for (int i = from; i < to; i++) {
            Tensor sum = null;
            int added = 0;
            for (Piece p : pieces) {
                Tensor gi = p.grads[i];
                if (gi != null) {
                    // the first gradient as it is, the second into a new tensor, the rest in place into it:
                    // autograd may hand the same tensor to two parameters (p1 + p2 gives both the incoming
                    // gradient), so a piece's own gradients are never written to
                    sum = added == 0 ? gi : added == 1 ? sum.add(gi) : sum.add_(gi);
                    added++;
                }
            }
            if (sum != null) {
                Tensor param = params.get(i);
                if (param.grad().defined()) {
                    param.mutable_grad().add_(sum);
                } else {
                    param.mutable_grad().put(sum);
                }
            }
        }
    }

    /**
     * One optimiser step as the training benchmarks time it: clear the gradients, {@link #run} the micro-batches'
     * losses side by side, step {@code opt}.
     *
     * @throws IllegalStateException when a loss is not finite (a benchmark has no use for a skipped step)
     */
    public static void step(FusedAdamW opt, List<Tensor> params, int micros, IntFunction<Tensor> lossOf) {
        opt.zeroGrad();
        Result r = run(params, micros, m -> Map.of("loss", lossOf.apply(m)));
        opt.step();
        if (!r.finite()) {
            throw new IllegalStateException("non-finite loss in the benchmark step");
        }
    }

    /** The micro-batches in turn on the calling thread, each {@code backward()} adding into the gradients. */
    private static Result sequential(int micros, IntFunction<Map<String, Tensor>> lossOf) {
        Map<String, Double> terms = new LinkedHashMap<>();
        for (int micro = 0; micro < micros; micro++) {
            try (StepScope scope = new StepScope()) {
                Map<String, Tensor> t = lossOf.apply(micro);
                Map<String, Double> own = items(t);
                if (!Double.isFinite(own.get("loss"))) {
                    return new Result(terms, false);
                }
                Tensor loss = t.get("loss");
                (micros == 1 ? loss : loss.div(new Scalar(micros))).backward();
                own.forEach((k, v) -> terms.merge(k, v / micros, Double::sum));
            }
        }
        return new Result(terms, true);
    }

    private static Map<String, Double> items(Map<String, Tensor> t) {
        if (!t.containsKey("loss")) {
            throw new IllegalStateException("the task's loss map has no \"loss\" entry");
        }
        Map<String, Double> terms = new LinkedHashMap<>();
        for (var e : t.entrySet()) {
            terms.put(e.getKey(), e.getValue().item_double());
        }
        return terms;
    }

    private record Piece(Map<String, Double> terms, Tensor[] grads) {}
}
