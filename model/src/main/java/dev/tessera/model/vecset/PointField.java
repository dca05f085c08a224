package dev.tessera.model.vecset;

/**
 * A scalar field evaluated in batches, negative inside with its surface at 0: a decoded vecset latent ({@link
 * VecsetField}), or an analytic function in tests.
 */
@FunctionalInterface
public interface PointField {
    /**
     * The values at the given points.
     *
     * @param xyz packed points {@code x0 y0 z0 x1 y1 z1 ...}
     * @return one value per point, in order
     */
    float[] values(float[] xyz);

    /**
     * How much distance one unit of the field stands for near the surface, when the field behaves like a scaled
     * signed distance (a truncated SDF divided by its truncation: the truncation), or 0 when it does not (an
     * occupancy logit). Hierarchical decoding uses it to decide which cells can hold the surface.
     */
    default double distancePerUnit() {
        return 0;
    }
}
