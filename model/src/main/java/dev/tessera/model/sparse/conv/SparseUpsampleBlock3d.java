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
 * SparseSubdivideBlock3d}), Sparc3D and XCube: {@code conv1 → SiLU} on the parents, an occupancy head
 * ({@code occupancy}, a linear layer to eight logits per parent, one per child {@code 4i + 2j + k}) decides which of
 * the eight children ({@link SparseSubdivide}) survive, the survivors take their parent's features, then {@code conv2
 * → SiLU} on the survivors only. Deciding before the children exist keeps both the memory and the convolution on the
 * kept set: the active set follows the surface instead of growing eightfold per level.
 *
 * <p>Which children are kept: at inference the predicted ones (logit &gt; 0); in training the true ones (teacher
 * forcing), given as the target's voxels at this level, so every later layer works on the right set while the
 * occupancy head learns to predict it (its binary cross-entropy is the pruning loss).
 */
public final class SparseUpsampleBlock3d extends Module {
    static {
        Torch.load();
    }

    /**
     * What the block produced.
     *
     * @param kept the surviving children {@code [M, C_out]} after {@code conv2}
     * @param children the layout of all {@code 8N} children (coordinates, keys, parents)
     * @param logits every child's occupancy logit, {@code [8N]}, in the children's order
     * @param keep which children survived, {@code [8N]} bool
     */
    public record Output(SparseTensor kept, SparseSubdivide.Layout children, Tensor logits, Tensor keep) {}

    private final SubmanifoldConv3d conv1;
    private final SubmanifoldConv3d conv2;
    private final LinearImpl occupancy;

    /** A block {@code in → out} channels. */
    public SparseUpsampleBlock3d(long in, long out, Generator g) {
        super("SparseUpsampleBlock3d");
        this.conv1 = register_module("conv1", new SubmanifoldConv3d(in, out, 3, true, g));
        this.conv2 = register_module("conv2", new SubmanifoldConv3d(out, out, 3, true, g));
        this.occupancy = register_module("occupancy", Layers.linear(out, 8, true, g));
        Init.constant(occupancy.bias(), 1.0); // start by keeping children: early training sees the full subdivision
    }

    /** The convolution applied to the parents. */
    public SubmanifoldConv3d conv1() {
        return conv1;
    }

    /** The convolution applied to the kept children. */
    public SubmanifoldConv3d conv2() {
        return conv2;
    }

    /** The occupancy head (a linear layer {@code C_out → 8}). */
    public LinearImpl occupancy() {
        return occupancy;
    }

    /**
     * Estimated bytes per kept child and channel: its features in and out of a block and a block's temporaries (norm,
     * activation, convolution, sum), six floats' worth.
     */
    public static final double BYTES_PER_CHANNEL = 4 * 6.0;

    /**
     * Estimated bytes per kept child besides its channels: coordinates and keys, the kernel map's pairs (16 bytes per
     * pair) and the output gather's lists (8 per pair) for the nearly full neighbourhoods of an unpruned subdivision
     * (26 neighbours, 90 % present), and the children's layout. Measured: a guide-less decode of a new {@code bench()}
     * model at 256³ (695 000 voxels kept at the last level, every convolution on the lean output gather) peaked 931 MiB
     * above its start with 16 channels and 822 MiB with 8, against 983 and 856 MiB estimated.
     */
    public static final double BYTES_PER_VOXEL = 1100;

    /** Estimated bytes per child of the children's layout (coordinates, keys, parent, offset, logit, mask). */
    public static final double BYTES_PER_CHILD = 4 * 8 + 3 * 8 + 4 + 1;

    /**
     * The estimated memory of a level that keeps {@code kept} children with {@code channels} channels, on the lean
     * convolution: the memory the decode needs. When more is free, the sparse convolutions take their faster
     * algorithms ({@link SparseConvolution}), which use more (up to a quarter of the free memory).
     */
    public static double estimateBytes(long kept, long channels) {
        return kept * (BYTES_PER_CHANNEL * channels + BYTES_PER_VOXEL);
    }

    /** Upsamples with no memory limit (see {@link #forward(SparseTensor, SparseTensor, long)}). */
    public Output forward(SparseTensor x, SparseTensor guide) {
        return forward(x, guide, Long.MAX_VALUE);
    }

    /**
     * Upsamples {@code x [N, C_in]} to the children it keeps.
     *
     * @param guide the voxels to keep at the children's resolution (teacher forcing; extra voxels that are nobody's
     *     child are ignored), or {@code null} to keep the children whose logit is positive
     * @param maxBytes refuse before laying out the children, or before giving the kept ones features, when the
     *     estimate exceeds this
     * @throws DecodeTooLargeException when it does
     */
    public Output forward(SparseTensor x, SparseTensor guide, long maxBytes) {
        int side = x.spatialShape()[0] * 2;
        double layout = 8.0 * x.size() * BYTES_PER_CHILD;
        if (layout > maxBytes) {
            throw new DecodeTooLargeException(8 * x.size(), side, layout, maxBytes);
        }
        SparseTensor h = conv1.forward(x); // [N, C_out]
        Tensor hf = torch.silu(h.feats()); // [N, C_out]
        Tensor perParent = occupancy.forward(hf).reshape(-1); // [N·8], child c of parent p at 8p + c
        SparseSubdivide.Layout l = SparseSubdivide.layout(x);
        Tensor logits = perParent.index_select(0, l.parent().mul(new Scalar(8)).add(l.offset())); // [8N]
        Tensor keep = guide == null
                ? logits.gt(new Scalar(0.0)) // [8N] bool
                : VoxelKeys.find(guide.keys(), l.keys())[1]; // [8N] bool
        Tensor rows = torch.nonzero(keep).select(1, 0); // [M]
        double need = layout + estimateBytes(rows.size(0), conv2.weight().size(0));
        if (need > maxBytes) {
            throw new DecodeTooLargeException(rows.size(0), side, need, maxBytes);
        }
        Tensor coords = l.coords().index_select(0, rows); // [M, 4]
        Tensor feats = hf.index_select(0, l.parent().index_select(0, rows)); // [M, C_out]
        SparseTensor kept = guide != null && rows.size(0) == guide.size()
                ? SparseTensor.canonical(coords, guide.cache(), feats, x.batchSize(), l.shape()) // the same voxels
                : SparseTensor.canonical(coords, l.keys().index_select(0, rows), feats, x.batchSize(), l.shape());
        kept = conv2.forward(kept); // [M, C_out]
        kept = kept.replace(torch.silu(kept.feats())); // [M, C_out]
        return new Output(kept, l, logits, keep);
    }
}
