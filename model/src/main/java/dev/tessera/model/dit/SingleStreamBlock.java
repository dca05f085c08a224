package dev.tessera.model.dit;

import dev.tessera.model.nn.Layers;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Flux's single-stream block (the parallel attention + MLP layout of ViT-22B) over the concatenated sequence
 * {@code [condition; latent]}: one modulation (shift, scale, gate), a LayerNorm without affine ({@code pre_norm}), one
 * fused {@code linear1} giving the QKV ({@code (3, heads, d)} layout) and the MLP input side by side, and one
 * {@code linear2} taking {@code [attention; tanh-GELU(mlp)]} back to the width.
 *
 * <pre>
 * h            = (1 + scale)·pre_norm(x) + shift
 * qkv, u       = split(linear1(h), [3C, mlpHidden]);  q, k RMS-normalised
 * x           += gate · linear2([attention(q, k, v); GELU_tanh(u)])
 * </pre>
 */
public final class SingleStreamBlock extends Module {
    private final LinearImpl linear1;
    private final LinearImpl linear2;
    private final FluxQkNorm norm;
    private final LayerNormImpl preNorm;
    private final FluxModulation modulation;
    private final long hidden;
    private final long mlpHidden;
    private final long heads;

    /** A block of width {@code hidden} with {@code heads} heads and MLP width {@code mlpHidden}. */
    public SingleStreamBlock(long hidden, long heads, long mlpHidden, Generator g) {
        super("SingleStreamBlock");
        this.hidden = hidden;
        this.mlpHidden = mlpHidden;
        this.heads = heads;
        this.linear1 = register_module("linear1", Layers.linear(hidden, 3 * hidden + mlpHidden, true, g));
        this.linear2 = register_module("linear2", Layers.linear(hidden + mlpHidden, hidden, true, g));
        this.norm = register_module("norm", new FluxQkNorm(hidden / heads));
        this.preNorm = register_module("pre_norm", Layers.layerNorm(hidden, 1e-6, false));
        this.modulation = register_module("modulation", new FluxModulation(hidden, false, g));
    }

    /** {@code x [B, L, C]}, {@code vec [B, C]} → {@code [B, L, C]}. */
    public Tensor forward(Tensor x, Tensor vec) {
        FluxModulation.Out mod = modulation.forward(vec)[0]; // (shift, scale, gate) [B, 1, C]
        Tensor h = linear1.forward(mod.modulate(preNorm.forward(x))); // [B, L, 3C + mlpHidden]
        Tensor qkv = h.narrow(-1, 0, 3 * hidden); // [B, L, 3C]
        Tensor mlp = h.narrow(-1, 3 * hidden, mlpHidden); // [B, L, mlpHidden]
        Tensor[] t = FluxSelfAttention.splitQkv(qkv, heads, norm); // 3 × [B, H, L, D]
        Tensor attn = FluxSelfAttention.attention(t[0], t[1], t[2]); // [B, L, C]
        Tensor out = linear2.forward(torch.cat(new TensorVector(attn, torch.gelu(mlp, "tanh")), 2)); // [B, L, C]
        return x.add(mod.gate().mul(out)); // [B, L, C]
    }
}
