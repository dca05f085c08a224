package dev.tessera.model.cond;

import dev.tessera.model.nn.Attention;
import dev.tessera.model.nn.Layers;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * DINOv2 self-attention in Hugging Face's layout: separate {@code attention.query}, {@code attention.key},
 * {@code attention.value} projections and {@code output.dense}; softmax(q kᵀ/√d) v per head. (torch.hub fuses the
 * three into {@code attn.qkv} as {@code [q; k; v]} along the output axis; {@link Dinov2HubLayout} splits it.)
 */
public final class Dinov2Attention extends Module {
    private final LinearImpl query;
    private final LinearImpl key;
    private final LinearImpl value;
    private final LinearImpl dense;
    private final long heads;
    private final Module attentionGroup; // kept: see Layers.container
    private final Module outputGroup;

    public Dinov2Attention(long dim, long heads, boolean qkvBias, Generator g) {
        super("Dinov2Attention");
        this.heads = heads;
        this.attentionGroup = register_module("attention", Layers.container("Dinov2SelfAttention"));
        this.query = attentionGroup.register_module("query", Layers.linear(dim, dim, qkvBias, g));
        this.key = attentionGroup.register_module("key", Layers.linear(dim, dim, qkvBias, g));
        this.value = attentionGroup.register_module("value", Layers.linear(dim, dim, qkvBias, g));
        this.outputGroup = register_module("output", Layers.container("Dinov2SelfOutput"));
        this.dense = outputGroup.register_module("dense", Layers.linear(dim, dim, true, g));
    }

    LinearImpl[] projections() {
        return new LinearImpl[] {query, key, value, dense};
    }

    /** {@code x [B, L, C]} → {@code [B, L, C]}. */
    public Tensor forward(Tensor x) {
        Tensor q = Attention.splitHeads(query.forward(x), heads); // [B, H, L, D]
        Tensor k = Attention.splitHeads(key.forward(x), heads); // [B, H, L, D]
        Tensor v = Attention.splitHeads(value.forward(x), heads); // [B, H, L, D]
        return dense.forward(Attention.mergeHeads(Attention.sdpa(q, k, v))); // [B, L, C]
    }
}
