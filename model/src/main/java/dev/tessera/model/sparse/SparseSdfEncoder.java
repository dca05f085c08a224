package dev.tessera.model.sparse;

import dev.tessera.model.DiagonalGaussian;
import dev.tessera.model.Torch;
import dev.tessera.model.nn.Layers;
import dev.tessera.model.sparse.conv.SparseConv3d;
import dev.tessera.model.sparse.conv.SparseNorm;
import dev.tessera.model.sparse.conv.SparseResBlock3d;
import dev.tessera.model.sparse.conv.SparseTensor;
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
 * The sparse SDF VAE's encoder: the truncated SDF at the active voxels (two input channels: the value, and 1 marking
 * the voxel active, so a zero distance differs from an empty neighbour) → {@code input_layer} (3×3×3 submanifold
 * convolution) → per level, {@code num_res_blocks} {@link SparseResBlock3d}s and, between levels, a 2×2×2 stride-2
 * {@link SparseConv3d} (each active voxel feeds its parent) → {@code out_layer} (norm, SiLU, linear to {@code 2 ×
 * latent_channels}) → the posterior's mean and log-variance at every active latent voxel.
 *
 * <pre>
 * tsdf, 1         [N₀, 2]       at level 0 (the input grid)
 * input_layer     [N₀, c₀]
 * blocks …        [N_l, c_l]    N_l = active parents of level l − 1
 * out_layer       [N_L, 2·latent]
 * </pre>
 */
public final class SparseSdfEncoder extends Module {
    static {
        Torch.load();
    }

    private final SparseSdfVaeConfig config;
    private final SubmanifoldConv3d inputLayer;
    private final ModuleListImpl blockList;
    private final List<Module> blocks = new ArrayList<>();
    private final Module outLayer; // container, kept so the native module outlives its Java peer's uses
    private final SparseNorm outNorm;
    private final LinearImpl outLinear;

    public SparseSdfEncoder(SparseSdfVaeConfig config, Generator g) {
        super("SparseSdfEncoder");
        this.config = config;
        List<Integer> ch = config.channels();
        this.inputLayer = register_module("input_layer", new SubmanifoldConv3d(2, ch.get(0), 3, true, g));
        this.blockList = register_module("blocks", new ModuleListImpl());
        for (int l = 0; l < ch.size(); l++) {
            for (int b = 0; b < config.numResBlocks(); b++) {
                add(new SparseResBlock3d(ch.get(l), ch.get(l), config.normType(), g));
            }
            if (l + 1 < ch.size()) {
                add(SparseConv3d.downsample(ch.get(l), ch.get(l + 1), g));
            }
        }
        int last = ch.get(ch.size() - 1);
        this.outLayer = register_module("out_layer", Layers.container("Sequential"));
        this.outNorm = SparseNorm.of(config.normType(), last);
        outLayer.register_module("0", (Module) outNorm);
        this.outLinear = outLayer.register_module("2", Layers.linear(last, 2L * config.latentChannels(), true, g));
    }

    private void add(Module m) {
        blockList.push_back(m);
        blocks.add(m);
    }

    /**
     * Encodes the normalised truncated SDF {@code x [N, 1]} on the input grid (canonical order) into the posterior
     * at the latent voxels; {@code levels}, when not null, receives the sparse tensor of every level, finest first.
     */
    public Posterior forward(SparseTensor tsdf, List<SparseTensor> levels) {
        if (tsdf.channels() != 1) {
            throw new IllegalArgumentException("the encoder takes one SDF channel, got " + tsdf.channels());
        }
        Tensor ones = torch.ones_like(tsdf.feats()); // [N, 1]
        SparseTensor h = inputLayer.forward(
                tsdf.replace(torch.cat(new org.bytedeco.pytorch.TensorVector(tsdf.feats(), ones), 1))); // [N, c0]
        if (levels != null) {
            levels.add(h);
        }
        for (Module m : blocks) {
            if (m instanceof SparseResBlock3d b) {
                h = b.forward(h); // [N_l, c_l]
            } else {
                h = ((SparseConv3d) m).forward(h); // [N_(l+1), c_(l+1)]
                if (levels != null) {
                    levels.add(h);
                }
            }
        }
        h = outNorm.forward(h); // [N_L, c_L]
        Tensor moments = outLinear.forward(torch.silu(h.feats())); // [N_L, 2·latent]
        return new Posterior(h, DiagonalGaussian.of(moments, 1, true));
    }

    /** The posterior at the latent voxels: {@code voxels} holds their coordinates, the Gaussian {@code [N_L, latent]}. */
    public record Posterior(SparseTensor voxels, DiagonalGaussian gaussian) {
        /** The latent voxels with the given features (a sample or the mean) {@code [N_L, latent]}. */
        public SparseTensor latent(Tensor z) {
            return voxels.replace(z);
        }
    }

    public SparseSdfVaeConfig config() {
        return config;
    }
}
