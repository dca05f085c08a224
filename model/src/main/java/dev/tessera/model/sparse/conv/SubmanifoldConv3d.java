package dev.tessera.model.sparse.conv;

import dev.tessera.model.Torch;
import dev.tessera.model.nn.Init;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Submanifold sparse convolution (Graham, Engelcke and van der Maaten, "3D Semantic Segmentation with Submanifold
 * Sparse Convolutional Networks", 2018; spconv's {@code SubMConv3d}): a {@code k³} convolution whose outputs are the
 * active input voxels only, so the active set does not dilate layer after layer. At every active voxel it equals a
 * dense {@code conv3d} (stride 1, padding {@code k/2}) of the grid with zeros at inactive voxels.
 *
 * <p>The products are formed by gather → GEMM → scatter-add per kernel offset, or, where most neighbours are present
 * (surface bands), by one gather of all neighbours and one large GEMM ({@link SparseConvolution}).
 *
 * <p>Parameters: {@code weight [C_out, k, k, k, C_in]} (the layout of spconv 2.x and FlexGEMM; the dense weight is
 * {@code weight.permute(0, 4, 1, 2, 3)}) and {@code bias [C_out]}, initialised as PyTorch's {@code nn.Conv3d}
 * (U(±1/√(C_in·k³))) from an explicit generator.
 */
public final class SubmanifoldConv3d extends Module {
    static {
        Torch.load();
    }

    private final int kernel;
    private final Tensor weight;
    private final Tensor bias;

    /** A convolution {@code in → out} channels with an odd {@code kernel³} kernel. */
    public SubmanifoldConv3d(long in, long out, int kernel, boolean bias, Generator g) {
        super("SubmanifoldConv3d");
        if (in < 1 || out < 1 || kernel < 1 || kernel % 2 == 0) {
            throw new IllegalArgumentException("bad SubmanifoldConv3d(in=" + in + ", out=" + out + ", kernel=" + kernel
                    + "): the kernel must be odd");
        }
        this.kernel = kernel;
        // keep the tensors we register (register_parameter's return value moves with the next registration)
        this.weight = torch.empty(out, kernel, kernel, kernel, in);
        register_parameter("weight", weight);
        this.bias = bias ? torch.empty(out) : null;
        if (this.bias != null) {
            register_parameter("bias", this.bias);
        }
        Init.torchDefault(weight, this.bias, in * kernel * kernel * kernel, g);
    }

    /** {@code weight [C_out, k, k, k, C_in]}. */
    public Tensor weight() {
        return weight;
    }

    /** {@code bias [C_out]}, or {@code null}. */
    public Tensor bias() {
        return bias;
    }

    public int kernel() {
        return kernel;
    }

    /** Zeroes weight and bias (a residual branch that starts as nothing); returns this. */
    public SubmanifoldConv3d zeroInit() {
        Init.zeros(weight, bias);
        return this;
    }

    /** {@code x [N, C_in]} → {@code [N, C_out]} on the same voxels. */
    public SparseTensor forward(SparseTensor x) {
        return forward(x, SparseConvolution.Algorithm.AUTO);
    }

    /** The same with a chosen algorithm (see {@link SparseConvolution.Algorithm}; for tests and benchmarks). */
    SparseTensor forward(SparseTensor x, SparseConvolution.Algorithm algorithm) {
        KernelMap map = KernelMap.submanifold(x, kernel);
        return x.replace(SparseConvolution.apply(x.feats(), map, weight, bias, algorithm)); // [N, C_out]
    }
}
