package dev.tessera.model.dit;

import dev.tessera.model.nn.Init;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ModuleListImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Hunyuan3D-2.1's mixture of experts ({@code MoEBlock} with {@code MoEGate}): a softmax gate over {@code experts}
 * ({@code gate.weight [E, C]}, no bias), each token sent to its top-k experts weighted by their gate probabilities
 * (not renormalised), plus an always-on {@code shared_experts} feed-forward:
 * {@code y = Σ_k p_k · expert_{i_k}(x) + shared(x)}. Training and inference compute the same function; the
 * reference's auxiliary load-balancing loss is not computed.
 */
public final class HunYuanMoEBlock extends Module {
    private final List<HunYuanFeedForward> experts = new ArrayList<>();
    private final Tensor gateWeight;
    private final Module gate; // kept: see Layers.container
    private final HunYuanFeedForward shared;
    private final int topK;

    HunYuanMoEBlock(long dim, int numExperts, int topK, long inner, Generator g) {
        super("MoEBlock");
        this.topK = topK;
        ModuleListImpl list = register_module("experts", new ModuleListImpl());
        for (int i = 0; i < numExperts; i++) {
            HunYuanFeedForward e = new HunYuanFeedForward(dim, inner, g);
            list.push_back(e);
            experts.add(e);
        }
        this.gate = register_module("gate", dev.tessera.model.nn.Layers.container("MoEGate"));
        this.gateWeight = torch.empty(numExperts, dim);
        gate.register_parameter("weight", gateWeight);
        double bound = 1.0 / Math.sqrt(dim); // kaiming_uniform_(a=√5), as the reference
        Init.uniform(gateWeight, -bound, bound, g);
        this.shared = register_module("shared_experts", new HunYuanFeedForward(dim, inner, g));
    }

    /** {@code x [B, L, C]} → {@code [B, L, C]}. */
    public Tensor forward(Tensor x) {
        long c = x.size(-1);
        Tensor flat = x.reshape(-1, c); // [T, C]
        Tensor scores = torch.softmax(flat.matmul(gateWeight.t()), -1); // [T, E]
        var top = torch.topk(scores, topK, -1, true, false);
        Tensor weight = top.get0(); // [T, k]
        Tensor index = top.get1(); // [T, k]
        Tensor y = torch.zeros_like(flat); // [T, C]
        for (int e = 0; e < experts.size(); e++) {
            Tensor hit = index.eq(new org.bytedeco.pytorch.Scalar(e)); // [T, k]
            Tensor w = weight.mul(hit).sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional()); // [T]
            Tensor tokens = hit.any(1).nonzero().squeeze(1); // [T_e]
            if (tokens.size(0) == 0) {
                continue;
            }
            Tensor out = experts.get(e).forward(flat.index_select(0, tokens)); // [T_e, C]
            out = out.mul(w.index_select(0, tokens).unsqueeze(1)); // [T_e, C]
            y = y.index_add(0, tokens, out); // [T, C]
        }
        return y.reshape_as(x).add(shared.forward(x)); // [B, L, C]
    }

    List<HunYuanFeedForward> experts() {
        return experts;
    }
}
