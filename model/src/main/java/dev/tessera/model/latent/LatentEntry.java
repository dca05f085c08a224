package dev.tessera.model.latent;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One shape of a latent set, as listed in {@code latents.json}.
 *
 * @param id the shape's id (its file is {@code latents/<id>.safetensors}); the dataset's sample id
 * @param label its class label, or {@code null}
 * @param contentHash the source mesh's SHA-256 (from the dataset manifest), or {@code null}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LatentEntry(
        String id,
        String label,
        @JsonProperty("content_hash") String contentHash) {
    public LatentEntry {
        LatentSet.checkId(id);
    }
}
