package dev.tessera.model;

import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Seeded random numbers for libtorch, passed explicitly (never the global generator), so the same seed gives the
 * same weights, noise and batches on the CPU.
 */
public final class Rng {
    static {
        Torch.load();
    }

    private Rng() {}

    /** A CPU generator seeded with {@code seed}. */
    public static Generator cpu(long seed) {
        return torch.createCPUGenerator(seed);
    }

    /** Standard normal float32 noise of the given shape. */
    public static Tensor randn(Generator g, long... shape) {
        return torch.randn(shape, new GeneratorOptional(g), new TensorOptions(ScalarType.Float));
    }

    /** Uniform float32 noise in {@code [0, 1)} of the given shape. */
    public static Tensor rand(Generator g, long... shape) {
        return torch.rand(shape, new GeneratorOptional(g), new TensorOptions(ScalarType.Float));
    }

    /** A random permutation of {@code 0..n-1} (int64). */
    public static Tensor randperm(Generator g, long n) {
        return torch.randperm(n, new GeneratorOptional(g), new TensorOptions(ScalarType.Long));
    }

    /** The generator's full state as bytes (for checkpoints). */
    public static byte[] state(Generator g) {
        return Tensors.toBytes(g.get_state());
    }

    /** Restores a state taken with {@link #state(Generator)}. */
    public static void restore(Generator g, byte[] state) {
        g.set_state(Tensors.fromBytes(state));
    }
}
