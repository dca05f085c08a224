package dev.tessera.model.sparse.conv;

import dev.tessera.model.Torch;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * GroupNorm over the active voxels of each batch item (TRELLIS's and Direct3D-S2's {@code SparseGroupNorm32}): the
 * channels split into {@code G} groups, and each (item, group) is normalised by the mean and biased variance of its
 * values over that item's active voxels only, then scaled and shifted per channel (weight, bias {@code [C]}, eps
 * 1e-5, float32). For one item it equals {@code group_norm} of its features as a {@code [1, C, N_b]} tensor — a
 * dense GroupNorm that masks out the inactive voxels. The statistics of all items are computed at once with
 * scatter-adds over the batch index, without a loop over the batch.
 */
public final class SparseGroupNorm extends Module implements SparseNorm {
    static {
        Torch.load();
    }

    /** PyTorch's default. */
    public static final double EPS = 1e-5;

    private final long groups;
    private final long channels;
    private final Tensor weight;
    private final Tensor bias;

    public SparseGroupNorm(long groups, long channels) {
        super("SparseGroupNorm");
        if (groups < 1 || channels % groups != 0) {
            throw new IllegalArgumentException(
                    "SparseGroupNorm: " + channels + " channels do not split into " + groups + " groups");
        }
        this.groups = groups;
        this.channels = channels;
        this.weight = torch.ones(channels);
        this.bias = torch.zeros(channels);
        register_parameter("weight", weight);
        register_parameter("bias", bias);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    public long groups() {
        return groups;
    }

    @Override
    public SparseTensor forward(SparseTensor x) {
        Tensor f = x.feats(); // [N, C]
        if (f.size(1) != channels) {
            throw new IllegalArgumentException(
                    "SparseGroupNorm(" + groups + ", " + channels + ") got " + f.size(1) + " channels");
        }
        ScalarType type = f.scalar_type().intern();
        long n = f.size(0), per = channels / groups;
        int b = x.batchSize();
        Tensor batch = x.batchIndex(); // [N]
        Tensor h = (type == ScalarType.Float ? f : f.to(ScalarType.Float)).view(n, groups, per); // [N, G, C/G]
        Tensor count = x.batchCounts()
                .to(ScalarType.Float)
                .mul(new Scalar((double) per))
                .clamp(new ScalarOptional(new Scalar(1.0)), new ScalarOptional())
                .unsqueeze(1); // [B, 1]
        Tensor sum = h.new_zeros(new long[] {b, groups}).index_add(0, batch, h.sum(new long[] {2})); // [B, G]
        Tensor mean = sum.div(count); // [B, G]
        Tensor centred = h.sub(mean.index_select(0, batch).unsqueeze(2)); // [N, G, C/G]
        Tensor sq = h.new_zeros(new long[] {b, groups})
                .index_add(0, batch, centred.pow(new Scalar(2)).sum(new long[] {2})); // [B, G]
        Tensor inv = sq.div(count).add(new Scalar(EPS)).rsqrt(); // [B, G]
        Tensor y = centred.mul(inv.index_select(0, batch).unsqueeze(2)).view(n, channels); // [N, C]
        y = y.mul(weight).add(bias); // [N, C]
        return x.replace(type == ScalarType.Float ? y : y.to(type));
    }
}
