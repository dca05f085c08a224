package dev.tessera.model.dit;

import dev.tessera.model.nn.Attention;
import dev.tessera.model.nn.Layers;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Flux's {@code SelfAttention} as Hunyuan3D-2's double-stream blocks hold it: a fused {@code qkv} projection whose
 * output is read as {@code (K=3, heads, d)} — all queries, then all keys, then all values — the QK-norm {@code norm},
 * and the output projection {@code proj}. The double-stream block calls the pieces itself, because the two streams
 * attend jointly.
 */
final class FluxSelfAttention extends Module {
    final LinearImpl qkv;
    final FluxQkNorm norm;
    final LinearImpl proj;
    private final long heads;

    FluxSelfAttention(long dim, long heads, boolean qkvBias, Generator g) {
        super("SelfAttention");
        this.heads = heads;
        this.qkv = register_module("qkv", Layers.linear(dim, 3 * dim, qkvBias, g));
        this.norm = register_module("norm", new FluxQkNorm(dim / heads));
        this.proj = register_module("proj", Layers.linear(dim, dim, true, g));
    }

    /**
     * The normalised queries, keys and values of {@code x [B, L, C]}: {@code [3, B, H, L, D]} stacked as q, k, v (q
     * and k after the RMS QK-norm).
     */
    Tensor[] qkv(Tensor x) {
        return splitQkv(qkv.forward(x), heads, norm); // 3 × [B, H, L, D]
    }

    /**
     * Splits a fused projection {@code [B, L, 3·H·D]} as {@code "B L (K H D) -> K B H L D"} and normalises q and k.
     */
    static Tensor[] splitQkv(Tensor fused, long heads, FluxQkNorm norm) {
        long b = fused.size(0), l = fused.size(1), d = fused.size(2) / 3 / heads;
        Tensor t = fused.reshape(b, l, 3, heads, d).permute(2, 0, 3, 1, 4); // [3, B, H, L, D]
        Tensor v = t.select(0, 2); // [B, H, L, D]
        Tensor q = norm.query(t.select(0, 0), v); // [B, H, L, D]
        Tensor k = norm.key(t.select(0, 1), v); // [B, H, L, D]
        return new Tensor[] {q, k, v};
    }

    /** softmax(q kᵀ/√d) v, heads merged: {@code [B, H, L, D]} ×3 → {@code [B, L, H·D]}. */
    static Tensor attention(Tensor q, Tensor k, Tensor v) {
        return Attention.mergeHeads(Attention.sdpa(q, k, v)); // [B, L, C]
    }
}
