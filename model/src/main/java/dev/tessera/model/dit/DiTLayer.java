package dev.tessera.model.dit;

import dev.tessera.model.nn.Activation;
import dev.tessera.model.nn.Attention;
import dev.tessera.model.nn.Init;
import dev.tessera.model.nn.Layers;
import dev.tessera.model.nn.Mlp;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The seed article's DiT block for vecset latents ({@code DiTLayer}, section D.2) with DiT's adaLN-Zero (Peebles &amp;
 * Xie 2023): a modulated self-attention, an (unmodulated) cross-attention to the condition tokens, and a modulated
 * feed-forward, each pre-normed by a LayerNorm without affine (eps 1e-6).
 *
 * <pre>
 * shift₁, scale₁, gate₁, shift₂, scale₂, gate₂ = adaln_linear(SiLU(c))          6 × [B, 1, W]
 * x += gate₁ · attn1(norm1(x)·(1 + scale₁) + shift₁)                          self-attention, QK-norm
 * x += attn2(norm2(x), context)                                              cross-attention (token conditioning only)
 * x += gate₂ · ff(norm3(x)·(1 + scale₂) + shift₂)                             fc1 → tanh-GELU → fc2
 * </pre>
 *
 * <p>Names: {@code attn1.{qkv,q_norm,k_norm,proj}}, {@code attn2.{q,kv,q_norm,k_norm,proj}}, {@code ff.{fc1,fc2}},
 * {@code adaln_linear}. The norms have no parameters. {@link #initialize} writes out DiT's initialisation: Xavier-uniform
 * linears with zero biases, then {@code adaln_linear} zero, so the gates start at 0 and the block is the identity
 * (apart from the cross-attention, whose output the zero-initialised final layer hides).
 */
public final class DiTLayer extends Module {
    private static final double EPS = 1e-6;
    private static final Scalar ONE = new Scalar(1.0);

    private final long width;
    private final Attention attn1;
    private final Attention attn2;
    private final Mlp ff;
    private final LinearImpl adalnLinear;

    /**
     * A block of width {@code width}; {@code contextDim} 0 leaves out the cross-attention (unconditional and
     * class-conditioned models).
     */
    public DiTLayer(
            long width, long heads, double mlpRatio, long contextDim, VecSetDiTConfig.QkNorm qkNorm, Generator g) {
        super("DiTLayer");
        this.width = width;
        this.attn1 = register_module("attn1", Attention.self(width, heads, true, qkNorm.layer(), g));
        this.attn2 = contextDim > 0
                ? register_module("attn2", Attention.cross(width, contextDim, heads, true, qkNorm.layer(), g))
                : null;
        long hidden = Math.round(width * mlpRatio);
        this.ff = register_module("ff", Mlp.timm(width, hidden, width, Activation.GELU_TANH, g));
        this.adalnLinear = register_module("adaln_linear", Layers.linear(width, 6 * width, true, g));
    }

    /**
     * DiT's {@code _basic_init} on every linear of the block (Xavier-uniform weight, zero bias), then adaLN-Zero:
     * {@code adaln_linear} all zero.
     */
    void initialize(Generator g) {
        for (Attention a : attn2 == null ? new Attention[] {attn1} : new Attention[] {attn1, attn2}) {
            for (var e : dev.tessera.model.StateDict.of(a).entrySet()) {
                if (e.getKey().endsWith("norm.weight") || e.getKey().endsWith("norm.bias")) {
                    continue; // QK-norm: ones and zeros, as created
                }
                if (e.getKey().endsWith(".weight")) {
                    Init.xavierUniform(e.getValue(), g);
                } else {
                    Init.zeros(e.getValue());
                }
            }
        }
        Init.linearXavier(ff.fc1(), g);
        Init.linearXavier(ff.fc2(), g);
        Init.linearZero(adalnLinear);
    }

    /**
     * {@code x [B, N, W]}, {@code c [B, W]} the conditioning vector after SiLU, {@code context [B, M, C_ctx]} (or
     * {@code null} without cross-attention) → {@code [B, N, W]}.
     */
    public Tensor forward(Tensor x, Tensor cSilu, Tensor context) {
        return forward(x, cSilu, context, null);
    }

    /**
     * The same with the cross-attention's keys and values precomputed from the context ({@link #contextKeysValues};
     * {@code null} computes them from {@code context}).
     */
    public Tensor forward(Tensor x, Tensor cSilu, Tensor context, Tensor contextKv) {
        TensorVector m = adalnLinear.forward(cSilu).unsqueeze(1).chunk(6, 2); // 6 × [B, 1, W]
        Tensor h = modulate(plainNorm(x), m.get(0), m.get(1)); // [B, N, W]
        x = torch.addcmul(x, m.get(2), attn1.forward(h)); // [B, N, W]
        if (attn2 != null) {
            Tensor kv = contextKv != null ? contextKv : attn2.keysValues(context); // [2, B, H, M, D]
            x = x.add(attn2.forwardKeysValues(plainNorm(x), kv)); // [B, N, W]
        }
        h = modulate(plainNorm(x), m.get(3), m.get(4)); // [B, N, W]
        return torch.addcmul(x, m.get(5), ff.forward(h)); // [B, N, W]
    }

    /** The cross-attention's keys and values of a context {@code [B, M, C_ctx]}: {@code [2, B, H, M, D]}. */
    Tensor contextKeysValues(Tensor context) {
        return attn2.keysValues(context); // [2, B, H, M, D]
    }

    /** {@code x·(1 + scale) + shift}. */
    static Tensor modulate(Tensor x, Tensor shift, Tensor scale) {
        return torch.addcmul(shift, x, scale.add(ONE)); // [B, N, W]
    }

    private Tensor plainNorm(Tensor x) {
        return torch.layer_norm(x, new long[] {width}, new TensorOptional(), new TensorOptional(), EPS, false);
    }
}
