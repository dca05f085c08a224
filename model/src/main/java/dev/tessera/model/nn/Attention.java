package dev.tessera.model.nn;

import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Multi-head attention on libtorch's {@code scaled_dot_product_attention}, in the layout of timm and DiT: self-attention
 * has a fused {@code qkv} projection split as {@code [3, heads, d]}, cross-attention a {@code q} projection of the
 * queries and a fused {@code kv} projection of the context split as {@code [2, heads, d]}; both end in {@code proj}.
 * Optional QK-norm normalises each head's queries and keys ({@code q_norm}, {@code k_norm}) before the dot product.
 *
 * <p>Models whose reference lays out the projections differently (Hunyuan3D-2's head-interleaved VAE attention, for
 * one) build their own module on the static helpers {@link #splitHeads}, {@link #mergeHeads} and {@link #sdpa}.
 */
public final class Attention extends Module {
    /** How queries and keys are normalised per head before attention. */
    public enum QkNorm {
        NONE,
        /** LayerNorm over the head dimension with weight and bias (eps 1e-6). */
        LAYER_NORM,
        /** RMSNorm over the head dimension with a weight (eps 1e-6). */
        RMS_NORM
    }

    private final long heads;
    private final LinearImpl qkv;
    private final LinearImpl q;
    private final LinearImpl kv;
    private final LinearImpl proj;
    private final Module qNorm;
    private final Module kNorm;

    private Attention(
            long dim, long contextDim, long heads, boolean qkvBias, QkNorm qkNorm, boolean cross, Generator g) {
        super(cross ? "CrossAttention" : "Attention");
        if (dim % heads != 0) {
            throw new IllegalArgumentException("width " + dim + " is not divisible by " + heads + " heads");
        }
        this.heads = heads;
        if (cross) {
            this.qkv = null;
            this.q = register_module("q", Layers.linear(dim, dim, qkvBias, g));
            this.kv = register_module("kv", Layers.linear(contextDim, 2 * dim, qkvBias, g));
        } else {
            this.qkv = register_module("qkv", Layers.linear(dim, 3 * dim, qkvBias, g));
            this.q = null;
            this.kv = null;
        }
        long d = dim / heads;
        this.qNorm = qkNorm == QkNorm.NONE ? null : register_module("q_norm", norm(qkNorm, d));
        this.kNorm = qkNorm == QkNorm.NONE ? null : register_module("k_norm", norm(qkNorm, d));
        this.proj = register_module("proj", Layers.linear(dim, dim, true, g));
    }

    private static Module norm(QkNorm kind, long d) {
        return kind == QkNorm.LAYER_NORM ? Layers.layerNorm(d, 1e-6, true) : new RmsNorm(d, 1e-6, "weight");
    }

    /** Self-attention over {@code dim}-wide tokens. */
    public static Attention self(long dim, long heads, boolean qkvBias, QkNorm qkNorm, Generator g) {
        return new Attention(dim, dim, heads, qkvBias, qkNorm, false, g);
    }

    /** Cross-attention from {@code dim}-wide queries to {@code contextDim}-wide context tokens. */
    public static Attention cross(long dim, long contextDim, long heads, boolean qkvBias, QkNorm qkNorm, Generator g) {
        return new Attention(dim, contextDim, heads, qkvBias, qkNorm, true, g);
    }

    public LinearImpl proj() {
        return proj;
    }

    /** Self-attention: {@code x [B, N, C]} → {@code [B, N, C]}. */
    public Tensor forward(Tensor x) {
        if (qkv == null) {
            throw new IllegalStateException("cross-attention needs a context: call forward(x, context)");
        }
        long b = x.size(0), n = x.size(1), c = x.size(2);
        Tensor t = qkv.forward(x).reshape(b, n, 3, heads, c / heads).permute(2, 0, 3, 1, 4); // [3, B, H, N, D]
        Tensor o = attend(t.select(0, 0), t.select(0, 1), t.select(0, 2)); // [B, H, N, D]
        return proj.forward(mergeHeads(o)); // [B, N, C]
    }

    /** Cross-attention: {@code x [B, N, C]} attends to {@code context [B, M, Cc]} → {@code [B, N, C]}. */
    public Tensor forward(Tensor x, Tensor context) {
        return forwardKeysValues(x, keysValues(context));
    }

    /**
     * The context's keys (QK-normed) and values of a cross-attention, {@code [B, M, Cc]} → {@code [2, B, H, M, D]}:
     * computed once, they serve every call with the same context ({@link #forwardKeysValues}), as when sampling
     * runs the model many times on one condition.
     */
    public Tensor keysValues(Tensor context) {
        if (q == null) {
            throw new IllegalStateException("self-attention takes no context: call forward(x)");
        }
        long b = context.size(0), m = context.size(1), d = q.weight().size(0) / heads;
        Tensor t = kv.forward(context).reshape(b, m, 2, heads, d).permute(2, 0, 3, 1, 4); // [2, B, H, M, D]
        if (kNorm == null) {
            return t;
        }
        return torch.stack(new TensorVector(normForward(kNorm, t.select(0, 0)), t.select(0, 1)), 0); // [2, B, H, M, D]
    }

    /** Cross-attention with precomputed {@link #keysValues}: {@code x [B, N, C]} → {@code [B, N, C]}. */
    public Tensor forwardKeysValues(Tensor x, Tensor keysValues) {
        if (q == null) {
            throw new IllegalStateException("self-attention takes no context: call forward(x)");
        }
        Tensor qh = splitHeads(q.forward(x), heads); // [B, H, N, D]
        if (qNorm != null) {
            qh = normForward(qNorm, qh); // [B, H, N, D]
        }
        return proj.forward(mergeHeads(sdpa(qh, keysValues.select(0, 0), keysValues.select(0, 1)))); // [B, N, C]
    }

    private Tensor attend(Tensor qh, Tensor kh, Tensor vh) {
        if (qNorm != null) {
            qh = normForward(qNorm, qh); // [B, H, N, D]
            kh = normForward(kNorm, kh); // [B, H, M, D]
        }
        return sdpa(qh, kh, vh); // [B, H, N, D]
    }

    private static Tensor normForward(Module norm, Tensor x) {
        return norm instanceof RmsNorm r ? r.forward(x) : ((LayerNormImpl) norm).forward(x);
    }

    /** {@code [B, N, H·D]} → {@code [B, H, N, D]}. */
    public static Tensor splitHeads(Tensor x, long heads) {
        long b = x.size(0), n = x.size(1), c = x.size(2);
        return x.reshape(b, n, heads, c / heads).transpose(1, 2); // [B, H, N, D]
    }

    /** {@code [B, H, N, D]} → {@code [B, N, H·D]}. */
    public static Tensor mergeHeads(Tensor x) {
        long b = x.size(0), h = x.size(1), n = x.size(2), d = x.size(3);
        return x.transpose(1, 2).reshape(b, n, h * d); // [B, N, H·D]
    }

    /** softmax(q kᵀ / √d) v over {@code [B, H, N, D]} tensors, by libtorch's fused kernel. */
    public static Tensor sdpa(Tensor q, Tensor k, Tensor v) {
        return torch.scaled_dot_product_attention(q, k, v); // [B, H, N, D]
    }

    /** Concatenates tensors along an axis (a small convenience for attention callers). */
    public static Tensor cat(long dim, Tensor... parts) {
        return torch.cat(new TensorVector(parts), dim);
    }
}
