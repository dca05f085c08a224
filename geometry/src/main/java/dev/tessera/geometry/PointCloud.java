package dev.tessera.geometry;

/**
 * An immutable set of points with optional unit normals, both packed {@code float[3N]}. Accessors return copies.
 */
public final class PointCloud {
    private final float[] positions;
    private final float[] normals;

    /** A cloud with optional normals ({@code null} when absent); arrays are copied and checked. */
    public PointCloud(float[] positions, float[] normals) {
        this(positions.clone(), normals == null ? null : normals.clone(), true);
    }

    private PointCloud(float[] positions, float[] normals, boolean check) {
        if (positions.length % 3 != 0) {
            throw new InvalidMeshException("positions length " + positions.length + " is not a multiple of 3");
        }
        if (normals != null && normals.length != positions.length) {
            throw new InvalidMeshException(
                    "normals length " + normals.length + " != positions length " + positions.length);
        }
        if (check) {
            for (int i = 0; i < positions.length; i++) {
                if (!Float.isFinite(positions[i])) {
                    throw new InvalidMeshException("point " + (i / 3) + " has a non-finite coordinate");
                }
            }
        }
        this.positions = positions;
        this.normals = normals;
    }

    /** A cloud over fresh arrays the caller hands over (no copy). */
    public static PointCloud adopt(float[] positions, float[] normals) {
        return new PointCloud(positions, normals, true);
    }

    public int size() {
        return positions.length / 3;
    }

    public float[] positions() {
        return positions.clone();
    }

    public boolean hasNormals() {
        return normals != null;
    }

    public float[] normals() {
        return normals == null ? null : normals.clone();
    }

    public float x(int i) {
        return positions[3 * i];
    }

    public float y(int i) {
        return positions[3 * i + 1];
    }

    public float z(int i) {
        return positions[3 * i + 2];
    }

    public Aabb bounds() {
        return Aabb.of(positions);
    }

    /** The points at the given indices, in that order. */
    public PointCloud select(int[] indices) {
        float[] p = new float[3 * indices.length];
        float[] n = normals == null ? null : new float[3 * indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(positions, 3 * indices[i], p, 3 * i, 3);
            if (n != null) {
                System.arraycopy(normals, 3 * indices[i], n, 3 * i, 3);
            }
        }
        return new PointCloud(p, n, false);
    }

    @Override
    public String toString() {
        return "PointCloud[" + size() + " points" + (normals != null ? ", normals" : "") + "]";
    }
}
