package dev.tessera.model.cond;

import dev.tessera.model.Torch;
import java.nio.file.Path;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Turns condition images into the tokens a DiT attends to: Hunyuan3D-2's preprocessing (recentre with a 15 % border,
 * composite on white, resize, ImageNet normalisation; {@link ImagePreprocessor#hunyuan3d2}) then a DINOv2 ViT's
 * {@code last_hidden_state}, CLS token included.
 *
 * <p>Two uses: a pretrained DINOv2 loaded from {@code --image-encoder PATH} (frozen; 518 px), or a small ViT of the
 * same code ({@link #tinyConfig}) trained from scratch together with the DiT, so image conditioning works on a CPU
 * without any download. The unconditional input for guidance is all-zero tokens of the same shape, as in Hunyuan3D-2
 * and TRELLIS.
 */
public final class ImageConditioner {
    static {
        Torch.load();
    }

    private final Dinov2Model model;
    private final int processorSize;

    /** Wraps a DINOv2 model; images are recentred at {@code processorSize} px, then resized to its image size. */
    public ImageConditioner(Dinov2Model model, int processorSize) {
        this.model = model;
        this.processorSize = processorSize;
    }

    /**
     * The small from-scratch encoder: width 64, 2 blocks, 4 heads, patch 14, at {@code imageSize} px (112: 8 × 8
     * patches, 65 tokens).
     */
    public static Dinov2Config tinyConfig(int imageSize) {
        return new Dinov2Config(
                64, 2, 4, 4.0, 14, imageSize, 3, 1e-6, 1.0, true, false, 0, PositionInterpolation.HUGGING_FACE);
    }

    /** A new small encoder initialised from {@code g}. */
    public static ImageConditioner tiny(int imageSize, Generator g) {
        return new ImageConditioner(new Dinov2Model(tinyConfig(imageSize), g), imageSize);
    }

    /** A pretrained DINOv2 ({@link Dinov2Model#load}), recentred at 512 px as Hunyuan3D-2 does. */
    public static ImageConditioner pretrained(Path path) throws java.io.IOException {
        return new ImageConditioner(Dinov2Model.load(path), 512);
    }

    /**
     * The config of a pretrained encoder at {@code path} without loading its weights: its {@code config.json}, or the
     * one inferred from the tensor shapes (as {@link Dinov2Model#load} does).
     */
    public static Dinov2Config pretrainedConfig(Path path) throws java.io.IOException {
        Path weights = java.nio.file.Files.isDirectory(path) ? path.resolve("model.safetensors") : path;
        Path json = java.nio.file.Files.isDirectory(path) ? path.resolve("config.json") : null;
        if (json != null && java.nio.file.Files.exists(json)) {
            return Dinov2Config.readHuggingFace(json);
        }
        if (!java.nio.file.Files.exists(weights)) {
            throw new java.nio.file.NoSuchFileException(
                    weights.toString(), null, "no DINOv2 weights (a model directory needs model.safetensors)");
        }
        try (var r = dev.tessera.data.safetensors.SafetensorsReader.open(weights)) {
            return Dinov2Config.infer(r);
        }
    }

    /** The ViT. */
    public Dinov2Model model() {
        return model;
    }

    /** Side of the encoder's input images. */
    public int imageSize() {
        return model.config().imageSize();
    }

    /** Width of the tokens. */
    public int width() {
        return model.config().hiddenSize();
    }

    /** Number of tokens per image: CLS, registers, patches. */
    public int tokens() {
        int g = imageSize() / model.config().patchSize();
        return 1 + model.config().numRegisterTokens() + g * g;
    }

    /** One image preprocessed: {@code [1, 3, S, S]}, normalised. */
    public Tensor pixels(Rgba8 image) {
        return ImagePreprocessor.hunyuan3d2(image, 0.15, processorSize, imageSize()); // [1, 3, S, S]
    }

    /** Several images preprocessed and stacked: {@code [B, 3, S, S]}. */
    public Tensor pixels(java.util.List<Rgba8> images) {
        TensorVector v = new TensorVector();
        for (Rgba8 im : images) {
            v.push_back(pixels(im));
        }
        return torch.cat(v, 0); // [B, 3, S, S]
    }

    /** The condition tokens of preprocessed images: {@code [B, 3, S, S]} → {@code [B, T, W]}. */
    public Tensor encode(Tensor pixels) {
        return model.forward(pixels).tokens(); // [B, T, W]
    }

    /** The null condition: zero tokens {@code [b, T, W]}. */
    public Tensor nullTokens(long b) {
        return torch.zeros(
                new long[] {b, tokens(), width()},
                new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Float)); // [b, T, W]
    }
}
