package dev.tessera.model.sparse;

import dev.tessera.model.nn.Conv3d;
import java.util.List;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * TRELLIS's dense 3D residual block: {@code h = conv2(silu(norm2(conv1(silu(norm1(x))))))}, output
 * {@code h + skip(x)}; 3×3×3 convolutions with padding 1, {@code conv2} zero-initialised (so a new block is the
 * identity), a 1×1×1 {@code skip_connection} only when the channel count changes.
 */
public final class ResBlock3d extends Module {
    private final Norm3d norm1;
    private final Norm3d norm2;
    private final Conv3d conv1;
    private final Conv3d conv2;
    private final Conv3d skip;

    /** A block {@code channels → outChannels} with {@code normType} "layer" or "group". */
    public ResBlock3d(long channels, long outChannels, String normType, Generator g) {
        super("ResBlock3d");
        this.norm1 = Norm3d.of(normType, channels);
        this.norm2 = Norm3d.of(normType, outChannels);
        register_module("norm1", (Module) norm1);
        register_module("norm2", (Module) norm2);
        this.conv1 = register_module("conv1", new Conv3d(channels, outChannels, 3, 1, 1, true, g));
        this.conv2 = register_module("conv2", new Conv3d(outChannels, outChannels, 3, 1, 1, true, g).zeroInit());
        this.skip = channels == outChannels
                ? null
                : register_module("skip_connection", new Conv3d(channels, outChannels, 1, 1, 0, true, g));
    }

    /** {@code x [B, C, D, H, W]} → {@code [B, C_out, D, H, W]}. */
    public Tensor forward(Tensor x) {
        Tensor h = torch.silu(norm1.forward(x)); // [B, C, D, H, W]
        h = conv1.forward(h); // [B, C_out, D, H, W]
        h = torch.silu(norm2.forward(h)); // [B, C_out, D, H, W]
        h = conv2.forward(h); // [B, C_out, D, H, W]
        return h.add(skip == null ? x : skip.forward(x)); // [B, C_out, D, H, W]
    }

    /** Registers a resampling block {@code in → out} under {@code name} in {@code list} and returns its forward. */
    interface Resample {
        UnaryOperator<Tensor> register(Module list, String name, long in, long out);
    }

    /**
     * TRELLIS's stage list (its {@code blocks} ModuleList): for each width {@code ch[i]}, {@code perStage} blocks
     * {@code ch[i] → ch[i]}, then a resampling block {@code ch[i] → ch[i+1]} between widths, registered in {@code list}
     * as "0", "1", … in that order; their forwards are appended to {@code blocks}.
     */
    static void registerStages(
            Module list,
            List<Integer> ch,
            int perStage,
            String normType,
            Generator g,
            Resample resample,
            List<UnaryOperator<Tensor>> blocks) {
        int k = 0;
        for (int i = 0; i < ch.size(); i++) {
            for (int r = 0; r < perStage; r++) {
                blocks.add(list.register_module(
                        Integer.toString(k++), new ResBlock3d(ch.get(i), ch.get(i), normType, g))::forward);
            }
            if (i < ch.size() - 1) {
                blocks.add(resample.register(list, Integer.toString(k++), ch.get(i), ch.get(i + 1)));
            }
        }
    }
}
