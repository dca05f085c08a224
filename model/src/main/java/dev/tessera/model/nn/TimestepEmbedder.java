package dev.tessera.model.nn;

import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Embeds scalar timesteps into vectors, as DiT's {@code TimestepEmbedder}: a sinusoidal embedding of
 * {@code t · timeScale} (frequency width 256 by default) followed by {@code mlp.0} (Linear) → SiLU → {@code mlp.2}
 * (Linear). The sinusoid is {@code [cos(t·w_i), sin(t·w_i)]} with {@code w_i = maxPeriod^(-i/half)}, {@code i <
 * half}, cosines first (DiT's and TRELLIS's order).
 */
public final class TimestepEmbedder extends Module {
    private final Module mlp;
    private final LinearImpl fc1;
    private final LinearImpl fc2;
    private final long frequencyDim;
    private final double timeScale;

    /**
     * @param hidden output width
     * @param frequencyDim width of the sinusoidal embedding (DiT: 256)
     * @param timeScale factor applied to t before embedding (1 when t is on the 0–1000 scale already, 1000 for
     *     models that take t in [0, 1] and scale inside)
     */
    public TimestepEmbedder(long hidden, long frequencyDim, double timeScale, Generator g) {
        super("TimestepEmbedder");
        this.frequencyDim = frequencyDim;
        this.timeScale = timeScale;
        // keep the container: see Layers.container
        this.mlp = register_module("mlp", Layers.container("Sequential"));
        this.fc1 = mlp.register_module("0", Layers.linear(frequencyDim, hidden, true, g));
        this.fc2 = mlp.register_module("2", Layers.linear(hidden, hidden, true, g));
    }

    /** DiT's initialisation: both linears N(0, 0.02²), biases zero. */
    public TimestepEmbedder initDiT(Generator g) {
        for (LinearImpl l : new LinearImpl[] {fc1, fc2}) {
            Init.normal(l.weight(), 0, 0.02, g);
            Init.zeros(l.bias());
        }
        return this;
    }

    /** {@code t [B]} → {@code [B, hidden]}. */
    public Tensor forward(Tensor t) {
        Tensor e = sinusoidal(t.mul(new Scalar(timeScale)), frequencyDim, 10000.0); // [B, F]
        return fc2.forward(
                torch.silu(fc1.forward(e.to(fc1.weight().scalar_type().intern())))); // [B, hidden]
    }

    /**
     * The sinusoidal embedding {@code [cos(t·w), sin(t·w)]}, {@code w_i = exp(-ln(maxPeriod)·i/half)}; a zero column is
     * appended when {@code dim} is odd. {@code t [B]} (any float type) → {@code [B, dim]} float32.
     */
    public static Tensor sinusoidal(Tensor t, long dim, double maxPeriod) {
        long half = dim / 2;
        Tensor i = torch.arange(new Scalar(0), new Scalar(half), new TensorOptions(ScalarType.Float))
                .to(t.device(), ScalarType.Float); // [half]
        Tensor freqs = i.mul(new Scalar(-Math.log(maxPeriod) / half)).exp(); // [half]
        Tensor args = t.to(ScalarType.Float).unsqueeze(1).mul(freqs.unsqueeze(0)); // [B, half]
        Tensor e = torch.cat(new TensorVector(args.cos(), args.sin()), -1); // [B, 2·half]
        if (dim % 2 == 1) {
            e = torch.cat(new TensorVector(e, torch.zeros_like(e.narrow(1, 0, 1))), -1); // [B, dim]
        }
        return e;
    }
}
