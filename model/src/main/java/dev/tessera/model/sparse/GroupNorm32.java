package dev.tessera.model.sparse;

import dev.tessera.model.Torch;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * TRELLIS's {@code GroupNorm32}: {@code nn.GroupNorm(groups, C)} (eps 1e-5, weight and bias {@code [C]}) computed in
 * float32. The sparse-structure VAE uses it when {@code norm_type} is {@code "group"} (the released checkpoints use
 * {@code "layer"}).
 */
public final class GroupNorm32 extends Module implements Norm3d {
    static {
        Torch.load();
    }

    private final long groups;
    private final Tensor weight;
    private final Tensor bias;

    /** A group norm of {@code channels} channels in {@code groups} groups. */
    public GroupNorm32(long groups, long channels) {
        super("GroupNorm32");
        if (channels % groups != 0) {
            throw new IllegalArgumentException(
                    "GroupNorm32: " + channels + " channels are not divisible into " + groups + " groups");
        }
        this.groups = groups;
        this.weight = torch.ones(channels); // kept ourselves: register_parameter's result moves with the next one
        this.bias = torch.zeros(channels);
        register_parameter("weight", weight);
        register_parameter("bias", bias);
    }

    @Override
    public Tensor forward(Tensor x) {
        ScalarType type = x.scalar_type().intern();
        Tensor xf = type == ScalarType.Float ? x : x.to(ScalarType.Float);
        Tensor h = torch.group_norm(
                xf, groups, new TensorOptional(weight), new TensorOptional(bias), 1e-5, false); // [B, C, D, H, W]
        return type == ScalarType.Float ? h : h.to(type);
    }
}
