package dev.tessera.model.vecset;

import dev.tessera.model.nn.Layers;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Hunyuan3D-2's VAE self-attention ({@code MultiheadAttention} in {@code attention_blocks.py}): a fused {@code c_qkv}
 * projection split per head ({@link HeadNorms}), optional QK-norm, scaled dot-product attention, {@code c_proj}.
 */
final class MultiheadAttention extends Module {
    private final LinearImpl cQkv;
    private final LinearImpl cProj;
    private final HeadNorms attention;

    MultiheadAttention(long width, long heads, boolean qkvBias, boolean qkNorm, Generator g) {
        super("MultiheadAttention");
        this.cQkv = register_module("c_qkv", Layers.linear(width, 3 * width, qkvBias, g));
        this.cProj = register_module("c_proj", Layers.linear(width, width, true, g));
        this.attention = register_module("attention", new HeadNorms(width, heads, qkNorm));
    }

    /** {@code x [B, N, W]} → {@code [B, N, W]}. */
    Tensor forward(Tensor x) {
        Tensor qkv = cQkv.forward(x); // [B, N, 3W]
        return cProj.forward(attention.selfAttention(qkv)); // [B, N, W]
    }
}
