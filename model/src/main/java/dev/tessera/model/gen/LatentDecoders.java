package dev.tessera.model.gen;

import dev.tessera.model.latent.VaeReference;
import dev.tessera.model.sparse.SparseStructureVaeConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Opens the decoder of a VAE checkpoint directory by its config class ({@code config_class} in the metadata of its
 * {@code model.safetensors}). Each VAE family registers one opener.
 */
public final class LatentDecoders {
    /** Opens a decoder from a checkpoint directory. */
    @FunctionalInterface
    public interface Opener {
        LatentDecoder open(Path dir) throws IOException;
    }

    private static final Map<String, Opener> OPENERS = new LinkedHashMap<>();

    static {
        register(SparseStructureVaeConfig.class.getName(), SparseStructureLatentDecoder::open);
        register(dev.tessera.model.vecset.ShapeVaeConfig.class.getName(), VecSetLatentDecoder::open);
    }

    private LatentDecoders() {}

    /** Registers the decoder of VAEs whose config record is {@code configClass}. */
    public static synchronized void register(String configClass, Opener opener) {
        OPENERS.put(configClass, opener);
    }

    /** True when a decoder is known for this config class. */
    public static synchronized boolean knows(String configClass) {
        return OPENERS.containsKey(configClass);
    }

    /**
     * The decoder of the VAE in {@code dir}.
     *
     * @throws IOException when the directory is not a checkpoint, or Tessera has no decoder for its VAE
     */
    public static LatentDecoder open(Path dir) throws IOException {
        VaeReference ref = VaeReference.of(dir);
        Opener o;
        synchronized (LatentDecoders.class) {
            o = OPENERS.get(ref.configClass());
        }
        if (o == null) {
            throw new IOException(dir + ": no decoder for VAEs of config class " + ref.configClass()
                    + "; Tessera decodes " + OPENERS.keySet());
        }
        return o.open(dir);
    }
}
