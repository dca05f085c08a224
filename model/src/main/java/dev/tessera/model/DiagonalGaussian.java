package dev.tessera.model;

import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * A VAE posterior with a diagonal covariance, N(mean, exp(logvar)), as the latent models of both families produce it:
 * the encoder's output is split in half along one axis, mean first, log-variance second (TRELLIS's sparse-structure
 * VAE on the channel axis of a grid, Hunyuan3D-2's {@code DiagonalGaussianDistribution} on the last axis of a token
 * set). Sampling draws its noise from an explicit generator.
 *
 * <p>Hunyuan3D-2 clamps the log-variance to [-30, 20] ({@link #of(Tensor, long, boolean)} with {@code clamp}); TRELLIS
 * does not.
 */
public final class DiagonalGaussian {
    static {
        Torch.load();
    }

    /** The clamp range of the log-variance used by Stable Diffusion's and Hunyuan3D-2's posteriors. */
    public static final double LOGVAR_MIN = -30.0, LOGVAR_MAX = 20.0;

    private final Tensor mean;
    private final Tensor logvar;

    /** A posterior with the given mean and log-variance (same shape). */
    public DiagonalGaussian(Tensor mean, Tensor logvar) {
        if (!java.util.Arrays.equals(Tensors.shape(mean), Tensors.shape(logvar))) {
            throw new IllegalArgumentException("mean " + java.util.Arrays.toString(Tensors.shape(mean)) + " and logvar "
                    + java.util.Arrays.toString(Tensors.shape(logvar)) + " differ in shape");
        }
        this.mean = mean;
        this.logvar = logvar;
    }

    /**
     * Splits {@code moments} in half along {@code dim} (mean first), optionally clamping the log-variance to [{@value
     * #LOGVAR_MIN}, {@value #LOGVAR_MAX}].
     */
    public static DiagonalGaussian of(Tensor moments, long dim, boolean clamp) {
        long n = moments.size(dim);
        if (n % 2 != 0) {
            throw new IllegalArgumentException("cannot split " + n + " moments into mean and log-variance (axis " + dim
                    + " must have an even size)");
        }
        TensorVector parts = moments.chunk(2, dim);
        Tensor lv = parts.get(1);
        if (clamp) {
            lv = lv.clamp(
                    new org.bytedeco.pytorch.ScalarOptional(new Scalar(LOGVAR_MIN)),
                    new org.bytedeco.pytorch.ScalarOptional(new Scalar(LOGVAR_MAX)));
        }
        return new DiagonalGaussian(parts.get(0), lv);
    }

    public Tensor mean() {
        return mean;
    }

    public Tensor logvar() {
        return logvar;
    }

    /** The standard deviation exp(logvar / 2). */
    public Tensor std() {
        return logvar.mul(new Scalar(0.5)).exp();
    }

    /** The mode (the mean): what a deterministic encode returns. */
    public Tensor mode() {
        return mean;
    }

    /** A reparameterised sample mean + std · ε, ε ~ N(0, 1) drawn from {@code g} (differentiable in mean and logvar). */
    public Tensor sample(Generator g) {
        Tensor eps = torch.randn(
                        Tensors.shape(mean),
                        new GeneratorOptional(g),
                        new org.bytedeco.pytorch.TensorOptions(
                                mean.scalar_type().intern()))
                .to(mean.device(), mean.scalar_type().intern()); // same shape as mean
        return mean.add(std().mul(eps));
    }

    /** The element-wise KL divergence to N(0, 1): ½ (mean² + exp(logvar) − logvar − 1), same shape as the mean. */
    public Tensor klElements() {
        return mean.pow(new Scalar(2))
                .add(logvar.exp())
                .sub(logvar)
                .sub(new Scalar(1.0))
                .mul(new Scalar(0.5));
    }

    /** The KL divergence averaged over every element (TRELLIS's sparse-structure VAE trainer). */
    public Tensor klMean() {
        return klElements().mean();
    }

    /** The KL divergence summed over the given axes (Hunyuan3D-2 sums over all but the batch axis). */
    public Tensor klSum(long... dims) {
        return klElements().sum(dims);
    }
}
