package dev.tessera.model.gen;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tessera.model.dit.SparseStructureFlowConfig;
import dev.tessera.model.dit.VecSetDiTConfig;
import dev.tessera.model.flow.LatentNormalization;
import dev.tessera.model.flow.RectifiedFlow;
import dev.tessera.model.latent.LatentKind;
import dev.tessera.model.latent.VaeReference;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code config.json} of a {@code train-dit} run: everything {@code generate} needs besides the weights — the
 * denoiser's sizes, how it is conditioned, the flow and latent normalisation it was trained with, and which VAE made
 * its latents.
 *
 * @param format always {@value #FORMAT}
 * @param model {@code vecset} ({@link VecSetDiTConfig}) or {@code grid} (TRELLIS's {@link SparseStructureFlowConfig})
 * @param vecset the vecset denoiser's config, for {@code model = vecset}
 * @param grid the grid denoiser's config, for {@code model = grid}
 * @param condition {@code none}, {@code class} or {@code image}
 * @param classNames the class names, in label-index order ({@code class} only); index {@code size()} is the null class
 * @param imageEncoder the image encoder ({@code image} only)
 * @param flow the rectified-flow training settings (its condition dropout decides whether CFG is possible)
 * @param normalization the map from VAE latents to flow space
 * @param kind the latent family
 * @param latentShape one latent's shape
 * @param vae the VAE whose latents the DiT learned
 * @param sampling generation defaults
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DiTRunConfig(
        String format,
        String model,
        VecSetDiTConfig vecset,
        SparseStructureFlowConfig grid,
        String condition,
        @JsonProperty("class_names") List<String> classNames,
        @JsonProperty("image_encoder") ImageEncoderSpec imageEncoder,
        RectifiedFlow flow,
        LatentNormalization normalization,
        LatentKind kind,
        @JsonProperty("latent_shape") List<Long> latentShape,
        VaeReference vae,
        SamplingDefaults sampling) {

    /** The {@code format} of every DiT run config. */
    public static final String FORMAT = "tessera-dit";

    public DiTRunConfig {
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("format must be \"" + FORMAT + "\", got \"" + format + "\"");
        }
        switch (String.valueOf(model)) {
            case "vecset" -> {
                if (vecset == null || kind != LatentKind.VECSET) {
                    throw new IllegalArgumentException("a vecset DiT needs a vecset config and vecset latents");
                }
            }
            case "grid" -> {
                if (grid == null || kind != LatentKind.SPARSE_STRUCTURE) {
                    throw new IllegalArgumentException("a grid DiT needs a grid config and sparse-structure latents");
                }
            }
            default -> throw new IllegalArgumentException("model must be vecset or grid, got \"" + model + "\"");
        }
        if (!List.of("none", "class", "image").contains(String.valueOf(condition))) {
            throw new IllegalArgumentException("condition must be none, class or image, got \"" + condition + "\"");
        }
        if (condition.equals("class") && (classNames == null || classNames.isEmpty())) {
            throw new IllegalArgumentException("a class-conditioned DiT needs class_names");
        }
        if (condition.equals("image") && imageEncoder == null) {
            throw new IllegalArgumentException("an image-conditioned DiT needs image_encoder");
        }
        classNames = classNames == null ? null : List.copyOf(classNames);
        latentShape = List.copyOf(latentShape);
        if (flow == null || normalization == null || sampling == null) {
            throw new IllegalArgumentException("flow, normalization and sampling are required");
        }
    }

    /** One latent's shape as an array. */
    public long[] shape() {
        return latentShape.stream().mapToLong(Long::longValue).toArray();
    }

    /** True when the model learned a null condition, so classifier-free guidance is possible. */
    public boolean hasNullCondition() {
        return learnsNullCondition(condition, flow);
    }

    /** Whether a model trained with this condition and flow learns a null condition: a condition, and dropout of it. */
    public static boolean learnsNullCondition(String condition, RectifiedFlow flow) {
        return !condition.equals("none") && flow.condDropout() > 0;
    }

    /** The label index of a class name. */
    public int classIndex(String name) {
        if (!condition.equals("class")) {
            throw new IllegalArgumentException("this DiT is conditioned on " + condition + ", not on a class");
        }
        int i = classNames.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException(
                    "class \"" + name + "\" is not in the model; its classes are " + classNames);
        }
        return i;
    }

    @Override
    public String toString() {
        return model + " DiT, " + condition + "-conditioned, latents " + kind.id() + " " + Arrays.toString(shape());
    }
}
