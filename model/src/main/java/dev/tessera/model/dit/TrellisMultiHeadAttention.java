package dev.tessera.model.dit;

import dev.tessera.model.nn.Attention;
import dev.tessera.model.nn.Init;
import dev.tessera.model.nn.Layers;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * TRELLIS's {@code MultiHeadAttention} (full attention) with its parameter names: self-attention projects with a
 * fused {@code to_qkv} whose output splits as {@code [3, heads, d]}; cross-attention with {@code to_q} on the
 * queries and a fused {@code to_kv} on the context, split as {@code [2, heads, d]}; both end in {@code to_out}.
 * Optional QK-norm is {@link MultiHeadRmsNorm} ({@code q_rms_norm}, {@code k_rms_norm}).
 */
public final class TrellisMultiHeadAttention extends Module {
    private final long heads;
    private final LinearImpl toQkv;
    private final LinearImpl toQ;
    private final LinearImpl toKv;
    private final LinearImpl toOut;
    private final MultiHeadRmsNorm qNorm;
    private final MultiHeadRmsNorm kNorm;

    private TrellisMultiHeadAttention(
            long channels,
            long ctxChannels,
            long heads,
            boolean cross,
            boolean qkvBias,
            boolean qkRmsNorm,
            Generator g) {
        super("MultiHeadAttention");
        if (channels % heads != 0) {
            throw new IllegalArgumentException("width " + channels + " is not divisible by " + heads + " heads");
        }
        this.heads = heads;
        long d = channels / heads;
        if (cross) {
            this.toQkv = null;
            this.toQ = register_module("to_q", Layers.linear(channels, channels, qkvBias, g));
            this.toKv = register_module("to_kv", Layers.linear(ctxChannels, 2 * channels, qkvBias, g));
        } else {
            this.toQkv = register_module("to_qkv", Layers.linear(channels, 3 * channels, qkvBias, g));
            this.toQ = null;
            this.toKv = null;
        }
        this.qNorm = qkRmsNorm ? register_module("q_rms_norm", new MultiHeadRmsNorm(d, heads)) : null;
        this.kNorm = qkRmsNorm ? register_module("k_rms_norm", new MultiHeadRmsNorm(d, heads)) : null;
        this.toOut = register_module("to_out", Layers.linear(channels, channels, true, g));
    }

    /** Self-attention over {@code channels}-wide tokens. */
    public static TrellisMultiHeadAttention self(
            long channels, long heads, boolean qkvBias, boolean qkRmsNorm, Generator g) {
        return new TrellisMultiHeadAttention(channels, channels, heads, false, qkvBias, qkRmsNorm, g);
    }

    /** Cross-attention from {@code channels}-wide queries to {@code ctxChannels}-wide context tokens. */
    public static TrellisMultiHeadAttention cross(
            long channels, long ctxChannels, long heads, boolean qkvBias, boolean qkRmsNorm, Generator g) {
        return new TrellisMultiHeadAttention(channels, ctxChannels, heads, true, qkvBias, qkRmsNorm, g);
    }

    /** Xavier-uniform weights and zero biases on every projection (TRELLIS's {@code initialize_weights}). */
    void initXavier(Generator g) {
        for (LinearImpl l : new LinearImpl[] {toQkv, toQ, toKv, toOut}) {
            if (l != null) {
                Init.linearXavier(l, g);
            }
        }
    }

    /** Self-attention: {@code x [B, L, C]} → {@code [B, L, C]}. */
    public Tensor forward(Tensor x) {
        if (toQkv == null) {
            throw new IllegalStateException("cross-attention needs a context: call forward(x, context)");
        }
        long b = x.size(0), l = x.size(1), c = x.size(2);
        TensorVector qkv = toQkv.forward(x).reshape(b, l, 3, heads, c / heads).unbind(2); // 3 × [B, L, H, D]
        return attend(qkv.get(0), qkv.get(1), qkv.get(2), b, l, c); // [B, L, C]
    }

    /** Cross-attention: {@code x [B, L, C]} attends to {@code context [B, M, C_ctx]} → {@code [B, L, C]}. */
    public Tensor forward(Tensor x, Tensor context) {
        if (toQ == null) {
            throw new IllegalStateException("self-attention takes no context: call forward(x)");
        }
        long b = x.size(0), l = x.size(1), c = x.size(2), m = context.size(1);
        Tensor q = toQ.forward(x).reshape(b, l, heads, c / heads); // [B, L, H, D]
        TensorVector kv =
                toKv.forward(context).reshape(b, m, 2, heads, c / heads).unbind(2); // 2 × [B, M, H, D]
        return attend(q, kv.get(0), kv.get(1), b, l, c); // [B, L, C]
    }

    private Tensor attend(Tensor q, Tensor k, Tensor v, long b, long l, long c) {
        if (qNorm != null) {
            q = qNorm.forward(q); // [B, L, H, D]
            k = kNorm.forward(k); // [B, M, H, D]
        }
        Tensor o = Attention.sdpa(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)); // [B, H, L, D]
        return toOut.forward(o.transpose(1, 2).reshape(b, l, c)); // [B, L, C]
    }
}
