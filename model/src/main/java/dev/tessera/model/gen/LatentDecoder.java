package dev.tessera.model.gen;

import dev.tessera.geometry.TriangleMesh;
import dev.tessera.model.latent.LatentKind;
import dev.tessera.model.latent.VaeReference;
import org.bytedeco.pytorch.Tensor;

/**
 * A VAE's decoder as {@code generate} uses it: one latent (in the VAE's own space, not normalised) to a surface mesh.
 * {@link LatentDecoders#open} picks the implementation from the VAE checkpoint's config class.
 */
public interface LatentDecoder {
    /** The latent family the VAE produces. */
    LatentKind kind();

    /** One latent's shape. */
    long[] latentShape();

    /** The VAE checkpoint this decoder was loaded from. */
    VaeReference reference();

    /**
     * The surface of one latent {@code [...latentShape]}.
     *
     * @param resolution the grid on which the field is evaluated before marching cubes (the decoder may refine it
     *     hierarchically)
     * @throws EmptyShapeException when the decoded field has no surface
     */
    TriangleMesh mesh(Tensor latent, int resolution);

    /** A decoded latent whose field has no surface (all inside or all outside). */
    final class EmptyShapeException extends RuntimeException {
        public EmptyShapeException(String message) {
            super(message);
        }
    }
}
