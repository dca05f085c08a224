package dev.tessera.geometry;

/**
 * Points sampled on a mesh's surface, with the unit normal of the triangle each lies on and that triangle's index.
 * The arrays belong to the value: do not change them.
 *
 * @param points packed positions {@code float[3N]}, in the mesh's units
 * @param normals packed unit face normals {@code float[3N]}, pointing out for a counter-clockwise mesh
 * @param faces the triangle index of each point {@code int[N]}, or {@code null} when not asked for
 */
public record SurfaceSamples(float[] points, float[] normals, int[] faces) {

    public SurfaceSamples {
        if (points.length % 3 != 0 || normals.length != points.length) {
            throw new IllegalArgumentException(
                    "points (" + points.length + ") and normals (" + normals.length + ") must be equal multiples of 3");
        }
        if (faces != null && faces.length != points.length / 3) {
            throw new IllegalArgumentException(faces.length + " face indices for " + points.length / 3 + " points");
        }
    }

    /** Number of points. */
    public int size() {
        return points.length / 3;
    }

    /** The points and normals as a point cloud (copied). */
    public PointCloud toPointCloud() {
        return new PointCloud(points, normals);
    }
}
