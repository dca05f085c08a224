package dev.tessera.geometry;

/**
 * A similarity transform {@code p' = (p - center) · scale} that maps a shape into a centred box. Stored with each
 * training sample so predictions can be mapped back to the source's units.
 *
 * @param centerX x of the point that maps to the origin
 * @param centerY y of the point that maps to the origin
 * @param centerZ z of the point that maps to the origin
 * @param scale uniform scale factor applied after centring
 */
public record Normalization(double centerX, double centerY, double centerZ, double scale) {

    public Normalization {
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("normalisation scale must be finite and positive, got " + scale);
        }
    }

    /** The identity transform. */
    public static Normalization identity() {
        return new Normalization(0, 0, 0, 1);
    }

    /**
     * The transform that centres {@code bounds} at the origin and scales its longest side to {@code 2·halfExtent},
     * so the shape fits {@code [-halfExtent, halfExtent]³}.
     */
    public static Normalization fit(Aabb bounds, double halfExtent) {
        double size = bounds.maxSize();
        if (!(size > 0)) {
            throw new IllegalArgumentException("cannot normalise a shape of zero extent");
        }
        return new Normalization(bounds.centerX(), bounds.centerY(), bounds.centerZ(), 2 * halfExtent / size);
    }

    /** Applies the transform to packed {@code xyz} coordinates, returning a new array. */
    public float[] apply(float[] xyz) {
        float[] out = new float[xyz.length];
        for (int i = 0; i < xyz.length; i += 3) {
            out[i] = (float) ((xyz[i] - centerX) * scale);
            out[i + 1] = (float) ((xyz[i + 1] - centerY) * scale);
            out[i + 2] = (float) ((xyz[i + 2] - centerZ) * scale);
        }
        return out;
    }

    /** Maps normalised coordinates back to the source's, returning a new array. */
    public float[] invert(float[] xyz) {
        float[] out = new float[xyz.length];
        for (int i = 0; i < xyz.length; i += 3) {
            out[i] = (float) (xyz[i] / scale + centerX);
            out[i + 1] = (float) (xyz[i + 1] / scale + centerY);
            out[i + 2] = (float) (xyz[i + 2] / scale + centerZ);
        }
        return out;
    }
}
