package dev.tessera.model.vecset;

import java.util.SplittableRandom;

/**
 * A training shape turned about the up (y) axis, mirrored or not, and normalised again: {@code p' = scale · (M p −
 * centre)} with {@code M} the turn by {@code angle} after an optional mirror {@code x → −x}. Signed distances scale with
 * the shape ({@code d' = scale · d}) and normals turn with it ({@code n' = M n}), so every label of the sample stays
 * exact: no distance has to be computed again.
 *
 * <p>{@code scale} and {@code centre} give the turned shape the bounding box a prepared sample of it would have: the same
 * longest half-side as before, centred at the origin (measured on the encoder's points of this step, so within their
 * sampling of the extremes). Procedural shapes are spun about y at random when drawn (`tessera synth`), so a spun copy
 * is another shape of the same class: a small dataset covers the turns it did not draw.
 *
 * @param angle the turn about y, radians
 * @param mirror whether {@code x → −x} comes first
 * @param scale the factor of every length
 * @param cx the turned shape's bounding-box centre (before scaling)
 * @param cy the turned shape's bounding-box centre (before scaling)
 * @param cz the turned shape's bounding-box centre (before scaling)
 */
public record SpinAugmentation(double angle, boolean mirror, double scale, double cx, double cy, double cz) {

    /** A random turn in [−π, π) and a fair coin for the mirror, fitted to {@code rows} (see {@link #fit}). */
    public static SpinAugmentation draw(SplittableRandom random, int stride, float[]... rows) {
        double angle = Math.PI * (2 * random.nextDouble() - 1);
        return fit(angle, random.nextBoolean(), stride, rows);
    }

    /**
     * The turn by {@code angle} (and mirror) with the scale and centre that keep the bounding box of the points in
     * {@code rows} (xyz first in each row of {@code stride} floats) as long on its longest side as before, and centred.
     */
    public static SpinAugmentation fit(double angle, boolean mirror, int stride, float[]... rows) {
        double[] before = bounds(null, stride, rows);
        SpinAugmentation turn = new SpinAugmentation(angle, mirror, 1, 0, 0, 0);
        double[] after = bounds(turn, stride, rows);
        double halfBefore = longestHalfSide(before), halfAfter = longestHalfSide(after);
        if (!(halfBefore > 0 && halfAfter > 0)) {
            return turn;
        }
        return new SpinAugmentation(
                angle,
                mirror,
                halfBefore / halfAfter,
                0.5 * (after[0] + after[3]),
                0.5 * (after[1] + after[4]),
                0.5 * (after[2] + after[5]));
    }

    /** Transforms rows of xyz + normal (+ anything after, kept) in place. */
    public void applyToRows(float[] rows, int stride) {
        if (stride < 6) {
            throw new IllegalArgumentException(
                    "rows of xyz + normal take at least 6 floats, got a stride of " + stride);
        }
        double[] p = new double[3];
        for (int i = 0; i + 5 < rows.length; i += stride) {
            point(rows[i], rows[i + 1], rows[i + 2], p);
            rows[i] = (float) p[0];
            rows[i + 1] = (float) p[1];
            rows[i + 2] = (float) p[2];
            turn(rows[i + 3], rows[i + 4], rows[i + 5], p);
            rows[i + 3] = (float) p[0];
            rows[i + 4] = (float) p[1];
            rows[i + 5] = (float) p[2];
        }
    }

    /** Transforms {@code count} query points (packed xyz from point {@code from}) and scales their distances. */
    public void applyToQueries(float[] xyz, float[] sdf, int from, int count) {
        double[] p = new double[3];
        for (int j = from; j < from + count; j++) {
            point(xyz[3 * j], xyz[3 * j + 1], xyz[3 * j + 2], p);
            xyz[3 * j] = (float) p[0];
            xyz[3 * j + 1] = (float) p[1];
            xyz[3 * j + 2] = (float) p[2];
            sdf[j] = (float) (scale * sdf[j]);
        }
    }

    /** {@code scale · (M p − centre)} into {@code out}. */
    void point(double x, double y, double z, double[] out) {
        turn(x, y, z, out);
        out[0] = scale * (out[0] - cx);
        out[1] = scale * (out[1] - cy);
        out[2] = scale * (out[2] - cz);
    }

    /** The point this transform takes to {@code (x, y, z)}: {@code M⁻¹ (p / scale + centre)}. */
    public double[] inverse(double x, double y, double z) {
        double u = x / scale + cx, v = y / scale + cy, w = z / scale + cz;
        double c = Math.cos(angle), s = Math.sin(angle);
        double mx = c * u - s * w, mz = s * u + c * w; // Rᵀ
        return new double[] {mirror ? -mx : mx, v, mz};
    }

    /** {@code M v} into {@code out}: mirror, then turn about y. */
    void turn(double x, double y, double z, double[] out) {
        double mx = mirror ? -x : x;
        double c = Math.cos(angle), s = Math.sin(angle);
        out[0] = c * mx + s * z;
        out[1] = y;
        out[2] = -s * mx + c * z;
    }

    /** {minX, minY, minZ, maxX, maxY, maxZ} of the rows' points, turned by {@code t} (null: as they are). */
    private static double[] bounds(SpinAugmentation t, int stride, float[]... rows) {
        double[] b = {
            Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY
        };
        double[] p = new double[3];
        for (float[] r : rows) {
            for (int i = 0; i + 2 < r.length; i += stride) {
                if (t == null) {
                    p[0] = r[i];
                    p[1] = r[i + 1];
                    p[2] = r[i + 2];
                } else {
                    t.turn(r[i], r[i + 1], r[i + 2], p);
                }
                for (int k = 0; k < 3; k++) {
                    b[k] = Math.min(b[k], p[k]);
                    b[k + 3] = Math.max(b[k + 3], p[k]);
                }
            }
        }
        return b;
    }

    private static double longestHalfSide(double[] b) {
        return 0.5 * Math.max(b[3] - b[0], Math.max(b[4] - b[1], b[5] - b[2]));
    }
}
