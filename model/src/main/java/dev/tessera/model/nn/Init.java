package dev.tessera.model.nn;

import dev.tessera.model.Torch;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/** Parameter initialisation from an explicit generator (same seed, same weights). */
public final class Init {
    static {
        Torch.load();
    }

    private Init() {}

    /** Fills {@code t} with U(a, b). */
    public static void uniform(Tensor t, double a, double b, Generator g) {
        try (NoGradGuard ng = new NoGradGuard()) {
            t.uniform_(a, b, new GeneratorOptional(g));
        }
    }

    /** Fills {@code t} with N(mean, std²). */
    public static void normal(Tensor t, double mean, double std, Generator g) {
        try (NoGradGuard ng = new NoGradGuard()) {
            t.normal_(mean, std, new GeneratorOptional(g));
        }
    }

    /** Fills {@code t} with a constant. */
    public static void constant(Tensor t, double value) {
        try (NoGradGuard ng = new NoGradGuard()) {
            t.fill_(new Scalar(value));
        }
    }

    /** Fills {@code t} with zeros. */
    public static void zeros(Tensor t) {
        constant(t, 0);
    }

    /** Xavier/Glorot uniform for a 2-D weight {@code [out, in]}: U(±√(6 / (in + out))). */
    public static void xavierUniform(Tensor weight, Generator g) {
        long out = weight.size(0);
        long in = weight.numel() / out;
        double bound = Math.sqrt(6.0 / (in + out));
        uniform(weight, -bound, bound, g);
    }

    /**
     * PyTorch's default {@code nn.Linear} initialisation (Kaiming uniform with a = √5): weight and bias from
     * U(±1/√in).
     */
    public static LinearImpl linear(LinearImpl linear, Generator g) {
        torchDefault(
                linear.weight(),
                linear.bias().defined() ? linear.bias() : null,
                linear.weight().size(1),
                g);
        return linear;
    }

    /**
     * PyTorch's default initialisation of a linear or convolution layer with {@code fanIn} inputs per output (Kaiming
     * uniform with a = √5): weight, then bias (if not {@code null}), from U(±1/√fanIn).
     */
    public static void torchDefault(Tensor weight, Tensor bias, long fanIn, Generator g) {
        double bound = 1.0 / Math.sqrt(fanIn);
        uniform(weight, -bound, bound, g);
        if (bias != null) {
            uniform(bias, -bound, bound, g);
        }
    }

    /** Zeroes a weight and its bias (if not {@code null}): a layer whose output starts as nothing. */
    public static void zeros(Tensor weight, Tensor bias) {
        zeros(weight);
        if (bias != null) {
            zeros(bias);
        }
    }

    /** Xavier-uniform weight and zero bias, the initialisation DiT uses for its transformer linears. */
    public static LinearImpl linearXavier(LinearImpl linear, Generator g) {
        xavierUniform(linear.weight(), g);
        if (linear.bias().defined()) {
            zeros(linear.bias());
        }
        return linear;
    }

    /** Zero weight and bias (adaLN-Zero modulation and output layers). */
    public static LinearImpl linearZero(LinearImpl linear) {
        zeros(linear.weight());
        if (linear.bias().defined()) {
            zeros(linear.bias());
        }
        return linear;
    }
}
