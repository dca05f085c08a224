package dev.tessera.model.flow;

import dev.tessera.model.Tensors;
import dev.tessera.model.latent.LatentKind;
import dev.tessera.model.latent.LatentStatistics;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;

/**
 * The affine map between a VAE's latents and the space the flow runs in: {@code x = (z − shift)·scale} and back
 * {@code z = x/scale + shift}, with one shift and scale for every value or one per channel. Computed from the training
 * latents ({@link #fromStatistics}: shift = mean, scale = 1/std, so the flow sees unit variance, as its N(0, I) noise
 * has) and stored in the DiT's config, so sampling decodes with the same numbers.
 *
 * <p>Hunyuan3D-2's {@code scale_factor} is {@code shift = 0, scale = scale_factor} ({@link #scaled}).
 *
 * @param kind the latent family, which fixes the channel axis ({@code [B, N, C]}: last; {@code [B, C, D, H, W]}: 1)
 * @param shift one value, or one per channel
 * @param scale one value, or one per channel (all non-zero)
 */
public record LatentNormalization(LatentKind kind, double[] shift, double[] scale) {
    public LatentNormalization {
        if (kind == null || shift == null || scale == null || shift.length == 0 || shift.length != scale.length) {
            throw new IllegalArgumentException("latent normalisation needs a kind and shift/scale of equal length ≥ 1");
        }
        for (int i = 0; i < scale.length; i++) {
            if (!Double.isFinite(shift[i]) || !Double.isFinite(scale[i]) || scale[i] == 0) {
                throw new IllegalArgumentException("latent normalisation: shift and scale must be finite, scale ≠ 0 ("
                        + Arrays.toString(shift) + ", " + Arrays.toString(scale) + ")");
            }
        }
        shift = shift.clone();
        scale = scale.clone();
    }

    /** The identity (shift 0, scale 1). */
    public static LatentNormalization identity(LatentKind kind) {
        return new LatentNormalization(kind, new double[] {0}, new double[] {1});
    }

    /** Shift 0 and one scale factor (Hunyuan3D-2's {@code scale_factor}). */
    public static LatentNormalization scaled(LatentKind kind, double scaleFactor) {
        return new LatentNormalization(kind, new double[] {0}, new double[] {scaleFactor});
    }

    /**
     * Shift = mean, scale = 1/std of the training latents, over all values or per channel. A channel whose std is
     * below 1e-6 (constant) keeps scale 1.
     */
    public static LatentNormalization fromStatistics(LatentKind kind, LatentStatistics s, boolean perChannel) {
        if (!perChannel) {
            return new LatentNormalization(kind, new double[] {s.mean()}, new double[] {inverse(s.std())});
        }
        double[] sc = new double[s.channelStd().length];
        for (int i = 0; i < sc.length; i++) {
            sc[i] = inverse(s.channelStd()[i]);
        }
        return new LatentNormalization(kind, s.channelMean(), sc);
    }

    private static double inverse(double std) {
        return std < 1e-6 ? 1.0 : 1.0 / std;
    }

    /** True when there is one value per channel. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean perChannel() {
        return shift.length > 1;
    }

    /** {@code z [B, ...]} (VAE latents) → {@code (z − shift)·scale}. */
    public Tensor normalize(Tensor z) {
        return z.sub(view(shift, z)).mul(view(scale, z)); // [B, ...]
    }

    /** {@code x [B, ...]} (flow space) → {@code x/scale + shift}. */
    public Tensor denormalize(Tensor x) {
        return x.div(view(scale, x)).add(view(shift, x)); // [B, ...]
    }

    private Tensor view(double[] values, Tensor like) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        long[] shape = new long[(int) like.dim()];
        Arrays.fill(shape, 1);
        if (values.length > 1) {
            int axis = kind == LatentKind.VECSET ? shape.length - 1 : 1;
            if (like.size(axis) != values.length) {
                throw new IllegalArgumentException(
                        "latent normalisation has " + values.length + " channels, the latents "
                                + Arrays.toString(Tensors.shape(like)) + " have " + like.size(axis));
            }
            shape[axis] = values.length;
        }
        return Tensors.fromFloats(f, shape).to(like.scalar_type().intern()); // [1, ..., C, ..., 1]
    }

    /** True when both map latents the same way, to a relative 1e-6. */
    public boolean agrees(LatentNormalization other) {
        return other != null && kind == other.kind && close(shift, other.shift) && close(scale, other.scale);
    }

    private static boolean close(double[] a, double[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (Math.abs(a[i] - b[i]) > 1e-6 * Math.max(1, Math.max(Math.abs(a[i]), Math.abs(b[i])))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LatentNormalization n
                && kind == n.kind
                && Arrays.equals(shift, n.shift)
                && Arrays.equals(scale, n.scale);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + Arrays.hashCode(shift) * 17 + Arrays.hashCode(scale);
    }

    @Override
    public String toString() {
        return "LatentNormalization[" + kind.id() + ", shift " + Arrays.toString(shift) + ", scale "
                + Arrays.toString(scale) + "]";
    }
}
