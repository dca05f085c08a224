package dev.tessera.model.vecset;

import dev.tessera.model.nn.Activation;
import dev.tessera.model.nn.Layers;
import dev.tessera.model.nn.Mlp;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * A pre-norm self-attention block of Hunyuan3D-2's VAE ({@code ResidualAttentionBlock}): {@code x + attn(ln_1(x))},
 * then {@code x + mlp(ln_2(x))}, LayerNorms with eps 1e-6, MLP {@code c_fc} → exact GELU → {@code c_proj} (×4).
 */
final class ResidualAttentionBlock extends Module {
    private final MultiheadAttention attn;
    private final LayerNormImpl ln1;
    private final Mlp mlp;
    private final LayerNormImpl ln2;

    ResidualAttentionBlock(long width, long heads, boolean qkvBias, boolean qkNorm, Generator g) {
        super("ResidualAttentionBlock");
        this.attn = register_module("attn", new MultiheadAttention(width, heads, qkvBias, qkNorm, g));
        this.ln1 = register_module("ln_1", Layers.layerNorm(width, 1e-6, true));
        this.mlp = register_module("mlp", new Mlp(width, 4 * width, width, Activation.GELU, "c_fc", "c_proj", g));
        this.ln2 = register_module("ln_2", Layers.layerNorm(width, 1e-6, true));
    }

    /** {@code x [B, N, W]} → {@code [B, N, W]}. */
    Tensor forward(Tensor x) {
        x = x.add(attn.forward(ln1.forward(x))); // [B, N, W]
        return x.add(mlp.forward(ln2.forward(x))); // [B, N, W]
    }
}
