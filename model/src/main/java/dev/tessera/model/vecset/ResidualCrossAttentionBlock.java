package dev.tessera.model.vecset;

import dev.tessera.model.nn.Activation;
import dev.tessera.model.nn.Layers;
import dev.tessera.model.nn.Mlp;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * A pre-norm cross-attention block of Hunyuan3D-2's VAE ({@code ResidualCrossAttentionBlock}): {@code x +
 * attn(ln_1(x), ln_2(data))}, then {@code x + mlp(ln_3(x))}; LayerNorms with eps 1e-6, MLP {@code c_fc} → exact
 * GELU → {@code c_proj}.
 */
final class ResidualCrossAttentionBlock extends Module {
    private final MultiheadCrossAttention attn;
    private final LayerNormImpl ln1;
    private final LayerNormImpl ln2;
    private final LayerNormImpl ln3;
    private final Mlp mlp;

    ResidualCrossAttentionBlock(
            long width, long dataWidth, long heads, long mlpRatio, boolean qkvBias, boolean qkNorm, Generator g) {
        super("ResidualCrossAttentionBlock");
        this.attn = register_module("attn", new MultiheadCrossAttention(width, dataWidth, heads, qkvBias, qkNorm, g));
        this.ln1 = register_module("ln_1", Layers.layerNorm(width, 1e-6, true));
        this.ln2 = register_module("ln_2", Layers.layerNorm(dataWidth, 1e-6, true));
        this.ln3 = register_module("ln_3", Layers.layerNorm(width, 1e-6, true));
        this.mlp =
                register_module("mlp", new Mlp(width, mlpRatio * width, width, Activation.GELU, "c_fc", "c_proj", g));
    }

    /** Queries {@code x [B, N, W]} attend to {@code data [B, M, Wd]} → {@code [B, N, W]}. */
    Tensor forward(Tensor x, Tensor data) {
        x = x.add(attn.forward(ln1.forward(x), ln2.forward(data))); // [B, N, W]
        return x.add(mlp.forward(ln3.forward(x))); // [B, N, W]
    }

    /** The normalised data's keys and values {@code [B, M, 2W]}, computed once for many query chunks. */
    Tensor keysValues(Tensor data) {
        return attn.keysValues(ln2.forward(data)); // [B, M, 2W]
    }

    /** As {@link #forward} with precomputed {@link #keysValues} {@code kv [B, M, 2W]}. */
    Tensor forwardCached(Tensor x, Tensor kv) {
        x = x.add(attn.forwardCached(ln1.forward(x), kv)); // [B, N, W]
        return x.add(mlp.forward(ln3.forward(x))); // [B, N, W]
    }
}
