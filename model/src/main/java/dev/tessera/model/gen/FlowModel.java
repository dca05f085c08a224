package dev.tessera.model.gen;

import dev.tessera.model.Tensors;
import dev.tessera.model.cond.Dinov2Model;
import dev.tessera.model.cond.ImageConditioner;
import dev.tessera.model.dit.SparseStructureFlowModel;
import dev.tessera.model.dit.TrellisFlowAdapter;
import dev.tessera.model.dit.VecSetDiT;
import dev.tessera.model.flow.VelocityModel;
import dev.tessera.model.nn.Init;
import dev.tessera.model.nn.Layers;
import java.io.IOException;
import java.nio.file.Path;
import org.bytedeco.pytorch.EmbeddingImpl;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * A trainable generative model: the denoiser of a {@link DiTRunConfig} and the parts of its conditioning that are
 * learned with it, as one module (so one checkpoint) that is a {@link VelocityModel} in Tessera's convention.
 *
 * <ul>
 *   <li>{@code denoiser.}: a {@link VecSetDiT}, or TRELLIS's {@link SparseStructureFlowModel} (trained and sampled in
 *       TRELLIS's own time convention through {@link TrellisFlowAdapter}, so its weights are a TRELLIS checkpoint);
 *   <li>{@code class_embedder.embedding_table}: the grid model's class tokens (one more row: the null class) — the
 *       vecset model embeds classes itself, into its adaLN vector;
 *   <li>{@code image_encoder.}: the small ViT trained from scratch (a pretrained encoder stays outside, frozen).
 * </ul>
 *
 * <p>Conditions as {@link #velocity} takes them: {@code null} (none), int64 labels {@code [B]} (class), or image
 * tokens {@code [B, T, W]} from {@link #encodeImages} (image). {@link #nullCondition} gives the unconditional input.
 */
public final class FlowModel extends Module implements VelocityModel {
    private final DiTRunConfig config;
    private final VecSetDiT vecset;
    private final SparseStructureFlowModel grid;
    private final TrellisFlowAdapter gridVelocity;
    private final Module classEmbedder;
    private final EmbeddingImpl classTokens;
    private final ImageConditioner image;

    /**
     * A new model for {@code config}, initialised from {@code g}; a pretrained image encoder is loaded from the
     * config's path.
     */
    public FlowModel(DiTRunConfig config, Generator g) throws IOException {
        super("FlowModel");
        this.config = config;
        if (config.model().equals("vecset")) {
            this.vecset = register_module("denoiser", new VecSetDiT(config.vecset(), g));
            this.grid = null;
            this.gridVelocity = null;
        } else {
            this.vecset = null;
            this.grid = register_module("denoiser", new SparseStructureFlowModel(config.grid(), g));
            this.gridVelocity = TrellisFlowAdapter.of(grid);
        }
        if (grid != null && config.condition().equals("class")) {
            this.classEmbedder = register_module("class_embedder", Layers.container("LabelEmbedder"));
            this.classTokens = classEmbedder.register_module(
                    "embedding_table",
                    new EmbeddingImpl(
                            config.classNames().size() + 1, config.grid().condChannels()));
            Init.normal(classTokens.weight(), 0, 0.02, g);
        } else {
            this.classEmbedder = null;
            this.classTokens = null;
        }
        if (config.condition().equals("image")) {
            ImageEncoderSpec spec = config.imageEncoder();
            if (spec.trained()) {
                Dinov2Model vit = register_module("image_encoder", new Dinov2Model(spec.config(), g));
                this.image = new ImageConditioner(vit, spec.processorSize());
            } else {
                this.image = new ImageConditioner(Dinov2Model.load(Path.of(spec.path())), spec.processorSize());
                var ps = image.model().parameters();
                for (long i = 0; i < ps.size(); i++) {
                    ps.get(i).requires_grad_(false);
                }
            }
        } else {
            this.image = null;
        }
    }

    public DiTRunConfig config() {
        return config;
    }

    /** The image conditioner ({@code image} models), or {@code null}. */
    public ImageConditioner imageConditioner() {
        return image;
    }

    /** Tessera's velocity at {@code z [B, ...]} (normalised latents), {@code t [B]}, condition as described above. */
    @Override
    public Tensor velocity(Tensor z, Tensor t, Tensor cond) {
        if (vecset != null) {
            return vecset.forward(z, t, cond); // [B, N, C]
        }
        return gridVelocity.velocity(z, t, gridTokens(cond, z.size(0))); // [B, C, R, R, R]
    }

    @Override
    public VelocityModel forConditions(Tensor... conditions) {
        if (vecset == null) {
            return this;
        }
        VelocityModel prepared = vecset.forConditions(conditions);
        return prepared == vecset ? this : prepared;
    }

    /** The grid model's condition tokens: image tokens as given, a class token, or one zero token. */
    private Tensor gridTokens(Tensor cond, long b) {
        return switch (config.condition()) {
            case "class" -> classTokens.forward(cond).unsqueeze(1); // [B, 1, C_cond]
            case "image" -> cond; // [B, T, W]
            default ->
                torch.zeros(new long[] {b, 1, config.grid().condChannels()}, new TensorOptions(torch.ScalarType.Float));
        };
    }

    /** The condition of class labels: int64 {@code [B]}. */
    public Tensor classCondition(long... labels) {
        return Tensors.fromLongs(labels, labels.length); // [B]
    }

    /** The condition tokens of preprocessed images {@code [B, 3, S, S]}: {@code [B, T, W]}. */
    public Tensor encodeImages(Tensor pixels) {
        if (image == null) {
            throw new IllegalStateException("this DiT is conditioned on " + config.condition() + ", not on an image");
        }
        return image.encode(pixels); // [B, T, W]
    }

    /**
     * The unconditional input for {@code b} samples: the null class, all-zero image tokens, or {@code null} for an
     * unconditional model.
     */
    public Tensor nullCondition(long b) {
        return switch (config.condition()) {
            case "class" ->
                torch.full(
                        new long[] {b},
                        new Scalar(config.classNames().size()),
                        new TensorOptions(torch.ScalarType.Long)); // [b]
            case "image" -> image.nullTokens(b); // [b, T, W]
            default -> null;
        };
    }
}
