package dev.tessera.model.cond;

import dev.tessera.model.Torch;
import dev.tessera.model.nn.Layers;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ModuleListImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The DINOv2 vision transformer, with Hugging Face's parameter names ({@code facebook/dinov2-*} safetensors load key
 * for key; {@link Dinov2HubLayout} converts torch.hub checkpoints):
 *
 * <pre>
 * x = embeddings(pixels)          [B, 1 + R + N, C]   CLS, registers, patches; positions added to CLS + patches
 * x = encoder.layer[i](x)         pre-norm blocks with layer scale
 * prenorm = x;  tokens = layernorm(x)
 * </pre>
 *
 * It is the image condition of Hunyuan3D-2 ({@code facebook/dinov2-giant}, {@code tokens} at 518 px, CLS included)
 * and of TRELLIS ({@code dinov2_vitl14_reg}, {@link #trellisCondition} of {@code prenorm}). The same code with a
 * small config ({@link Dinov2Config#tiny()}) can be trained from scratch.
 */
public final class Dinov2Model extends Module {
    static {
        Torch.load();
    }

    private final Dinov2Config config;
    private final Dinov2Embeddings embeddings;
    private final Module encoder; // kept: see Layers.container
    private final List<Dinov2Layer> layers = new ArrayList<>();
    private final LayerNormImpl layernorm;

    /** A model initialised as Hugging Face initialises one, from {@code g}. */
    public Dinov2Model(Dinov2Config config, Generator g) {
        super("Dinov2Model");
        this.config = config.validate();
        this.embeddings = register_module("embeddings", new Dinov2Embeddings(config, g));
        this.encoder = register_module("encoder", Layers.container("Dinov2Encoder"));
        ModuleListImpl list = encoder.register_module("layer", new ModuleListImpl());
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            Dinov2Layer layer = new Dinov2Layer(config, g);
            list.push_back(layer);
            layers.add(layer);
        }
        this.layernorm =
                register_module("layernorm", Layers.layerNorm(config.hiddenSize(), config.layerNormEps(), true));
    }

    public Dinov2Config config() {
        return config;
    }

    public Dinov2Embeddings embeddings() {
        return embeddings;
    }

    public List<Dinov2Layer> layers() {
        return Collections.unmodifiableList(layers);
    }

    /**
     * Real weights for {@code --image-encoder PATH}: a Hugging Face model directory ({@code config.json} +
     * {@code model.safetensors}, as {@code facebook/dinov2-giant} downloads) or a single {@code .safetensors} file in
     * either layout (Hugging Face's or torch.hub's, converted), whose config is then {@linkplain Dinov2Config#infer
     * inferred from its shapes}. Loads strictly, in eval mode.
     */
    public static Dinov2Model load(java.nio.file.Path path) throws java.io.IOException {
        return load(path, null);
    }

    /** As {@link #load(java.nio.file.Path)}, with the interpolation rule chosen by the caller (when not null). */
    public static Dinov2Model load(java.nio.file.Path path, PositionInterpolation rule) throws java.io.IOException {
        java.nio.file.Path weights = java.nio.file.Files.isDirectory(path) ? path.resolve("model.safetensors") : path;
        if (!java.nio.file.Files.exists(weights)) {
            throw new java.nio.file.NoSuchFileException(
                    weights.toString(), null, "no DINOv2 weights (a model directory needs model.safetensors)");
        }
        try (dev.tessera.data.safetensors.SafetensorsReader r =
                dev.tessera.data.safetensors.SafetensorsReader.open(weights)) {
            java.nio.file.Path json = java.nio.file.Files.isDirectory(path) ? path.resolve("config.json") : null;
            Dinov2Config config = json != null && java.nio.file.Files.exists(json)
                    ? Dinov2Config.readHuggingFace(json)
                    : Dinov2Config.infer(r);
            if (rule != null) {
                config = config.withInterpolation(rule);
            }
            Dinov2Model model = new Dinov2Model(config, dev.tessera.model.Rng.cpu(0));
            Dinov2HubLayout.load(model, r);
            model.eval();
            return model;
        }
    }

    /** {@code pixels [B, 3, H, W]} (normalised with ImageNet mean/std; H, W multiples of the patch). */
    public Dinov2Output forward(Tensor pixels) {
        Tensor x = embeddings.forward(pixels); // [B, 1 + R + N, C]
        for (Dinov2Layer layer : layers) {
            x = layer.forward(x); // [B, 1 + R + N, C]
        }
        return new Dinov2Output(layernorm.forward(x), x); // 2 × [B, 1 + R + N, C]
    }

    /**
     * TRELLIS's condition from {@code x_prenorm}: a LayerNorm without affine, eps 1e-5, over the channels of every
     * token (CLS and registers included). {@code [B, L, C]} → {@code [B, L, C]}.
     */
    public static Tensor trellisCondition(Tensor prenorm) {
        return torch.layer_norm(
                prenorm,
                new long[] {prenorm.size(-1)},
                new org.bytedeco.pytorch.TensorOptional(),
                new org.bytedeco.pytorch.TensorOptional(),
                1e-5,
                false); // [B, L, C]
    }
}
