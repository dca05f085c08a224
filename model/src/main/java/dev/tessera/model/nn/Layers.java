package dev.tessera.model.nn;

import dev.tessera.model.Torch;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LayerNormOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LinearOptions;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Module;

/** Factories for libtorch's built-in layers with Tessera's conventions (seeded initialisation). */
public final class Layers {
    static {
        Torch.load();
    }

    private Layers() {}

    /** {@code nn.Linear(in, out, bias)} with PyTorch's default initialisation drawn from {@code g}. */
    public static LinearImpl linear(long in, long out, boolean bias, Generator g) {
        LinearOptions o = new LinearOptions(in, out);
        o.bias().put(bias);
        return Init.linear(new LinearImpl(o), g);
    }

    /** {@code nn.LayerNorm(dim, eps, elementwise_affine)}: weight ones, bias zeros. */
    public static LayerNormImpl layerNorm(long dim, double eps, boolean affine) {
        LayerNormOptions o = new LayerNormOptions(new LongVector(new long[] {dim}));
        o.eps().put(eps);
        o.elementwise_affine().put(affine);
        return new LayerNormImpl(o);
    }

    /**
     * An empty module that only groups children under a name, like {@code nn.Sequential} or a nested block.
     *
     * <p><b>Keep a Java reference to it</b> (a field of the owning module) for as long as the owner lives: a
     * {@code Module} created from Java is a JavaCPP peer whose virtual methods call back into its Java object, and
     * once that object is garbage-collected, {@code eval()}, {@code train()} or {@code to()} on the owner fail with
     * a {@code NullPointerException} from native code ({@code ContainerLifetimeTest}).
     */
    public static Module container(String typeName) {
        return new Module(typeName);
    }
}
