package dev.tessera.geometry;

/**
 * Points sampled along a mesh's sharp edges by {@link SharpEdgeSampler}, each with the normalised mean of the two
 * face normals of its edge and that edge's index in {@link SharpEdges}. Empty (all arrays of length 0) when the mesh
 * has no sharp edge. The arrays belong to the value: do not change them.
 *
 * @param points packed positions {@code float[3N]}
 * @param normals packed unit normals {@code float[3N]}
 * @param edges the sharp edge of each point {@code int[N]}
 * @param sharpEdges the sharp edges the points were drawn from
 */
public record SharpEdgeSamples(float[] points, float[] normals, int[] edges, SharpEdges sharpEdges) {

    public SharpEdgeSamples {
        if (points.length % 3 != 0 || normals.length != points.length || edges.length != points.length / 3) {
            throw new IllegalArgumentException("inconsistent sharp edge sample arrays");
        }
    }

    /** Number of points (0 when the mesh has no sharp edge). */
    public int size() {
        return edges.length;
    }

    public boolean isEmpty() {
        return edges.length == 0;
    }

    /** The points and normals as a point cloud (copied). */
    public PointCloud toPointCloud() {
        return new PointCloud(points, normals);
    }
}
