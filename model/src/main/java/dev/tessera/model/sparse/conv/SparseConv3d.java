package dev.tessera.model.sparse.conv;

import dev.tessera.model.Torch;
import dev.tessera.model.nn.Init;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A generalised (strided) sparse convolution, spconv's {@code SparseConv3d}: output voxel {@code o} of the coarser
 * grid (side {@code ⌊(S + 2p − k)/s⌋ + 1}) is active when any input voxel of its window {@code s·o − p + [0, k)³} is,
 * and there it equals a dense {@code conv3d} with the same kernel, stride and padding of the grid with zeros at
 * inactive voxels. With {@code k = s = 2, p = 0} (the default downsampling) each input voxel feeds exactly one output:
 * its parent.
 *
 * <p>Parameters: {@code weight [C_out, k, k, k, C_in]}, {@code bias [C_out]}, PyTorch's {@code nn.Conv3d}
 * initialisation from an explicit generator.
 */
public final class SparseConv3d extends Module {
    static {
        Torch.load();
    }

    private final int kernel;
    private final int stride;
    private final int padding;
    private final Tensor weight;
    private final Tensor bias;

    /** A convolution {@code in → out} channels with a {@code kernel³} kernel, {@code stride} and {@code padding}. */
    public SparseConv3d(long in, long out, int kernel, int stride, int padding, boolean bias, Generator g) {
        super("SparseConv3d");
        if (in < 1 || out < 1 || kernel < 1 || stride < 1 || padding < 0 || padding >= kernel) {
            throw new IllegalArgumentException("bad SparseConv3d(in=" + in + ", out=" + out + ", kernel=" + kernel
                    + ", stride=" + stride + ", padding=" + padding + ")");
        }
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.weight = torch.empty(out, kernel, kernel, kernel, in);
        register_parameter("weight", weight);
        this.bias = bias ? torch.empty(out) : null;
        if (this.bias != null) {
            register_parameter("bias", this.bias);
        }
        Init.torchDefault(weight, this.bias, in * kernel * kernel * kernel, g);
    }

    /** The downsampling convolution: kernel 2, stride 2, no padding. */
    public static SparseConv3d downsample(long in, long out, Generator g) {
        return new SparseConv3d(in, out, 2, 2, 0, true, g);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    /** {@code x [N, C_in]} on a {@code S³} grid → {@code [M, C_out]} on the strided grid's active voxels. */
    public SparseTensor forward(SparseTensor x) {
        return forward(x, SparseConvolution.Algorithm.AUTO);
    }

    /** The same with a chosen algorithm (see {@link SparseConvolution.Algorithm}; for tests and benchmarks). */
    SparseTensor forward(SparseTensor x, SparseConvolution.Algorithm algorithm) {
        KernelMap map = KernelMap.strided(x, kernel, stride, padding);
        Tensor f = SparseConvolution.apply(x.feats(), map, weight, bias, algorithm); // [M, C_out]
        return SparseTensor.canonical(map.outCoords(), map.outCache(), f, x.batchSize(), map.outShape());
    }
}
