package dev.tessera.model.cond;

import dev.tessera.model.nn.Activation;
import dev.tessera.model.nn.Layers;
import dev.tessera.model.nn.Mlp;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * One pre-norm DINOv2 block with layer scale: {@code x + λ₁·attention(norm1(x))}, then {@code x + λ₂·mlp(norm2(x))};
 * the MLP is {@code fc1} → exact GELU → {@code fc2}, or SwiGLU for the giant model.
 */
public final class Dinov2Layer extends Module {
    private final LayerNormImpl norm1;
    private final Dinov2Attention attention;
    private final Dinov2LayerScale layerScale1;
    private final LayerNormImpl norm2;
    private final Mlp mlp;
    private final Dinov2SwiGluFfn swiglu;
    private final Dinov2LayerScale layerScale2;

    public Dinov2Layer(Dinov2Config c, Generator g) {
        super("Dinov2Layer");
        long dim = c.hiddenSize();
        this.norm1 = register_module("norm1", Layers.layerNorm(dim, c.layerNormEps(), true));
        this.attention = register_module("attention", new Dinov2Attention(dim, c.numAttentionHeads(), c.qkvBias(), g));
        this.layerScale1 = register_module("layer_scale1", new Dinov2LayerScale(dim, c.layerscaleValue()));
        this.norm2 = register_module("norm2", Layers.layerNorm(dim, c.layerNormEps(), true));
        if (c.useSwigluFfn()) {
            this.mlp = null;
            this.swiglu = register_module("mlp", new Dinov2SwiGluFfn(dim, c.ffnHidden(), g));
        } else {
            this.mlp = register_module("mlp", Mlp.timm(dim, c.ffnHidden(), dim, Activation.GELU, g));
            this.swiglu = null;
        }
        this.layerScale2 = register_module("layer_scale2", new Dinov2LayerScale(dim, c.layerscaleValue()));
    }

    Dinov2Attention attention() {
        return attention;
    }

    /** {@code x [B, L, C]} → {@code [B, L, C]}. */
    public Tensor forward(Tensor x) {
        x = x.add(layerScale1.forward(attention.forward(norm1.forward(x)))); // [B, L, C]
        Tensor h = norm2.forward(x); // [B, L, C]
        h = mlp != null ? mlp.forward(h) : swiglu.forward(h); // [B, L, C]
        return x.add(layerScale2.forward(h)); // [B, L, C]
    }
}
