package dev.tessera.model.cond;

import dev.tessera.model.nn.Init;
import dev.tessera.model.nn.Layers;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.DoubleVector;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.InterpolateFuncOptions;
import org.bytedeco.pytorch.InterpolateMode;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.bytedeco.pytorch.kBicubic;

/**
 * DINOv2's token embedding in Hugging Face's layout: {@code patch_embeddings.projection} (a stride-{@code p}
 * {@code p × p} convolution), the CLS token ({@code cls_token}), the learned position embedding
 * ({@code position_embeddings}, CLS + an {@code M × M} grid, resized to other resolutions by a {@link
 * PositionInterpolation}), the register tokens ({@code register_tokens}, when the model has them) and the masked-patch
 * token ({@code mask_token}, part of the checkpoint, unused at inference).
 *
 * <p>The sequence is {@code [CLS, registers, patches (row-major)]}; the position embedding is added to CLS and the
 * patches <i>before</i> the registers are inserted, so registers carry none.
 */
public final class Dinov2Embeddings extends Module {
    private final Dinov2Config config;
    private final Tensor clsToken;
    private final Tensor maskToken;
    private final Tensor positionEmbeddings;
    private final Tensor registerTokens;
    private final Tensor projWeight;
    private final Tensor projBias;
    private final Module patchGroup; // kept: see Layers.container
    private final Module projection;

    public Dinov2Embeddings(Dinov2Config c, Generator g) {
        super("Dinov2Embeddings");
        this.config = c;
        long dim = c.hiddenSize();
        long grid = c.gridSize();
        // keep our own handles: register_parameter's return value is a reference into the module's list
        this.clsToken = torch.empty(1, 1, dim);
        register_parameter("cls_token", clsToken);
        this.maskToken = torch.zeros(1, dim);
        register_parameter("mask_token", maskToken);
        this.positionEmbeddings = torch.empty(1, grid * grid + 1, dim);
        register_parameter("position_embeddings", positionEmbeddings);
        if (c.numRegisterTokens() > 0) {
            this.registerTokens = torch.zeros(1, c.numRegisterTokens(), dim);
            register_parameter("register_tokens", registerTokens);
        } else {
            this.registerTokens = null;
        }
        this.patchGroup = register_module("patch_embeddings", Layers.container("Dinov2PatchEmbeddings"));
        this.projection = patchGroup.register_module("projection", Layers.container("Conv2d"));
        long p = c.patchSize();
        this.projWeight = torch.empty(dim, c.numChannels(), p, p);
        projection.register_parameter("weight", projWeight);
        this.projBias = torch.empty(dim);
        projection.register_parameter("bias", projBias);
        // Hugging Face's initialisation: N(0, 0.02²) (its truncation at ±2 is never reached), zero bias, zero
        // mask and register tokens
        Init.normal(clsToken, 0, 0.02, g);
        Init.normal(positionEmbeddings, 0, 0.02, g);
        Init.normal(projWeight, 0, 0.02, g);
        Init.zeros(projBias);
    }

    /** {@code pixels [B, channels, H, W]} (H, W multiples of the patch) → {@code [B, 1 + R + (H/p)(W/p), C]}. */
    public Tensor forward(Tensor pixels) {
        long b = pixels.size(0), h = pixels.size(2), w = pixels.size(3), p = config.patchSize();
        if (pixels.dim() != 4 || pixels.size(1) != config.numChannels() || h % p != 0 || w % p != 0) {
            throw new IllegalArgumentException("DINOv2: pixels must be [B, " + config.numChannels()
                    + ", H, W] with H and W multiples of " + p + ", got "
                    + java.util.Arrays.toString(dev.tessera.model.Tensors.shape(pixels)));
        }
        long[] stride = {p, p};
        Tensor x = torch.conv2d(
                pixels.to(projWeight.scalar_type().intern()),
                projWeight,
                new TensorOptional(projBias),
                stride,
                new long[] {0, 0},
                new long[] {1, 1},
                1); // [B, C, H/p, W/p]
        x = x.flatten(2, -1).transpose(1, 2); // [B, N, C]
        Tensor cls = clsToken.expand(b, -1, -1); // [B, 1, C]
        x = torch.cat(new TensorVector(cls, x), 1); // [B, 1 + N, C]
        x = x.add(positions(h / p, w / p, h == w).to(x.scalar_type().intern())); // [B, 1 + N, C]
        if (registerTokens != null) {
            Tensor reg = registerTokens.expand(b, -1, -1); // [B, R, C]
            x = torch.cat(new TensorVector(x.narrow(1, 0, 1), reg, x.narrow(1, 1, x.size(1) - 1)), 1); // [B, 1+R+N, C]
        }
        return x;
    }

    /**
     * The position embedding for a {@code gh × gw} patch grid: {@code [1, 1 + gh·gw, C]}, the stored one when the grid
     * matches (and the image is square, as both references require), else the patch part resized by the configured
     * {@link PositionInterpolation} in float32.
     */
    public Tensor positions(long gh, long gw, boolean square) {
        long n = positionEmbeddings.size(1) - 1;
        if (gh * gw == n && square) {
            return positionEmbeddings; // [1, 1 + N, C]
        }
        long dim = positionEmbeddings.size(2);
        long m = Math.round(Math.sqrt(n));
        Tensor pe = positionEmbeddings.to(ScalarType.Float); // [1, 1 + M², C]
        Tensor cls = pe.narrow(1, 0, 1); // [1, 1, C]
        Tensor grid = pe.narrow(1, 1, n).reshape(1, m, m, dim).permute(0, 3, 1, 2); // [1, C, M, M]
        Tensor resized = interpolate(grid, gh, gw, m, config.interpolation()); // [1, C, gh, gw]
        if (resized.size(2) != gh || resized.size(3) != gw) {
            throw new IllegalStateException("position interpolation gave " + resized.size(2) + "×" + resized.size(3)
                    + " for a " + gh + "×" + gw + " grid");
        }
        Tensor patches = resized.permute(0, 2, 3, 1).reshape(1, gh * gw, dim); // [1, gh·gw, C]
        return torch.cat(new TensorVector(cls, patches), 1)
                .to(positionEmbeddings.scalar_type().intern());
    }

    /** Bicubic resize of {@code grid [1, C, M, M]} to {@code [1, C, gh, gw]} by one of the three rules. */
    static Tensor interpolate(Tensor grid, long gh, long gw, long m, PositionInterpolation rule) {
        InterpolateFuncOptions o = new InterpolateFuncOptions();
        o.mode().put(new InterpolateMode(new kBicubic()));
        o.align_corners().put(new BoolOptional(false));
        switch (rule) {
            case HUB -> {
                o.scale_factor().put(new DoubleVector(new double[] {(gh + 0.1) / m, (gw + 0.1) / m}));
                o.recompute_scale_factor().put(new BoolOptional(false)); // sample at the given scale (PyTorch ≥ 1.6)
                o.antialias().put(false);
            }
            case HUB_REG -> {
                o.size().put(new LongVector(new long[] {gh, gw}));
                o.antialias().put(true);
            }
            case HUGGING_FACE -> {
                o.size().put(new LongVector(new long[] {gh, gw}));
                o.antialias().put(false);
            }
        }
        return torch.interpolate(grid, o); // [1, C, gh, gw]
    }
}
