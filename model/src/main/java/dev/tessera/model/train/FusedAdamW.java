package dev.tessera.model.train;

import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.safetensors.SafetensorsWriter;
import dev.tessera.model.CoreParallel;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import dev.tessera.model.Torch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.bytedeco.pytorch.Dispatcher;
import org.bytedeco.pytorch.GenericList;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.OperatorHandle;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.SingletonTypePtr;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorType;
import org.bytedeco.pytorch.Type;
import org.bytedeco.pytorch.global.torch;

/**
 * AdamW (Loshchilov &amp; Hutter 2019, decoupled weight decay) on libtorch's fused kernel, {@code aten::_fused_adamw_}
 * — what PyTorch runs for {@code torch.optim.AdamW(..., fused=True)}: one pass over each parameter reads the
 * parameter, its gradient and both moments and writes all three back, where libtorch's C++ {@code torch::optim::AdamW}
 * makes eight passes and two temporaries per parameter. On the VecSet DiT bench preset (13.6 M parameters) a step
 * takes 13 ms against 30 ms (docs/benchmarks.md). The update is PyTorch's, within float rounding
 * ({@code FusedAdamWTest} compares it with libtorch's AdamW).
 *
 * <p>Parameters come in groups that share a weight decay; every group shares the learning rate, betas and ε. A
 * parameter without a gradient at a step is skipped and its step count stays, as in PyTorch. The state — {@code
 * <name>.exp_avg}, {@code <name>.exp_avg_sq} and {@code <name>.step} per parameter — is saved to and loaded from a
 * safetensors file ({@link #save}, {@link #load}), so a resumed run continues bit-exactly.
 *
 * <p>The JavaCPP binding does not expose the op, so {@link #step()} calls it through the dispatcher with its boxed
 * schema: {@code (params[], grads[], exp_avgs[], exp_avg_sqs[], max_exp_avg_sqs[], state_steps[], *, lr, beta1,
 * beta2, weight_decay, eps, amsgrad, maximize, grad_scale?, found_inf?)}.
 */
public final class FusedAdamW implements AutoCloseable {
    static {
        Torch.load();
    }

    /** Retained: created inside a {@link StepScope} (class initialisation may happen there), it would be freed. */
    private static final Scalar ONE = new Scalar(1.0).retainReference();

    private final double beta1;
    private final double beta2;
    private final double eps;
    private double lr;
    private final List<Group> groups = new ArrayList<>();
    private final Map<String, Param> byName = new LinkedHashMap<>();
    private OperatorHandle op;

    private record Param(String name, Tensor value, Tensor expAvg, Tensor expAvgSq, Tensor step) {}

    private record Group(List<Param> params, double weightDecay) {}

    /** An optimiser without parameters yet; add them with {@link #addGroup}. */
    public FusedAdamW(double lr, double beta1, double beta2, double eps) {
        if (!(lr >= 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps >= 0)) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "AdamW needs lr >= 0, betas in [0, 1) and eps >= 0; got lr %g, betas (%g, %g), eps %g",
                    lr,
                    beta1,
                    beta2,
                    eps));
        }
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    /** AdamW over every parameter of {@code module} that requires a gradient, in one group. */
    public static FusedAdamW of(Module module, double lr, double beta1, double beta2, double eps, double weightDecay) {
        return new FusedAdamW(lr, beta1, beta2, eps).addGroup(ParallelBackward.namedParameters(module), weightDecay);
    }

    /**
     * AdamW as the benchmarks' PyTorch peer builds it, {@code torch.optim.AdamW(params, lr)}: betas (0.9, 0.999), eps
     * 1e-8, weight decay 0.01.
     */
    public static FusedAdamW torchDefaults(Module module, double lr) {
        return of(module, lr, 0.9, 0.999, 1e-8, 0.01);
    }

    /**
     * Adds parameters (by name; names are unique over all groups and key the saved state) with their weight decay.
     * Each must be a dense float32 leaf that requires a gradient.
     */
    public FusedAdamW addGroup(Map<String, Tensor> params, double weightDecay) {
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
        List<Param> list = new ArrayList<>();
        for (var e : params.entrySet()) {
            Tensor p = e.getValue();
            if (byName.containsKey(e.getKey())) {
                throw new IllegalArgumentException("parameter " + e.getKey() + " is already in the optimiser");
            }
            if (p.scalar_type().intern() != torch.ScalarType.Float || !p.is_contiguous()) {
                throw new IllegalArgumentException(
                        "parameter " + e.getKey() + " must be a contiguous float32 tensor, is " + p.scalar_type());
            }
            Param q;
            try (NoGradGuard ng = new NoGradGuard()) {
                q = new Param(
                        e.getKey(),
                        StepScope.keep(new Tensor(p)),
                        StepScope.keep(torch.zeros_like(p).contiguous()),
                        StepScope.keep(torch.zeros_like(p).contiguous()),
                        StepScope.keep(p.new_zeros(new long[0]))); // on the parameter's device, as the fused op needs
            }
            list.add(q);
            byName.put(q.name, q);
        }
        groups.add(new Group(List.copyOf(list), weightDecay));
        return this;
    }

    public double learningRate() {
        return lr;
    }

    public void setLearningRate(double lr) {
        if (!(lr >= 0)) {
            throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
        }
        this.lr = lr;
    }

    /** Drops every parameter's gradient (PyTorch's {@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        for (Param p : byName.values()) {
            if (p.value.grad().defined()) {
                p.value.mutable_grad().put(new Tensor());
            }
        }
    }

    /**
     * One AdamW update of every parameter that has a gradient. Each group's parameters are cut into runs of about
     * equal size, one per core, and each run is one fused call on its own {@link CoreParallel} worker: the kernel
     * forks its OpenMP threads once per tensor, which costs more than the update of most of the model's tensors
     * (docs/benchmarks.md, <i>AdamW and the gradient sum on the cores</i>). The update of an element does not depend on the cut, so the
     * result is the same for any number of cores.
     */
    public void step() {
        step(CoreParallel.shared().workers());
    }

    /** The same with the parameters of each group cut into at most {@code runs} runs. */
    void step(int runs) {
        try (NoGradGuard ng = new NoGradGuard();
                StepScope s = new StepScope()) {
            for (Group g : groups) {
                List<Tensor> values = new ArrayList<>(), grads = new ArrayList<>();
                List<Tensor> expAvgs = new ArrayList<>(), expAvgSqs = new ArrayList<>(), steps = new ArrayList<>();
                for (Param p : g.params) {
                    Tensor grad = p.value.grad();
                    if (!grad.defined()) {
                        continue;
                    }
                    p.step.add_(ONE);
                    values.add(p.value);
                    grads.add(grad.is_contiguous() ? grad : grad.contiguous());
                    expAvgs.add(p.expAvg);
                    expAvgSqs.add(p.expAvgSq);
                    steps.add(p.step);
                }
                if (values.isEmpty()) {
                    continue;
                }
                OperatorHandle op = op(); // looked up here, not on two workers at once
                CoreParallel.shared()
                        .forEachRun(
                                values,
                                runs,
                                (from, to) -> update(
                                        op,
                                        values.subList(from, to),
                                        grads.subList(from, to),
                                        expAvgs.subList(from, to),
                                        expAvgSqs.subList(from, to),
                                        steps.subList(from, to),
                                        g.weightDecay));
            }
        }
    }

    /** One fused call on a run of parameters with gradients (the caller's thread holds no-grad mode). */
    private void update(
            OperatorHandle op,
            List<Tensor> values,
            List<Tensor> grads,
            List<Tensor> expAvgs,
            List<Tensor> expAvgSqs,
            List<Tensor> steps,
            double weightDecay) {
        IValueVector stack = new IValueVector();
        stack.push_back(list(values));
        stack.push_back(list(grads));
        stack.push_back(list(expAvgs));
        stack.push_back(list(expAvgSqs));
        stack.push_back(list(List.of())); // max_exp_avg_sqs: amsgrad is off
        stack.push_back(list(steps));
        stack.push_back(new IValue(lr));
        stack.push_back(new IValue(beta1));
        stack.push_back(new IValue(beta2));
        stack.push_back(new IValue(weightDecay));
        stack.push_back(new IValue(eps));
        stack.push_back(new IValue(false)); // amsgrad
        stack.push_back(new IValue(false)); // maximize
        stack.push_back(new IValue()); // grad_scale
        stack.push_back(new IValue()); // found_inf
        op.callBoxed(stack);
    }

    private OperatorHandle op() {
        if (op == null) {
            // retained: looked up inside step()'s scope, the handle would be freed when the scope closes
            op = Dispatcher.singleton()
                    .findSchemaOrThrow("aten::_fused_adamw_", "")
                    .retainReference();
        }
        return op;
    }

    private static IValue list(List<Tensor> tensors) {
        GenericList l = new GenericList(new Type.TypePtr(new SingletonTypePtr(TensorType.get())));
        for (Tensor t : tensors) {
            l.push_back(new IValue(t));
        }
        return new IValue(l);
    }

    /** The state by name: {@code <param>.exp_avg}, {@code <param>.exp_avg_sq} and {@code <param>.step}. */
    public Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Param p : byName.values()) {
            out.put(p.name + ".exp_avg", p.expAvg);
            out.put(p.name + ".exp_avg_sq", p.expAvgSq);
            out.put(p.name + ".step", p.step);
        }
        return out;
    }

    /** Writes the state to a safetensors file. */
    public void save(Path file) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter().metadata("optimizer", "AdamW");
        state().forEach((k, v) -> Tensors.add(w, k, v));
        w.write(file);
    }

    /**
     * Reads the state saved by {@link #save}: every entry must be there with its shape, and nothing else, or nothing
     * is loaded and the exception lists what differs.
     */
    public void load(Path file) throws IOException {
        Map<String, Tensor> state = state();
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            Set<String> missing = new TreeSet<>(state.keySet());
            missing.removeAll(r.names());
            Set<String> unexpected = new TreeSet<>(r.names());
            unexpected.removeAll(state.keySet());
            List<String> shapes = new ArrayList<>();
            for (var e : state.entrySet()) {
                if (r.names().contains(e.getKey())) {
                    long[] saved = r.info(e.getKey()).shape();
                    long[] own = Tensors.shape(e.getValue());
                    if (!Arrays.equals(saved, own)) {
                        shapes.add(e.getKey() + " " + Arrays.toString(saved) + " != " + Arrays.toString(own));
                    }
                }
            }
            if (!missing.isEmpty() || !unexpected.isEmpty() || !shapes.isEmpty()) {
                throw new IOException(file + " does not hold this optimiser's state: missing " + missing
                        + ", unexpected " + unexpected + ", shape mismatches " + shapes
                        + " (was it saved for another model or parameter grouping?)");
            }
            try (NoGradGuard ng = new NoGradGuard();
                    StepScope s = new StepScope()) {
                for (var e : state.entrySet()) {
                    e.getValue().copy_(Tensors.view(r, e.getKey()));
                }
            }
        }
    }

    /** Releases the state tensors. */
    @Override
    public void close() {
        for (Param p : byName.values()) {
            StepScope.release(p.value);
            StepScope.release(p.expAvg);
            StepScope.release(p.expAvgSq);
            StepScope.release(p.step);
        }
        byName.clear();
        groups.clear();
    }
}
