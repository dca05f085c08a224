package dev.tessera.model.nn;

import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Two linear layers with an activation between them: {@code fc2(act(fc1(x)))}. The layer names are chosen by the model
 * so state-dict keys match its reference ({@code fc1}/{@code fc2} in timm and DiT, {@code c_fc}/{@code c_proj} in
 * Hunyuan3D-2's VAE, {@code 0}/{@code 2} for an {@code nn.Sequential}).
 */
public final class Mlp extends Module {
    private final LinearImpl fc1;
    private final LinearImpl fc2;
    private final Activation activation;

    /** An MLP {@code in → hidden → out} with the given layer names. */
    public Mlp(long in, long hidden, long out, Activation activation, String fc1Name, String fc2Name, Generator g) {
        super("Mlp");
        this.fc1 = register_module(fc1Name, Layers.linear(in, hidden, true, g));
        this.fc2 = register_module(fc2Name, Layers.linear(hidden, out, true, g));
        this.activation = activation;
    }

    /** The timm/DiT MLP: {@code fc1}, {@code fc2}. */
    public static Mlp timm(long in, long hidden, long out, Activation activation, Generator g) {
        return new Mlp(in, hidden, out, activation, "fc1", "fc2", g);
    }

    public LinearImpl fc1() {
        return fc1;
    }

    public LinearImpl fc2() {
        return fc2;
    }

    /** {@code x [..., in]} → {@code [..., out]}. */
    public Tensor forward(Tensor x) {
        return fc2.forward(activation.apply(fc1.forward(x))); // [..., out]
    }
}
