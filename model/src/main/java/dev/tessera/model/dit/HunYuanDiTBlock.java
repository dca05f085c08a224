package dev.tessera.model.dit;

import dev.tessera.model.nn.Activation;
import dev.tessera.model.nn.Layers;
import dev.tessera.model.nn.Mlp;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * One block of Hunyuan3D-2.1's DiT ({@code HunYuanDiTBlock}), with no adaLN: an optional U-Net long skip
 * ({@code skip_norm(skip_linear([skip; x]))}), then pre-norm self-attention ({@code norm1}, {@code attn1}),
 * cross-attention to the condition ({@code norm2}, {@code attn2}) and an MLP ({@code norm3}, {@code mlp.fc1/fc2}
 * with exact GELU) or a mixture of experts ({@code moe}). All norms are affine LayerNorms, eps 1e-6.
 */
public final class HunYuanDiTBlock extends Module {
    private final LayerNormImpl norm1;
    private final HunYuanAttention attn1;
    private final LayerNormImpl norm2;
    private final HunYuanAttention attn2;
    private final LayerNormImpl norm3;
    private final LayerNormImpl skipNorm;
    private final LinearImpl skipLinear;
    private final Mlp mlp;
    private final HunYuanMoEBlock moe;

    HunYuanDiTBlock(HunYuanDiTPlainConfig c, boolean skip, boolean useMoe, Generator g) {
        super("HunYuanDiTBlock");
        long h = c.hiddenSize();
        this.norm1 = register_module("norm1", Layers.layerNorm(h, 1e-6, true));
        this.attn1 = register_module("attn1", new HunYuanAttention(h, h, c.numHeads(), c.qkvBias(), c, false, g));
        this.norm2 = register_module("norm2", Layers.layerNorm(h, 1e-6, true));
        this.attn2 = register_module(
                "attn2", new HunYuanAttention(h, c.contextDim(), c.numHeads(), c.qkvBias(), c, true, g));
        this.norm3 = register_module("norm3", Layers.layerNorm(h, 1e-6, true));
        if (skip) {
            this.skipNorm = register_module("skip_norm", Layers.layerNorm(h, 1e-6, true));
            this.skipLinear = register_module("skip_linear", Layers.linear(2 * h, h, true, g));
        } else {
            this.skipNorm = null;
            this.skipLinear = null;
        }
        if (useMoe) {
            this.mlp = null;
            this.moe = register_module("moe", new HunYuanMoEBlock(h, c.numExperts(), c.moeTopK(), 4 * h, g));
        } else {
            this.mlp = register_module("mlp", Mlp.timm(h, 4 * h, h, Activation.GELU, g));
            this.moe = null;
        }
    }

    boolean hasSkip() {
        return skipLinear != null;
    }

    /** {@code x [B, 1+N, C]}, condition {@code cond [B, M, Cc]}, {@code skip [B, 1+N, C]} or null → {@code [B, 1+N, C]}. */
    public Tensor forward(Tensor x, Tensor cond, Tensor skip) {
        if (skipLinear != null) {
            x = skipNorm.forward(skipLinear.forward(torch.cat(new TensorVector(skip, x), -1))); // [B, L, C]
        }
        x = x.add(attn1.forward(norm1.forward(x))); // [B, L, C]
        x = x.add(attn2.forward(norm2.forward(x), cond)); // [B, L, C]
        Tensor h = norm3.forward(x); // [B, L, C]
        return x.add(moe != null ? moe.forward(h) : mlp.forward(h)); // [B, L, C]
    }
}
