package dev.tessera.model.vecset;

import dev.tessera.model.nn.Attention;
import dev.tessera.model.nn.Layers;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * The module Hunyuan3D-2 registers as {@code attention} inside each of its VAE attention layers
 * ({@code QKVMultiheadAttention} / {@code QKVMultiheadCrossAttention}): it owns the optional QK-norm ({@code q_norm},
 * {@code k_norm}: LayerNorm over the head dimension, weight and bias, eps 1e-6) and splits the fused projections
 * <b>inside each head</b> — a fused {@code [B, N, 3W]} projection is viewed as {@code [B, N, heads, 3d]} and cut into
 * q, k, v of {@code d} values each, not as {@code [q | k | v]} across the width.
 */
final class HeadNorms extends Module {
    private final long heads;
    private final LayerNormImpl qNorm;
    private final LayerNormImpl kNorm;

    HeadNorms(long width, long heads, boolean qkNorm) {
        super("QKVMultiheadAttention");
        this.heads = heads;
        long d = width / heads;
        this.qNorm = qkNorm ? register_module("q_norm", Layers.layerNorm(d, 1e-6, true)) : null;
        this.kNorm = qkNorm ? register_module("k_norm", Layers.layerNorm(d, 1e-6, true)) : null;
    }

    /** Self-attention over a head-interleaved fused projection {@code qkv [B, N, 3W]} → {@code [B, N, W]}. */
    Tensor selfAttention(Tensor qkv) {
        long b = qkv.size(0), n = qkv.size(1), d = qkv.size(2) / heads / 3;
        Tensor t = qkv.view(b, n, heads, 3 * d); // [B, N, H, 3d]
        Tensor q = t.narrow(3, 0, d); // [B, N, H, d]
        Tensor k = t.narrow(3, d, d); // [B, N, H, d]
        Tensor v = t.narrow(3, 2 * d, d); // [B, N, H, d]
        return attend(q, k, v, b, n); // [B, N, W]
    }

    /** Cross-attention of {@code q [B, N, W]} to a head-interleaved fused {@code kv [B, M, 2W]} → {@code [B, N, W]}. */
    Tensor crossAttention(Tensor q, Tensor kv) {
        long b = kv.size(0), n = q.size(1), m = kv.size(1), d = kv.size(2) / heads / 2;
        Tensor qh = q.view(b, n, heads, d); // [B, N, H, d]
        Tensor t = kv.view(b, m, heads, 2 * d); // [B, M, H, 2d]
        Tensor k = t.narrow(3, 0, d); // [B, M, H, d]
        Tensor v = t.narrow(3, d, d); // [B, M, H, d]
        return attend(qh, k, v, b, n); // [B, N, W]
    }

    private Tensor attend(Tensor q, Tensor k, Tensor v, long b, long n) {
        if (qNorm != null) {
            q = qNorm.forward(q); // [B, N, H, d]
            k = kNorm.forward(k); // [B, M, H, d]
        }
        Tensor o = Attention.sdpa(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)); // [B, H, N, d]
        return o.transpose(1, 2).reshape(b, n, -1); // [B, N, W]
    }
}
