package dev.tessera.model.nn;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Sin/cos positional features of coordinates, as in the vecset VAEs (Hunyuan3D-2's {@code FourierEmbedder}): for an
 * input {@code x [..., d]} and frequencies {@code f_0..f_{F-1}}, the output is
 * {@code concat(x, sin(x·f), cos(x·f))}, where {@code x·f} is laid out per input axis, then per frequency
 * ({@code x[..., i] · f_k} at position {@code i·F + k}). Frequencies are {@code 2^k} (log-spaced) or evenly spaced in
 * {@code [1, 2^(F-1)]}, optionally times π. Output width: {@code d · (2F + 1)} with the input, {@code d · 2F} without.
 *
 * <p>The frequencies are a constant, not a parameter, and are not part of the state dict (the reference registers
 * them with {@code persistent=False}).
 */
public final class FourierEmbedder extends Module {
    private final int numFreqs;
    private final boolean includeInput;
    private final double[] frequencies;
    private final int inputDim;

    /**
     * @param numFreqs number of frequencies F
     * @param logspace {@code 2^k} when true, else evenly spaced in {@code [1, 2^(F-1)]}
     * @param inputDim d, the input's last axis (3 for xyz)
     * @param includeInput prepend the raw input
     * @param includePi multiply the frequencies by π
     */
    public FourierEmbedder(int numFreqs, boolean logspace, int inputDim, boolean includeInput, boolean includePi) {
        super("FourierEmbedder");
        this.numFreqs = numFreqs;
        this.includeInput = includeInput;
        this.inputDim = inputDim;
        this.frequencies = new double[numFreqs];
        for (int k = 0; k < numFreqs; k++) {
            // float32 as the reference computes them, so products match bit for bit
            float f = logspace
                    ? (float) Math.pow(2.0, k)
                    : (numFreqs == 1 ? 1f : (float) (1.0 + k * (Math.pow(2.0, numFreqs - 1) - 1.0) / (numFreqs - 1)));
            if (includePi) {
                f = f * (float) Math.PI;
            }
            frequencies[k] = f;
        }
    }

    /** The output width for this embedder's input width. */
    public int outDim() {
        return inputDim * (numFreqs * 2 + (includeInput || numFreqs == 0 ? 1 : 0));
    }

    /** The frequencies, as float32 values. */
    public double[] frequencies() {
        return frequencies.clone();
    }

    /** {@code x [..., d]} → {@code [..., outDim]}. */
    public Tensor forward(Tensor x) {
        if (numFreqs == 0) {
            return x;
        }
        float[] f = new float[numFreqs];
        for (int k = 0; k < numFreqs; k++) {
            f[k] = (float) frequencies[k];
        }
        Tensor freqs = dev.tessera.model.Tensors.fromFloats(f, numFreqs)
                .to(x.device(), x.scalar_type().intern()); // [F]
        long[] shape = dev.tessera.model.Tensors.shape(x);
        long[] flat = shape.clone();
        flat[flat.length - 1] = (long) shape[shape.length - 1] * numFreqs;
        Tensor embed = x.unsqueeze(-1).mul(freqs).reshape(flat); // [..., d·F]
        return includeInput
                ? torch.cat(new TensorVector(x, embed.sin(), embed.cos()), -1) // [..., d(2F+1)]
                : torch.cat(new TensorVector(embed.sin(), embed.cos()), -1); // [..., 2dF]
    }
}
