package dev.tessera.model.gen;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tessera.model.cond.Dinov2Config;

/**
 * Which image encoder an image-conditioned DiT uses.
 *
 * @param config the DINOv2 ViT's sizes
 * @param path a pretrained encoder ({@code --image-encoder PATH}, frozen, loaded from there), or {@code null} when the
 *     encoder was trained from scratch with the DiT (its weights are then in the DiT's checkpoint, under {@code
 *     image_encoder.})
 * @param processorSize the recentring canvas of the preprocessing (512 for Hunyuan3D-2's; the image size for the small
 *     encoder)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageEncoderSpec(
        Dinov2Config config,
        String path,
        @JsonProperty("processor_size") int processorSize) {
    /** True when the encoder's weights are part of the DiT checkpoint. */
    public boolean trained() {
        return path == null;
    }
}
