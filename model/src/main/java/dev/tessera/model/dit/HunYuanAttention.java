package dev.tessera.model.dit;

import dev.tessera.model.nn.Attention;
import dev.tessera.model.nn.Layers;
import dev.tessera.model.nn.RmsNorm;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Hunyuan3D-2.1's attention ({@code Attention} and {@code CrossAttention} of {@code hunyuandit.py}): separate
 * {@code to_q}, {@code to_k}, {@code to_v}, {@code out_proj}, and optional per-head QK-norm ({@code q_norm},
 * {@code k_norm}).
 *
 * <p>The head split is the reference's, which is not the textbook one. For self-attention it concatenates
 * {@code [to_q(x) | to_k(x) | to_v(x)]} (width 3C), views that as {@code [heads, 3d]} and cuts each head's 3d values
 * into (q, k, v). So head h's "query" is the slice {@code [3hd, 3hd + d)} of the concatenation, which can come from
 * {@code to_k}'s output. Cross-attention does the same with {@code [to_k(y) | to_v(y)]} as {@code [heads, 2d]}, while
 * its queries are split plainly. The trained weights depend on this, so Tessera reproduces it.
 */
public final class HunYuanAttention extends Module {
    private final LinearImpl toQ;
    private final LinearImpl toK;
    private final LinearImpl toV;
    private final Module qNorm;
    private final Module kNorm;
    private final LinearImpl outProj;
    private final long heads;
    private final boolean cross;

    /** Self-attention ({@code contextDim == dim}, {@code cross = false}) or cross-attention to {@code contextDim}. */
    HunYuanAttention(
            long dim,
            long contextDim,
            long heads,
            boolean qkvBias,
            HunYuanDiTPlainConfig c,
            boolean cross,
            Generator g) {
        super(cross ? "CrossAttention" : "Attention");
        this.heads = heads;
        this.cross = cross;
        this.toQ = register_module("to_q", Layers.linear(dim, dim, qkvBias, g));
        this.toK = register_module("to_k", Layers.linear(contextDim, dim, qkvBias, g));
        this.toV = register_module("to_v", Layers.linear(contextDim, dim, qkvBias, g));
        long d = dim / heads;
        this.qNorm = c.qkNorm() ? register_module("q_norm", norm(c, d)) : null;
        this.kNorm = c.qkNorm() ? register_module("k_norm", norm(c, d)) : null;
        this.outProj = register_module("out_proj", Layers.linear(dim, dim, true, g));
    }

    private static Module norm(HunYuanDiTPlainConfig c, long d) {
        return "rms".equals(c.qkNormType()) ? new RmsNorm(d, 1e-6, "weight") : Layers.layerNorm(d, 1e-6, true);
    }

    private static Tensor apply(Module norm, Tensor x) {
        if (norm == null) {
            return x;
        }
        return norm instanceof RmsNorm r ? r.forward(x) : ((LayerNormImpl) norm).forward(x);
    }

    /** Self-attention: {@code x [B, N, C]} → {@code [B, N, C]}. */
    public Tensor forward(Tensor x) {
        long b = x.size(0), n = x.size(1), c = x.size(2), d = c / heads;
        Tensor qkv = torch.cat(new TensorVector(toQ.forward(x), toK.forward(x), toV.forward(x)), -1); // [B, N, 3C]
        Tensor perHead = qkv.reshape(b, n, heads, 3 * d); // [B, N, H, 3d]: each head's slice of the concatenation
        Tensor q = perHead.narrow(-1, 0, d).transpose(1, 2); // [B, H, N, d]
        Tensor k = perHead.narrow(-1, d, d).transpose(1, 2); // [B, H, N, d]
        Tensor v = perHead.narrow(-1, 2 * d, d).transpose(1, 2); // [B, H, N, d]
        q = apply(qNorm, q); // [B, H, N, d]
        k = apply(kNorm, k); // [B, H, N, d]
        return outProj.forward(Attention.mergeHeads(Attention.sdpa(q, k, v))); // [B, N, C]
    }

    /** Cross-attention: {@code x [B, N, C]} attends to {@code y [B, M, Cy]} → {@code [B, N, C]}. */
    public Tensor forward(Tensor x, Tensor y) {
        long b = x.size(0), n = x.size(1), m = y.size(1), c = x.size(2), d = c / heads;
        Tensor q = toQ.forward(x).reshape(b, n, heads, d); // [B, N, H, d]
        Tensor kv = torch.cat(new TensorVector(toK.forward(y), toV.forward(y)), -1); // [B, M, 2C]
        Tensor perHead = kv.reshape(b, m, heads, 2 * d); // [B, M, H, 2d]
        Tensor k = perHead.narrow(-1, 0, d); // [B, M, H, d]
        Tensor v = perHead.narrow(-1, d, d); // [B, M, H, d]
        q = apply(qNorm, q).transpose(1, 2); // [B, H, N, d]
        k = apply(kNorm, k).transpose(1, 2); // [B, H, M, d]
        v = v.transpose(1, 2); // [B, H, M, d]
        return outProj.forward(Attention.mergeHeads(Attention.sdpa(q, k, v))); // [B, N, C]
    }

    boolean isCross() {
        return cross;
    }
}
