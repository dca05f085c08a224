package dev.tessera.geometry;

/**
 * Query points with signed distances and occupancies for SDF/occupancy supervision, made by {@link QuerySampler},
 * in three groups: near the surface, near the sharp edges, uniform in a box.
 *
 * @param nearSurface surface points moved by Gaussian noise
 * @param nearSharp sharp-edge points moved by Gaussian noise (or near-surface ones when the mesh has no sharp
 *     edge and the options allow the fallback; empty otherwise)
 * @param uniform points uniform in the box {@code [-h, h]³}
 * @param truncation the distance at which signed distances were clamped, or {@code 0} for none
 */
public record QuerySamples(Set nearSurface, Set nearSharp, Set uniform, double truncation) {

    /** Total number of points. */
    public int size() {
        return nearSurface.size() + nearSharp.size() + uniform.size();
    }

    /**
     * One group of query points. The arrays belong to the value: do not change them.
     *
     * @param points packed positions {@code float[3N]}
     * @param sdf signed distance of each point, negative inside, clamped to {@code ±truncation} when set
     * @param occupancy 1 inside (signed distance &lt; 0), 0 outside, {@code byte[N]}
     * @param sigma the standard deviation of the noise that moved each point ({@code 0} for uniform points),
     *     {@code float[N]}
     */
    public record Set(float[] points, float[] sdf, byte[] occupancy, float[] sigma) {
        public Set {
            int n = sdf.length;
            if (points.length != 3 * n || occupancy.length != n || sigma.length != n) {
                throw new IllegalArgumentException("inconsistent query set arrays for " + n + " points");
            }
        }

        /** Number of points. */
        public int size() {
            return sdf.length;
        }

        /** The fraction of points inside. */
        public double insideFraction() {
            int in = 0;
            for (byte b : occupancy) {
                in += b;
            }
            return size() == 0 ? 0 : (double) in / size();
        }
    }
}
