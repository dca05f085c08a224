package dev.tessera.model.gen;

import java.io.IOException;

/**
 * A DiT and a VAE (or a latent set) that do not belong together: other VAE weights or config, another latent shape,
 * or another normalisation. The message names both configs and what differs.
 */
public final class DiTPairException extends IOException {
    public DiTPairException(String message) {
        super(message);
    }
}
