package dev.tessera.model.dit;

import dev.tessera.model.nn.Activation;
import dev.tessera.model.nn.Layers;
import dev.tessera.model.nn.Mlp;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Flux's double-stream block as Hunyuan3D-2 uses it: the latent tokens ({@code img_*}) and the condition tokens
 * ({@code txt_*}) keep their own modulation, norms, QKV, output projection and MLP, but attend jointly over the
 * concatenation {@code [condition; latent]}.
 *
 * <pre>
 * per stream s:  (m1, m2) = s_mod(vec)
 *                q_s, k_s, v_s = split(s_attn.qkv((1 + m1.scale)·s_norm1(x_s) + m1.shift)), RMS QK-norm
 * joint:         a = attention([q_txt; q_img], [k_txt; k_img], [v_txt; v_img])
 * per stream s:  x_s += m1.gate · s_attn.proj(a_s)
 *                x_s += m2.gate · s_mlp((1 + m2.scale)·s_norm2(x_s) + m2.shift)
 * </pre>
 *
 * The norms are LayerNorms without affine (eps 1e-6); the MLPs are {@code 0} (Linear) → tanh-GELU → {@code 2}.
 */
public final class DoubleStreamBlock extends Module {
    private final FluxModulation imgMod;
    private final LayerNormImpl imgNorm1;
    private final FluxSelfAttention imgAttn;
    private final LayerNormImpl imgNorm2;
    private final Mlp imgMlp;
    private final FluxModulation txtMod;
    private final LayerNormImpl txtNorm1;
    private final FluxSelfAttention txtAttn;
    private final LayerNormImpl txtNorm2;
    private final Mlp txtMlp;

    /** A block of width {@code hidden} with {@code heads} heads and MLP width {@code mlpHidden}. */
    public DoubleStreamBlock(long hidden, long heads, long mlpHidden, boolean qkvBias, Generator g) {
        super("DoubleStreamBlock");
        this.imgMod = register_module("img_mod", new FluxModulation(hidden, true, g));
        this.imgNorm1 = register_module("img_norm1", Layers.layerNorm(hidden, 1e-6, false));
        this.imgAttn = register_module("img_attn", new FluxSelfAttention(hidden, heads, qkvBias, g));
        this.imgNorm2 = register_module("img_norm2", Layers.layerNorm(hidden, 1e-6, false));
        this.imgMlp = register_module("img_mlp", new Mlp(hidden, mlpHidden, hidden, Activation.GELU_TANH, "0", "2", g));
        this.txtMod = register_module("txt_mod", new FluxModulation(hidden, true, g));
        this.txtNorm1 = register_module("txt_norm1", Layers.layerNorm(hidden, 1e-6, false));
        this.txtAttn = register_module("txt_attn", new FluxSelfAttention(hidden, heads, qkvBias, g));
        this.txtNorm2 = register_module("txt_norm2", Layers.layerNorm(hidden, 1e-6, false));
        this.txtMlp = register_module("txt_mlp", new Mlp(hidden, mlpHidden, hidden, Activation.GELU_TANH, "0", "2", g));
    }

    /**
     * {@code img [B, N, C]} (latent tokens), {@code txt [B, M, C]} (condition tokens), {@code vec [B, C]} →
     * {@code {img', txt'}} of the same shapes.
     */
    public Tensor[] forward(Tensor img, Tensor txt, Tensor vec) {
        FluxModulation.Out[] im = imgMod.forward(vec); // 2 × (shift, scale, gate) [B, 1, C]
        FluxModulation.Out[] tm = txtMod.forward(vec); // 2 × (shift, scale, gate) [B, 1, C]

        Tensor[] iq = imgAttn.qkv(im[0].modulate(imgNorm1.forward(img))); // 3 × [B, H, N, D]
        Tensor[] tq = txtAttn.qkv(tm[0].modulate(txtNorm1.forward(txt))); // 3 × [B, H, M, D]
        Tensor q = torch.cat(new TensorVector(tq[0], iq[0]), 2); // [B, H, M+N, D]
        Tensor k = torch.cat(new TensorVector(tq[1], iq[1]), 2); // [B, H, M+N, D]
        Tensor v = torch.cat(new TensorVector(tq[2], iq[2]), 2); // [B, H, M+N, D]
        Tensor attn = FluxSelfAttention.attention(q, k, v); // [B, M+N, C]
        long m = txt.size(1);
        Tensor txtA = attn.narrow(1, 0, m); // [B, M, C]
        Tensor imgA = attn.narrow(1, m, attn.size(1) - m); // [B, N, C]

        img = img.add(im[0].gate().mul(imgAttn.proj.forward(imgA))); // [B, N, C]
        img = img.add(im[1].gate().mul(imgMlp.forward(im[1].modulate(imgNorm2.forward(img))))); // [B, N, C]
        txt = txt.add(tm[0].gate().mul(txtAttn.proj.forward(txtA))); // [B, M, C]
        txt = txt.add(tm[1].gate().mul(txtMlp.forward(tm[1].modulate(txtNorm2.forward(txt))))); // [B, M, C]
        return new Tensor[] {img, txt};
    }
}
