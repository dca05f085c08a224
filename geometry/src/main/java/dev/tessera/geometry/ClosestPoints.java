package dev.tessera.geometry;

/**
 * Closest points of a mesh for a batch of query points, in the order of the queries (see
 * {@link Bvh#closestPoints(float[])}). The arrays are owned by this value; do not modify them.
 *
 * @param triangles {@code int[N]}: the triangle holding each closest point
 * @param points {@code float[3N]}: the closest points, packed xyz
 * @param barycentrics {@code float[3N]}: the weights {@code (u, v, w)} of the triangle's corners 0, 1, 2
 * @param distances {@code float[N]}: distance from each query to its closest point
 */
public record ClosestPoints(int[] triangles, float[] points, float[] barycentrics, float[] distances) {
    /** Number of queries. */
    public int size() {
        return triangles.length;
    }

    /** The answer for query {@code i} as a value. */
    public ClosestPoint get(int i) {
        return new ClosestPoint(
                triangles[i],
                barycentrics[3 * i],
                barycentrics[3 * i + 1],
                barycentrics[3 * i + 2],
                points[3 * i],
                points[3 * i + 1],
                points[3 * i + 2],
                distances[i]);
    }
}
