package dev.tessera.model.vecset;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ModuleListImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * A stack of {@link ResidualAttentionBlock}s registered as {@code resblocks.N} (Hunyuan3D-2's {@code Transformer}):
 * the encoder's self-attention layers and the decoder's transformer.
 */
final class Transformer extends Module {
    private final ModuleListImpl resblocks;
    private final List<ResidualAttentionBlock> blocks = new ArrayList<>();

    Transformer(long width, int layers, long heads, boolean qkvBias, boolean qkNorm, Generator g) {
        super("Transformer");
        this.resblocks = register_module("resblocks", new ModuleListImpl());
        for (int i = 0; i < layers; i++) {
            ResidualAttentionBlock b = new ResidualAttentionBlock(width, heads, qkvBias, qkNorm, g);
            resblocks.push_back(b);
            blocks.add(b);
        }
    }

    List<ResidualAttentionBlock> blocks() {
        return Collections.unmodifiableList(blocks);
    }

    /** {@code x [B, N, W]} → {@code [B, N, W]}. */
    Tensor forward(Tensor x) {
        for (ResidualAttentionBlock b : blocks) {
            x = b.forward(x); // [B, N, W]
        }
        return x;
    }
}
