package dev.tessera.geometry;

import java.util.Arrays;

/**
 * An immutable triangle mesh: vertex positions, triangles as vertex index triples, and optional per-vertex
 * normals and colours.
 *
 * <p>Positions are packed {@code float[3V]}, triangles {@code int[3F]}, counter-clockwise seen from outside.
 * Normals are unit {@code float[3V]}; colours are linear RGB in {@code [0, 1]}, {@code float[3V]}. The constructor
 * checks every index and coordinate and copies its arrays; accessors return copies, so a mesh never changes. Use
 * the indexed accessors ({@link #x(int)}, {@link #corner(int, int)}) in loops, or take one copy of the arrays.
 */
public final class TriangleMesh {
    private final float[] positions;
    private final int[] triangles;
    private final float[] normals;
    private final float[] colors;

    /** A mesh without normals or colours. */
    public TriangleMesh(float[] positions, int[] triangles) {
        this(positions, triangles, null, null);
    }

    /**
     * A mesh with optional normals and colours ({@code null} when absent).
     *
     * @throws InvalidMeshException when an array has the wrong length, a coordinate is not finite, or an index is
     *     out of range; the message names the vertex or triangle
     */
    public TriangleMesh(float[] positions, int[] triangles, float[] normals, float[] colors) {
        this(
                positions.clone(),
                triangles.clone(),
                normals == null ? null : normals.clone(),
                colors == null ? null : colors.clone(),
                true);
    }

    private TriangleMesh(float[] positions, int[] triangles, float[] normals, float[] colors, boolean check) {
        if (positions.length % 3 != 0) {
            throw new InvalidMeshException("positions length " + positions.length + " is not a multiple of 3");
        }
        if (triangles.length % 3 != 0) {
            throw new InvalidMeshException("triangles length " + triangles.length + " is not a multiple of 3");
        }
        int v = positions.length / 3;
        if (normals != null && normals.length != positions.length) {
            throw new InvalidMeshException(
                    "normals length " + normals.length + " != positions length " + positions.length);
        }
        if (colors != null && colors.length != positions.length) {
            throw new InvalidMeshException(
                    "colors length " + colors.length + " != positions length " + positions.length);
        }
        if (check) {
            for (int i = 0; i < positions.length; i++) {
                if (!Float.isFinite(positions[i])) {
                    throw new InvalidMeshException("vertex " + (i / 3) + " has a non-finite coordinate (" + positions[i]
                            + "); remove or repair it");
                }
            }
            for (int i = 0; i < triangles.length; i++) {
                int idx = triangles[i];
                if (idx < 0 || idx >= v) {
                    throw new InvalidMeshException(
                            "triangle " + (i / 3) + " refers to vertex " + idx + " out of range (" + v + " vertices)");
                }
            }
        }
        this.positions = positions;
        this.triangles = triangles;
        this.normals = normals;
        this.colors = colors;
    }

    /**
     * A mesh over arrays the caller hands over and promises never to touch again (no copy). The arrays are still
     * checked. Readers and algorithms that build fresh arrays use this to avoid a copy.
     */
    public static TriangleMesh adopt(float[] positions, int[] triangles, float[] normals, float[] colors) {
        return new TriangleMesh(positions, triangles, normals, colors, true);
    }

    /** A mesh over fresh arrays without normals or colours, without a copy. */
    public static TriangleMesh adopt(float[] positions, int[] triangles) {
        return adopt(positions, triangles, null, null);
    }

    public int vertexCount() {
        return positions.length / 3;
    }

    public int triangleCount() {
        return triangles.length / 3;
    }

    public boolean isEmpty() {
        return triangles.length == 0;
    }

    /** A copy of the packed positions {@code float[3V]}. */
    public float[] positions() {
        return positions.clone();
    }

    /** A copy of the packed triangles {@code int[3F]}. */
    public int[] triangles() {
        return triangles.clone();
    }

    public boolean hasNormals() {
        return normals != null;
    }

    /** A copy of the per-vertex normals, or {@code null}. */
    public float[] normals() {
        return normals == null ? null : normals.clone();
    }

    public boolean hasColors() {
        return colors != null;
    }

    /** A copy of the per-vertex RGB colours in [0, 1], or {@code null}. */
    public float[] colors() {
        return colors == null ? null : colors.clone();
    }

    public float x(int vertex) {
        return positions[3 * vertex];
    }

    public float y(int vertex) {
        return positions[3 * vertex + 1];
    }

    public float z(int vertex) {
        return positions[3 * vertex + 2];
    }

    /** The vertex index of corner {@code k} (0, 1, 2) of triangle {@code t}. */
    public int corner(int t, int k) {
        return triangles[3 * t + k];
    }

    /** The bounding box of the vertices. */
    public Aabb bounds() {
        return Aabb.of(positions);
    }

    /** Unit face normals {@code float[3F]} (zero for degenerate triangles). */
    public float[] faceNormals() {
        float[] n = new float[triangles.length];
        for (int t = 0; t < triangles.length / 3; t++) {
            double[] c = cross(t);
            double len = Math.sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]);
            if (len > 0) {
                n[3 * t] = (float) (c[0] / len);
                n[3 * t + 1] = (float) (c[1] / len);
                n[3 * t + 2] = (float) (c[2] / len);
            }
        }
        return n;
    }

    /** Triangle areas {@code double[F]}. */
    public double[] faceAreas() {
        double[] a = new double[triangleCount()];
        for (int t = 0; t < a.length; t++) {
            double[] c = cross(t);
            a[t] = 0.5 * Math.sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]);
        }
        return a;
    }

    /** Total surface area. */
    public double area() {
        double s = 0;
        for (double a : faceAreas()) {
            s += a;
        }
        return s;
    }

    /**
     * Signed volume by the divergence theorem: positive for a closed, outward-oriented mesh, meaningless for an open
     * one.
     */
    public double volume() {
        double v = 0;
        for (int t = 0; t < triangleCount(); t++) {
            int a = 3 * triangles[3 * t], b = 3 * triangles[3 * t + 1], c = 3 * triangles[3 * t + 2];
            double ax = positions[a], ay = positions[a + 1], az = positions[a + 2];
            double bx = positions[b], by = positions[b + 1], bz = positions[b + 2];
            double cx = positions[c], cy = positions[c + 1], cz = positions[c + 2];
            v += ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
        }
        return v / 6;
    }

    /** Area-weighted unit vertex normals {@code float[3V]} computed from the faces (zero on isolated vertices). */
    public float[] computeVertexNormals() {
        double[] acc = new double[positions.length];
        for (int t = 0; t < triangleCount(); t++) {
            double[] c = cross(t); // length = 2 × area, so summing weights by area
            for (int k = 0; k < 3; k++) {
                int v = 3 * triangles[3 * t + k];
                acc[v] += c[0];
                acc[v + 1] += c[1];
                acc[v + 2] += c[2];
            }
        }
        float[] n = new float[positions.length];
        for (int v = 0; v < n.length; v += 3) {
            double len = Math.sqrt(acc[v] * acc[v] + acc[v + 1] * acc[v + 1] + acc[v + 2] * acc[v + 2]);
            if (len > 0) {
                n[v] = (float) (acc[v] / len);
                n[v + 1] = (float) (acc[v + 1] / len);
                n[v + 2] = (float) (acc[v + 2] / len);
            }
        }
        return n;
    }

    /** This mesh with vertex normals computed from its faces. */
    public TriangleMesh withComputedNormals() {
        return new TriangleMesh(positions, triangles, computeVertexNormals(), colors, false);
    }

    /** This mesh with the given per-vertex normals ({@code null} to drop them). */
    public TriangleMesh withNormals(float[] newNormals) {
        return new TriangleMesh(positions, triangles, newNormals == null ? null : newNormals.clone(), colors, false);
    }

    /** This mesh with the given per-vertex RGB colours ({@code null} to drop them). */
    public TriangleMesh withColors(float[] newColors) {
        return new TriangleMesh(positions, triangles, normals, newColors == null ? null : newColors.clone(), false);
    }

    /** This mesh with every triangle's orientation reversed (normals negated). */
    public TriangleMesh flipped() {
        int[] t = triangles.clone();
        for (int i = 0; i < t.length; i += 3) {
            int s = t[i + 1];
            t[i + 1] = t[i + 2];
            t[i + 2] = s;
        }
        float[] n = null;
        if (normals != null) {
            n = new float[normals.length];
            for (int i = 0; i < n.length; i++) {
                n[i] = -normals[i];
            }
        }
        return new TriangleMesh(positions, t, n, colors, false);
    }

    /** This mesh mapped by a normalisation (normals are unchanged, the transform being a similarity). */
    public TriangleMesh transformed(Normalization transform) {
        return new TriangleMesh(transform.apply(positions), triangles, normals, colors, true);
    }

    /** The transform that fits this mesh into {@code [-halfExtent, halfExtent]³}, centred. */
    public Normalization normalization(double halfExtent) {
        if (vertexCount() == 0) {
            throw new InvalidMeshException("cannot normalise an empty mesh");
        }
        return Normalization.fit(bounds(), halfExtent);
    }

    /** This mesh centred and scaled so its longest side spans {@code [-halfExtent, halfExtent]}. */
    public TriangleMesh normalized(double halfExtent) {
        return transformed(normalization(halfExtent));
    }

    private double[] cross(int t) {
        int a = 3 * triangles[3 * t], b = 3 * triangles[3 * t + 1], c = 3 * triangles[3 * t + 2];
        double ux = positions[b] - positions[a], uy = positions[b + 1] - positions[a + 1];
        double uz = positions[b + 2] - positions[a + 2];
        double vx = positions[c] - positions[a], vy = positions[c + 1] - positions[a + 1];
        double vz = positions[c + 2] - positions[a + 2];
        return new double[] {uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TriangleMesh m
                && Arrays.equals(positions, m.positions)
                && Arrays.equals(triangles, m.triangles)
                && Arrays.equals(normals, m.normals)
                && Arrays.equals(colors, m.colors);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(positions) + Arrays.hashCode(triangles);
    }

    @Override
    public String toString() {
        return "TriangleMesh[" + vertexCount() + " vertices, " + triangleCount() + " triangles"
                + (normals != null ? ", normals" : "") + (colors != null ? ", colors" : "") + "]";
    }
}
