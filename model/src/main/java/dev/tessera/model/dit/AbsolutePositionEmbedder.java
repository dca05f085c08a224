package dev.tessera.model.dit;

import dev.tessera.model.Torch;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * TRELLIS's fixed sin-cos embedding of integer grid coordinates ({@code AbsolutePositionEmbedder}): for a token at
 * {@code (x_0, …, x_{n−1})} and {@code f = channels / n / 2} frequencies {@code ω_i = 1 / 10000^(i/f)}, the embedding
 * is {@code [sin(x_0 ω), cos(x_0 ω), sin(x_1 ω), cos(x_1 ω), …]} (per axis, sines then cosines), zero-padded to
 * {@code channels}. Computed in float32 in the reference's order.
 */
public final class AbsolutePositionEmbedder {
    static {
        Torch.load();
    }

    private AbsolutePositionEmbedder() {}

    /** {@code coords [N, n]} (integers) → {@code [N, channels]} float32. */
    public static Tensor embed(Tensor coords, long channels) {
        long n = coords.size(0), axes = coords.size(1);
        long f = channels / axes / 2;
        if (f < 1) {
            throw new IllegalArgumentException(
                    "position embedding: " + channels + " channels leave no frequency for " + axes + " axes");
        }
        Tensor i = torch.arange(new Scalar(0), new Scalar(f), new TensorOptions(ScalarType.Float)); // [f]
        Tensor freqs = torch.pow(new Scalar(10000.0), i.div(new Scalar(f))).reciprocal(); // [f]
        Tensor x = coords.reshape(-1).to(ScalarType.Float); // [N·n]
        Tensor out = torch.outer(x, freqs); // [N·n, f]
        out = torch.cat(new TensorVector(out.sin(), out.cos()), -1); // [N·n, 2f]
        Tensor e = out.reshape(n, axes * 2 * f); // [N, n·2f]
        if (axes * 2 * f < channels) {
            e = torch.cat(new TensorVector(e, torch.zeros(n, channels - axes * 2 * f)), -1); // [N, channels]
        }
        return e;
    }

    /**
     * The embedding of every cell of a {@code side³} grid, cells in row-major order ({@code meshgrid(…, indexing='ij')}
     * flattened): {@code [side³, channels]}.
     */
    public static Tensor grid3d(long side, long channels) {
        Tensor a = torch.arange(new Scalar(0), new Scalar(side), new TensorOptions(ScalarType.Long)); // [side]
        TensorVector g = torch.meshgrid(new TensorVector(a, a, a), "ij"); // 3 × [side, side, side]
        Tensor coords = torch.stack(g, -1).reshape(-1, 3); // [side³, 3]
        return embed(coords, channels); // [side³, channels]
    }
}
