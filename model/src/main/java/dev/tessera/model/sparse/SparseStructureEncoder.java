package dev.tessera.model.sparse;

import dev.tessera.model.DiagonalGaussian;
import dev.tessera.model.Tensors;
import dev.tessera.model.nn.Conv3d;
import dev.tessera.model.nn.Layers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * TRELLIS's sparse-structure encoder (𝓔_S): an occupancy grid {@code [B, 1, R, R, R]} to the posterior over a latent
 * grid {@code [B, latent, R/2^(L−1), …]}. {@code input_layer} (3×3×3 conv) → {@code blocks} ({@code num_res_blocks}
 * {@link ResBlock3d}s per level, a {@link DownsampleBlock3d} between levels) → {@code middle_block} → {@code out_layer}
 * (norm, SiLU, 3×3×3 conv to 2·latent channels) → mean and log-variance split along the channels, mean first.
 *
 * <p>Parameter names are TRELLIS's, so its released {@code ss_enc_conv3d_16l8} weights load key for key.
 */
public final class SparseStructureEncoder extends Module {
    private final SparseStructureVaeConfig config;
    private final Conv3d inputLayer;
    private final List<UnaryOperator<Tensor>> blocks = new ArrayList<>();
    private final List<ResBlock3d> middle = new ArrayList<>();
    private final Norm3d outNorm;
    private final Conv3d outConv;
    // the containers behind the blocks., middle_block. and out_layer. keys, kept so JavaCPP does not collect them
    private final Module blockList;
    private final Module middleBlock;
    private final Module outLayer;

    /** An encoder of the given config, initialised as TRELLIS's (PyTorch defaults, zero {@code conv2}s) from {@code g}. */
    public SparseStructureEncoder(SparseStructureVaeConfig config, Generator g) {
        super("SparseStructureEncoder");
        this.config = config;
        List<Integer> ch = config.encoderChannels();
        String norm = config.normType();
        this.inputLayer = register_module("input_layer", new Conv3d(config.inChannels(), ch.get(0), 3, 1, 1, true, g));
        this.blockList = register_module("blocks", Layers.container("ModuleList"));
        ResBlock3d.registerStages(
                blockList,
                ch,
                config.numResBlocks(),
                norm,
                g,
                (list, name, in, out) -> list.register_module(name, new DownsampleBlock3d(in, out, "conv", g))::forward,
                blocks);
        long last = ch.get(ch.size() - 1);
        this.middleBlock = register_module("middle_block", Layers.container("Sequential"));
        Module mid = middleBlock;
        for (int r = 0; r < config.numResBlocksMiddle(); r++) {
            middle.add(mid.register_module(Integer.toString(r), new ResBlock3d(last, last, norm, g)));
        }
        this.outLayer = register_module("out_layer", Layers.container("Sequential"));
        Module out = outLayer;
        this.outNorm = Norm3d.of(norm, last);
        out.register_module("0", (Module) outNorm);
        this.outConv = out.register_module("2", new Conv3d(last, 2L * config.latentChannels(), 3, 1, 1, true, g));
    }

    public SparseStructureVaeConfig config() {
        return config;
    }

    /** The raw moments: {@code x [B, in, R, R, R]} → {@code [B, 2·latent, r, r, r]} (mean channels first). */
    public Tensor moments(Tensor x) {
        checkInput(x);
        Tensor h = inputLayer.forward(x); // [B, C0, R, R, R]
        for (UnaryOperator<Tensor> b : blocks) {
            h = b.apply(h); // [B, C_i, R_i, R_i, R_i]
        }
        for (ResBlock3d b : middle) {
            h = b.forward(h); // [B, C_L, r, r, r]
        }
        h = torch.silu(outNorm.forward(h)); // [B, C_L, r, r, r]
        return outConv.forward(h); // [B, 2·latent, r, r, r]
    }

    /** The posterior N(mean, exp(logvar)) over the latent grid {@code [B, latent, r, r, r]}. */
    public DiagonalGaussian forward(Tensor x) {
        return DiagonalGaussian.of(moments(x), 1, false); // mean, logvar: [B, latent, r, r, r]
    }

    private void checkInput(Tensor x) {
        int factor = 1 << (config.channels().size() - 1);
        long[] s = Tensors.shape(x);
        if (s.length != 5 || s[1] != config.inChannels()) {
            throw new IllegalArgumentException("SparseStructureEncoder needs [B, " + config.inChannels()
                    + ", D, H, W], got " + Arrays.toString(s));
        }
        for (int i = 2; i < 5; i++) {
            if (s[i] % factor != 0) {
                throw new IllegalArgumentException("grid " + Arrays.toString(s) + ": every side must be a multiple of "
                        + factor + " (2^(levels − 1))");
            }
        }
    }
}
