package dev.tessera.model.sparse;

import dev.tessera.model.StepScope;
import dev.tessera.model.Torch;
import dev.tessera.model.nn.Init;
import dev.tessera.model.nn.Layers;
import dev.tessera.model.sparse.conv.DecodeTooLargeException;
import dev.tessera.model.sparse.conv.SparseNorm;
import dev.tessera.model.sparse.conv.SparseResBlock3d;
import dev.tessera.model.sparse.conv.SparseTensor;
import dev.tessera.model.sparse.conv.SparseUpsampleBlock3d;
import dev.tessera.model.sparse.conv.SubmanifoldConv3d;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ModuleListImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The sparse SDF VAE's decoder: the latent at its active voxels → {@code input_layer} (3×3×3 submanifold
 * convolution) → {@code num_res_blocks} {@link SparseResBlock3d}s → per finer level, a
 * {@link SparseUpsampleBlock3d} (subdivide into eight children, convolve, predict each child's occupancy, keep the
 * occupied ones) and {@code num_res_blocks} residual blocks → {@code out_layer} (norm, SiLU, linear to one channel,
 * tanh): the normalised truncated SDF at every kept voxel of the input grid.
 *
 * <pre>
 * z               [N_L, latent]     level L (the latent grid)
 * input_layer     [N_L, c_L]
 * upsample l      [8·N_(l+1), c_l] → keep → [N_l, c_l]
 * out_layer       [N_0, 1]          tanh
 * </pre>
 *
 * <p>A decode without a guide keeps the predicted children; each upsampling estimates the memory of the children it
 * is about to keep and refuses ({@link DecodeTooLargeException}) when that exceeds the budget.
 */
public final class SparseSdfDecoder extends Module {
    static {
        Torch.load();
    }

    private final SparseSdfVaeConfig config;
    private final SubmanifoldConv3d inputLayer;
    private final ModuleListImpl blockList;
    private final List<Module> blocks = new ArrayList<>();
    private final List<SparseUpsampleBlock3d> upsamples = new ArrayList<>();
    private final Module outLayer;
    private final SparseNorm outNorm;
    private final LinearImpl outLinear;

    public SparseSdfDecoder(SparseSdfVaeConfig config, Generator g) {
        super("SparseSdfDecoder");
        this.config = config;
        List<Integer> ch = config.channels();
        int levels = ch.size();
        this.inputLayer = register_module(
                "input_layer", new SubmanifoldConv3d(config.latentChannels(), ch.get(levels - 1), 3, true, g));
        this.blockList = register_module("blocks", new ModuleListImpl());
        for (int l = levels - 1; l >= 0; l--) {
            if (l < levels - 1) {
                SparseUpsampleBlock3d up = new SparseUpsampleBlock3d(ch.get(l + 1), ch.get(l), g);
                upsamples.add(up);
                add(up);
            }
            for (int b = 0; b < config.numResBlocks(); b++) {
                add(new SparseResBlock3d(ch.get(l), ch.get(l), config.normType(), g));
            }
        }
        this.outLayer = register_module("out_layer", Layers.container("Sequential"));
        this.outNorm = SparseNorm.of(config.normType(), ch.get(0));
        outLayer.register_module("0", (Module) outNorm);
        this.outLinear = outLayer.register_module("2", Layers.linear(ch.get(0), 1, true, g));
        Init.zeros(outLinear.weight()); // a new decoder predicts the surface everywhere: tanh(0) = 0
        Init.zeros(outLinear.bias());
    }

    private void add(Module m) {
        blockList.push_back(m);
        blocks.add(m);
    }

    /**
     * What a decode produced.
     *
     * @param sdf the normalised truncated SDF {@code [N_0, 1]} at the kept voxels of the input grid
     * @param levels one upsampling output per finer level, coarsest first (children, logits, which were kept)
     */
    public record Output(SparseTensor sdf, List<SparseUpsampleBlock3d.Output> levels) {}

    /**
     * Decodes a latent {@code z [N_L, latent]}.
     *
     * @param guides the voxels to keep at each finer level, coarsest first ({@code levels − 1} entries; teacher
     *     forcing in training), or {@code null} to keep the predicted children
     * @param maxBytes refuse a guide-less decode whose next upsampling is estimated to need more than this
     * @throws DecodeTooLargeException when the estimate exceeds {@code maxBytes}
     */
    public Output forward(SparseTensor z, List<SparseTensor> guides, long maxBytes) {
        if (guides != null && guides.size() != upsamples.size()) {
            throw new IllegalArgumentException(
                    "the decoder needs " + upsamples.size() + " guide levels, got " + guides.size());
        }
        SparseTensor h = inputLayer.forward(z); // [N_L, c_L]
        if (guides == null && !org.bytedeco.pytorch.GradMode.is_enabled()) {
            return new Output(head(freeDecode(h, maxBytes)), List.of());
        }
        List<SparseUpsampleBlock3d.Output> outs = new ArrayList<>();
        for (Module m : blocks) {
            if (m instanceof SparseUpsampleBlock3d up) {
                int i = outs.size();
                SparseUpsampleBlock3d.Output o = up.forward(h, guides == null ? null : guides.get(i), maxBytes);
                outs.add(o);
                h = o.kept(); // [N_l, c_l]
            } else {
                h = ((SparseResBlock3d) m).forward(h); // [N_l, c_l]
            }
        }
        return new Output(head(h), outs);
    }

    /** The output layer: the normalised truncated SDF {@code [N_0, 1]} at the voxels of {@code h}. */
    private SparseTensor head(SparseTensor h) {
        SparseTensor n = outNorm.forward(h); // [N_0, c_0]
        Tensor sdf = outLinear.forward(torch.silu(n.feats())).tanh(); // [N_0, 1]
        return h.replace(sdf);
    }

    /**
     * The blocks of a guide-less decode without gradients, each in its own scope: a block's temporaries are freed as
     * soon as it ends and only its output (with its coordinate set's kernel maps) is held into the next, so the
     * memory is that of the largest block, not the sum of all of them. The level outputs are not kept.
     */
    private SparseTensor freeDecode(SparseTensor h, long maxBytes) {
        SparseTensor.Held held = null;
        for (Module m : blocks) {
            SparseTensor next;
            SparseTensor.Held nextHeld;
            try (StepScope s = new StepScope()) {
                next = m instanceof SparseUpsampleBlock3d up
                        ? up.forward(h, null, maxBytes).kept() // [N_l, c_l]
                        : ((SparseResBlock3d) m).forward(h); // [N_l, c_l]
                nextHeld = next.hold();
            } finally {
                if (held != null) {
                    held.close(); // the block's input: nothing reads it any more
                }
            }
            h = next;
            held = nextHeld;
        }
        if (held != null) {
            held.handOver();
        }
        return h;
    }

    public SparseSdfVaeConfig config() {
        return config;
    }
}
