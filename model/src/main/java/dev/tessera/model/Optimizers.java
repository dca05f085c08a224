package dev.tessera.model;

import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.TensorVector;

/**
 * Optimizer construction without the binding's traps.
 *
 * <p><b>The betas trap:</b> {@code AdamWOptions.betas()} exposes a C++ {@code std::tuple<double, double>}, which
 * libstdc++ lays out <i>last element first</i>: element 0 of the returned pointer is β2 and element 1 is β1 (a default
 * {@code AdamWOptions} reads {@code [0.999, 0.9]}). Writing {@code betas().put(0, 0.9).put(1, 0.999)} therefore trains
 * with β1 = 0.999 and β2 = 0.9, which converges badly. {@link #betas(AdamWOptions, double, double)} writes them the
 * right way round.
 */
public final class Optimizers {
    static {
        Torch.load();
    }

    private Optimizers() {}

    /** Sets (β1, β2) on AdamW options, in the tuple's memory order. */
    public static AdamWOptions betas(AdamWOptions o, double beta1, double beta2) {
        o.betas().put(0, beta2).put(1, beta1);
        return o;
    }

    /** AdamW options with the given hyper-parameters. */
    public static AdamWOptions adamWOptions(double lr, double beta1, double beta2, double eps, double weightDecay) {
        AdamWOptions o = new AdamWOptions(lr);
        betas(o, beta1, beta2);
        o.eps().put(eps);
        o.weight_decay().put(weightDecay);
        return o;
    }

    /** AdamW over {@code params}. */
    public static AdamW adamW(
            TensorVector params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        return new AdamW(params, adamWOptions(lr, beta1, beta2, eps, weightDecay));
    }

    /** Sets the learning rate of every parameter group. */
    public static void setLearningRate(Optimizer opt, double lr) {
        for (long g = 0; g < opt.param_groups().size(); g++) {
            opt.param_groups().get(g).options().set_lr(lr);
        }
    }
}
