package dev.tessera.model.sparse.conv;

import dev.tessera.model.Torch;
import dev.tessera.model.nn.Init;
import dev.tessera.model.nn.Layers;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Upsampling with pruning, the step of the coarse-to-fine sparse decoders of Direct3D-S2 ({@code
 * SparseSubdivideBlock3d}), Sparc3D and XCube: {@code conv1 → SiLU}, subdivide every voxel into its eight
 * children ({@link SparseSubdivide}), {@code conv2 → SiLU} on the children, then an occupancy head
 * ({@code occupancy}, a linear layer to one logit per child) decides which children survive. Only those are kept,
 * so the active set follows the surface instead of growing eightfold per level.
 *
 * <p>Which children are kept: at inference the predicted ones (logit &gt; 0); in training the true ones, given as the
 * sorted keys of the target's voxels at this level (teacher forcing), so every later layer works on the right set
 * while the occupancy head learns to predict it (its binary cross-entropy is the pruning loss).
 */
public final class SparseUpsampleBlock3d extends Module {
    static {
        Torch.load();
    }

    /**
     * What the block produced.
     *
     * @param kept the surviving children {@code [M, C_out]}
     * @param children every child's coordinates (features after {@code conv2}), {@code [8N, C_out]}
     * @param logits every child's occupancy logit, {@code [8N]}
     * @param keep which children survived, {@code [8N]} bool
     */
    public record Output(SparseTensor kept, SparseTensor children, Tensor logits, Tensor keep) {}

    private final SubmanifoldConv3d conv1;
    private final SubmanifoldConv3d conv2;
    private final LinearImpl occupancy;

    /** A block {@code in → out} channels. */
    public SparseUpsampleBlock3d(long in, long out, Generator g) {
        super("SparseUpsampleBlock3d");
        this.conv1 = register_module("conv1", new SubmanifoldConv3d(in, out, 3, true, g));
        this.conv2 = register_module("conv2", new SubmanifoldConv3d(out, out, 3, true, g));
        this.occupancy = register_module("occupancy", Layers.linear(out, 1, true, g));
        Init.constant(occupancy.bias(), 1.0); // start by keeping children: early training sees the full subdivision
    }

    /** The occupancy head (a linear layer {@code C_out → 1}). */
    public LinearImpl occupancy() {
        return occupancy;
    }

    /**
     * Upsamples {@code x [N, C_in]} to the children it keeps.
     *
     * @param guide sorted keys of the voxels to keep at the children's resolution (teacher forcing), or {@code null}
     *     to keep the children whose logit is positive
     */
    public Output forward(SparseTensor x, Tensor guide) {
        SparseTensor h = conv1.forward(x); // [N, C_out]
        h = h.replace(torch.silu(h.feats())); // [N, C_out]
        SparseTensor children = SparseSubdivide.apply(h).children(); // [8N, C_out]
        children = conv2.forward(children); // [8N, C_out]
        children = children.replace(torch.silu(children.feats())); // [8N, C_out]
        Tensor logits = occupancy.forward(children.feats()).squeeze(1); // [8N]
        Tensor keep = guide == null
                ? logits.gt(new Scalar(0.0)) // [8N] bool
                : VoxelKeys.find(guide, children.keys())[1]; // [8N] bool
        return new Output(children.select(keep), children, logits, keep);
    }
}
