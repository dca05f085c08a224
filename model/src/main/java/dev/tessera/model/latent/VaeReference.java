package dev.tessera.model.latent;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.model.Checkpoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Which VAE produced a latent set: its run (or checkpoint) directory, its config and a fingerprint of its weights, so a
 * DiT trained on the latents can be paired with the one decoder that understands them.
 *
 * @param run the VAE's run or checkpoint directory, absolute, as it was when the latents were written
 * @param configClass the Java config record of the VAE ({@code config_class} in its {@code model.safetensors}
 *     metadata), or {@code null} when unknown
 * @param config the VAE's {@code config.json}, verbatim
 * @param weightsSha256 SHA-256 of the VAE's {@code model.safetensors} (hex), or {@code null} when not computed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VaeReference(
        String run,
        @JsonProperty("config_class") String configClass,
        JsonNode config,
        @JsonProperty("weights_sha256") String weightsSha256) {

    /**
     * Reads a VAE checkpoint directory ({@code config.json} + {@code model.safetensors}, e.g. a {@code train-vae} run):
     * its config, config class and the SHA-256 of its weights.
     */
    public static VaeReference of(Path dir) throws IOException {
        Path config = dir.resolve(Checkpoint.CONFIG);
        Path weights = dir.resolve(Checkpoint.WEIGHTS);
        if (!Files.exists(config) || !Files.exists(weights)) {
            throw new NoSuchFileException(
                    dir.toString(),
                    null,
                    "not a VAE checkpoint: needs " + Checkpoint.CONFIG + " and " + Checkpoint.WEIGHTS
                            + " (a 'tessera train-vae' run directory)");
        }
        String cls;
        try (SafetensorsReader r = SafetensorsReader.open(weights)) {
            cls = r.metadata().get("config_class");
        }
        return new VaeReference(
                dir.toAbsolutePath().normalize().toString(),
                cls,
                Checkpoint.JSON.readTree(config.toFile()),
                sha256(weights));
    }

    /** True when both name the same VAE: equal configs and, when both are known, equal weights. */
    public boolean sameVae(VaeReference other) {
        if (other == null || config == null || !config.equals(other.config)) {
            return false;
        }
        return weightsSha256 == null || other.weightsSha256 == null || weightsSha256.equals(other.weightsSha256);
    }

    /** SHA-256 of a file, hex. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
