package dev.tessera.model.dit;

import dev.tessera.model.nn.Layers;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Hunyuan3D-2.1's {@code TimestepEmbedder}: the sinusoid {@code [sin(t·w_i), sin…, cos(t·w_i)…]} (<b>sines first</b>,
 * unlike DiT) of width {@code hidden}, {@code w_i = 10000^(−i/(hidden/2))}, of {@code t} as given (no ×1000), then
 * {@code mlp.0} Linear(hidden, 4·hidden) → exact GELU → {@code mlp.2} Linear(4·hidden, hidden).
 */
public final class HunYuanTimestepEmbedder extends Module {
    private final Module mlp; // kept: see Layers.container
    private final LinearImpl fc1;
    private final LinearImpl fc2;
    private final long hidden;

    HunYuanTimestepEmbedder(long hidden, Generator g) {
        super("TimestepEmbedder");
        this.hidden = hidden;
        this.mlp = register_module("mlp", Layers.container("Sequential"));
        this.fc1 = mlp.register_module("0", Layers.linear(hidden, 4 * hidden, true, g));
        this.fc2 = mlp.register_module("2", Layers.linear(4 * hidden, hidden, true, g));
    }

    /** {@code t [B]} → {@code [B, 1, hidden]} (one token). */
    public Tensor forward(Tensor t) {
        long half = hidden / 2;
        Tensor i = torch.arange(new Scalar(0), new Scalar(half), new TensorOptions(ScalarType.Float))
                .to(t.device(), ScalarType.Float); // [half]
        Tensor freqs = i.mul(new Scalar(-Math.log(10000.0)))
                .div(new Scalar((double) half))
                .exp(); // [half]
        Tensor args = t.to(ScalarType.Float).unsqueeze(1).mul(freqs.unsqueeze(0)); // [B, half]
        Tensor e = torch.cat(new TensorVector(args.sin(), args.cos()), -1); // [B, 2·half]
        if (hidden % 2 == 1) {
            e = torch.cat(new TensorVector(e, torch.zeros_like(e.narrow(1, 0, 1))), -1); // [B, hidden]
        }
        e = e.to(fc1.weight().scalar_type().intern());
        return fc2.forward(torch.gelu(fc1.forward(e))).unsqueeze(1); // [B, 1, hidden]
    }
}
