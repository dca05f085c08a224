package dev.tessera.model.cond;

import dev.tessera.model.nn.Layers;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The SwiGLU feed-forward layer of DINOv2-giant (Hugging Face's {@code Dinov2SwiGLUFFN}; torch.hub's
 * {@code SwiGLUFFNFused} with {@code w12}/{@code w3}): {@code weights_out(SiLU(a) · b)} where {@code (a, b)} are the two
 * halves of {@code weights_in(x)}.
 */
public final class Dinov2SwiGluFfn extends Module {
    private final LinearImpl weightsIn;
    private final LinearImpl weightsOut;

    public Dinov2SwiGluFfn(long dim, long hidden, Generator g) {
        super("Dinov2SwiGLUFFN");
        this.weightsIn = register_module("weights_in", Layers.linear(dim, 2 * hidden, true, g));
        this.weightsOut = register_module("weights_out", Layers.linear(hidden, dim, true, g));
    }

    /** {@code x [..., C]} → same shape. */
    public Tensor forward(Tensor x) {
        TensorVector ab = weightsIn.forward(x).chunk(2, -1); // 2 × [..., hidden]
        return weightsOut.forward(torch.silu(ab.get(0)).mul(ab.get(1))); // [..., C]
    }
}
