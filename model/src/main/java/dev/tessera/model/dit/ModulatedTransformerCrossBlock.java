package dev.tessera.model.dit;

import dev.tessera.model.nn.Activation;
import dev.tessera.model.nn.Init;
import dev.tessera.model.nn.Layers;
import dev.tessera.model.nn.Mlp;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * TRELLIS's DiT block with cross-attention ({@code ModulatedTransformerCrossBlock}): adaLN modulation from the
 * timestep (shift, scale, gate for self-attention, then for the MLP), self-attention on {@code norm1} (no affine),
 * cross-attention to the condition tokens on {@code norm2} (affine, not modulated, not gated), and a tanh-GELU MLP
 * on {@code norm3} (no affine). All LayerNorms use eps 1e-6.
 *
 * <pre>
 * x = x + gate_msa · self_attn(norm1(x) · (1 + scale_msa) + shift_msa)
 * x = x + cross_attn(norm2(x), context)
 * x = x + gate_mlp · mlp(norm3(x) · (1 + scale_mlp) + shift_mlp)
 * </pre>
 */
public final class ModulatedTransformerCrossBlock extends Module {
    private static final double EPS = 1e-6;
    private final long channels;
    private final LayerNormImpl norm2;
    private final TrellisMultiHeadAttention selfAttn;
    private final TrellisMultiHeadAttention crossAttn;
    private final Mlp mlp;
    private final LinearImpl adaLn;
    // containers behind the mlp. and adaLN_modulation. keys, kept so JavaCPP does not collect them
    private final Module feedForward;
    private final Module adaLnContainer;
    private static final Scalar ONE = new Scalar(1.0);

    /**
     * A block of width {@code channels} attending to {@code ctxChannels}-wide condition tokens.
     *
     * @param shareMod the modulation comes precomputed from the model ({@code share_mod}): no {@code
     *     adaLN_modulation} here
     */
    public ModulatedTransformerCrossBlock(
            long channels,
            long ctxChannels,
            long heads,
            double mlpRatio,
            boolean qkRmsNorm,
            boolean qkRmsNormCross,
            boolean shareMod,
            Generator g) {
        super("ModulatedTransformerCrossBlock");
        this.channels = channels;
        this.norm2 = register_module("norm2", Layers.layerNorm(channels, EPS, true));
        this.selfAttn =
                register_module("self_attn", TrellisMultiHeadAttention.self(channels, heads, true, qkRmsNorm, g));
        this.crossAttn = register_module(
                "cross_attn", TrellisMultiHeadAttention.cross(channels, ctxChannels, heads, true, qkRmsNormCross, g));
        this.feedForward = register_module("mlp", Layers.container("FeedForwardNet"));
        Module ff = feedForward;
        long hidden = (long) (channels * mlpRatio);
        this.mlp = ff.register_module("mlp", new Mlp(channels, hidden, channels, Activation.GELU_TANH, "0", "2", g));
        if (shareMod) {
            this.adaLnContainer = null;
            this.adaLn = null;
        } else {
            this.adaLnContainer = register_module("adaLN_modulation", Layers.container("Sequential"));
            this.adaLn = adaLnContainer.register_module("1", Layers.linear(channels, 6 * channels, true, g));
        }
    }

    /**
     * TRELLIS's initialisation: Xavier-uniform weights and zero biases on every linear, then the adaLN modulation
     * zeroed, so the block starts as the identity.
     */
    void initialize(Generator g) {
        selfAttn.initXavier(g);
        crossAttn.initXavier(g);
        Init.linearXavier(mlp.fc1(), g);
        Init.linearXavier(mlp.fc2(), g);
        if (adaLn != null) {
            Init.linearZero(adaLn);
        }
    }

    /**
     * {@code x [B, N, C]}, {@code mod [B, C]} (the timestep embedding; with {@code share_mod}, the shared modulation
     * {@code [B, 6C]}), {@code context [B, M, C_ctx]} → {@code [B, N, C]}.
     */
    public Tensor forward(Tensor x, Tensor mod, Tensor context) {
        Tensor m = adaLn == null ? mod : adaLn.forward(torch.silu(mod)); // [B, 6C]
        TensorVector p = m.unsqueeze(1).chunk(6, 2); // 6 × [B, 1, C]
        Tensor shiftMsa = p.get(0), scaleMsa = p.get(1), gateMsa = p.get(2);
        Tensor shiftMlp = p.get(3), scaleMlp = p.get(4), gateMlp = p.get(5);
        Tensor h = plainNorm(x); // [B, N, C]
        h = h.mul(scaleMsa.add(ONE)).add(shiftMsa); // [B, N, C]
        h = selfAttn.forward(h); // [B, N, C]
        x = x.add(h.mul(gateMsa)); // [B, N, C]
        h = norm2.forward(x); // [B, N, C]
        x = x.add(crossAttn.forward(h, context)); // [B, N, C]
        h = plainNorm(x); // [B, N, C]
        h = h.mul(scaleMlp.add(ONE)).add(shiftMlp); // [B, N, C]
        h = mlp.forward(h); // [B, N, C]
        return x.add(h.mul(gateMlp)); // [B, N, C]
    }

    private Tensor plainNorm(Tensor x) {
        return torch.layer_norm(x, new long[] {channels}, new TensorOptional(), new TensorOptional(), EPS, false);
    }
}
