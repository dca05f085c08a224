package dev.tessera.geometry;

/**
 * The sharp edges of a mesh, as found by {@link SharpEdgeSampler#sharpEdges(TriangleMesh, double)}. Edge {@code e}
 * joins vertices {@code vertices[2e]} and {@code vertices[2e+1]} (in the order of the first triangle that has it),
 * is shared by triangles {@code faces[2e]} and {@code faces[2e+1]}, whose normals make the dihedral angle
 * {@code angles[e]} (degrees, 0 for a flat fold, 180 for a folded-back sheet). The arrays belong to the value: do
 * not change them.
 *
 * @param positions packed endpoint coordinates {@code float[6E]}: x0 y0 z0 x1 y1 z1 of each edge
 * @param vertices endpoint vertex indices {@code int[2E]}
 * @param faces the two triangles of each edge {@code int[2E]}
 * @param angles angle between the two face normals, degrees {@code float[E]}
 * @param normals the normalised mean of the two unit face normals {@code float[3E]}
 */
public record SharpEdges(float[] positions, int[] vertices, int[] faces, float[] angles, float[] normals) {

    public SharpEdges {
        int e = angles.length;
        if (positions.length != 6 * e || vertices.length != 2 * e || faces.length != 2 * e || normals.length != 3 * e) {
            throw new IllegalArgumentException("inconsistent sharp edge arrays for " + e + " edges");
        }
    }

    /** Number of sharp edges. */
    public int size() {
        return angles.length;
    }

    /** Length of edge {@code e}. */
    public double length(int e) {
        double dx = positions[6 * e + 3] - positions[6 * e];
        double dy = positions[6 * e + 4] - positions[6 * e + 1];
        double dz = positions[6 * e + 5] - positions[6 * e + 2];
        return Math.sqrt(dx * dx + dy * dy + dz * dz);
    }

    /** Sum of the edge lengths. */
    public double totalLength() {
        double s = 0;
        for (int e = 0; e < size(); e++) {
            s += length(e);
        }
        return s;
    }
}
