package dev.tessera.geometry;

/**
 * Signed distances at a batch of points: negative inside, positive outside, in the points' units. The samplers,
 * {@link Voxelizer} and {@link MeshMetrics} take one so that they work with any source of distances: a mesh's
 * {@code MeshDistance::signed}, an analytic shape, a network's prediction. Only the sign is used where an algorithm
 * needs inside/outside (then a winding number {@code w} can be passed as {@code 0.5 - w}).
 *
 * <p>Implementations must be thread-safe: callers may evaluate batches from several threads.
 */
@FunctionalInterface
public interface SignedDistanceFunction {
    /**
     * The signed distance at each point.
     *
     * @param xyz packed points {@code float[3N]}
     * @return {@code float[N]}, negative inside
     */
    float[] signedDistance(float[] xyz);

    /** The function of an analytic field, evaluated point by point. */
    static SignedDistanceFunction of(ScalarField field) {
        return xyz -> {
            float[] d = new float[xyz.length / 3];
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) field.value(xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]);
            }
            return d;
        };
    }
}
