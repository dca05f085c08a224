package dev.tessera.geometry;

/**
 * Exact distance from a point to a triangle, evaluated in {@code double} from {@code float} data.
 *
 * <p>Two forms. {@link #squared} is the hot loop of every distance query: on a prepared triangle ({@link #prepare})
 * it takes the plane distance when the point projects inside the triangle and the nearest edge otherwise, without a
 * branch or a division, so that it costs the same in every region. {@link #closest} also returns the closest point's
 * barycentric weights, by Voronoi-region classification (Ericson, <i>Real-Time Collision Detection</i>, §5.1.5) on
 * raw vertices ({@code a = v[o..o+2]}, {@code b = v[o+3..o+5]}, {@code c = v[o+6..o+8]}); it is used once per
 * answer. Degenerate triangles (zero area, repeated vertices, slivers thinner than float
 * precision) fall back to the nearest of their three edges, so the result is always finite. Cost: a few dozen flops, no allocation.
 */
final class PointTriangleDistance {
    /**
     * Triangles with {@code sin²} of the angle at corner a below this are treated as segments: the distance to the
     * nearest edge then differs from the exact one by less than {@code 1e-7} of the edge length, float precision.
     */
    private static final double SLIVER = 1e-14;

    private PointTriangleDistance() {}

    /** Floats per triangle in the prepared layout of {@link #prepare}. */
    static final int PREPARED = 24;

    /**
     * Writes the prepared form of the triangle {@code v[o..o+8]} to {@code p[q..q+23]}: corner {@code a}, edges
     * {@code ab} and {@code ac}, unit normal {@code n}, the in-plane edge normals {@code n × ab}, {@code n × bc},
     * {@code n × ca} (pointing into the triangle) and the inverse squared edge lengths of ab, ac, bc. A degenerate
     * triangle gets NaN edge normals, so that no point is ever inside it, and zero inverse lengths for zero-length
     * edges.
     */
    static void prepare(float[] v, int o, float[] p, int q) {
        double ax = v[o], ay = v[o + 1], az = v[o + 2];
        double abx = v[o + 3] - ax, aby = v[o + 4] - ay, abz = v[o + 5] - az;
        double acx = v[o + 6] - ax, acy = v[o + 7] - ay, acz = v[o + 8] - az;
        double bcx = acx - abx, bcy = acy - aby, bcz = acz - abz;
        double nx = aby * acz - abz * acy, ny = abz * acx - abx * acz, nz = abx * acy - aby * acx;
        double nn = nx * nx + ny * ny + nz * nz;
        double abab = abx * abx + aby * aby + abz * abz;
        double acac = acx * acx + acy * acy + acz * acz;
        double bcbc = bcx * bcx + bcy * bcy + bcz * bcz;
        p[q] = v[o];
        p[q + 1] = v[o + 1];
        p[q + 2] = v[o + 2];
        p[q + 3] = (float) abx;
        p[q + 4] = (float) aby;
        p[q + 5] = (float) abz;
        p[q + 6] = (float) acx;
        p[q + 7] = (float) acy;
        p[q + 8] = (float) acz;
        if (nn > SLIVER * abab * acac && nn > 0) {
            double inv = 1 / Math.sqrt(nn);
            nx *= inv;
            ny *= inv;
            nz *= inv;
            p[q + 9] = (float) nx;
            p[q + 10] = (float) ny;
            p[q + 11] = (float) nz;
            cross(nx, ny, nz, abx, aby, abz, p, q + 12);
            cross(nx, ny, nz, bcx, bcy, bcz, p, q + 15);
            cross(nx, ny, nz, -acx, -acy, -acz, p, q + 18);
        } else {
            for (int k = 9; k < 21; k++) {
                p[q + k] = k < 12 ? 0f : Float.NaN;
            }
        }
        p[q + 21] = abab > 0 ? (float) (1 / abab) : 0f;
        p[q + 22] = acac > 0 ? (float) (1 / acac) : 0f;
        p[q + 23] = bcbc > 0 ? (float) (1 / bcbc) : 0f;
    }

    private static void cross(double ax, double ay, double az, double bx, double by, double bz, float[] p, int q) {
        p[q] = (float) (ay * bz - az * by);
        p[q + 1] = (float) (az * bx - ax * bz);
        p[q + 2] = (float) (ax * by - ay * bx);
    }

    /**
     * Squared distance from {@code (px, py, pz)} to the prepared triangle at {@code p[q..q+23]}: the squared distance
     * to the plane when the point projects inside the triangle, else the smallest squared distance to the three edges.
     * Branch-free (no misprediction whatever the region), division-free, about 80 flops in {@code float}: the
     * absolute error is a few units of {@code 1e-7 · |p − a|}, the precision of the float coordinates themselves.
     * Near the border of the face region the two formulas agree, so a rounding-level misclassification costs
     * nothing.
     */
    static float squared(float px, float py, float pz, float[] p, int q) {
        float apx = px - p[q], apy = py - p[q + 1], apz = pz - p[q + 2];
        float abx = p[q + 3], aby = p[q + 4], abz = p[q + 5];
        float acx = p[q + 6], acy = p[q + 7], acz = p[q + 8];
        float bpx = apx - abx, bpy = apy - aby, bpz = apz - abz;
        float h = apx * p[q + 9] + apy * p[q + 10] + apz * p[q + 11];
        float s1 = apx * p[q + 12] + apy * p[q + 13] + apz * p[q + 14];
        float s2 = bpx * p[q + 15] + bpy * p[q + 16] + bpz * p[q + 17];
        float s3 = apx * p[q + 18] + apy * p[q + 19] + apz * p[q + 20];
        // edge ab
        float t = clamp((apx * abx + apy * aby + apz * abz) * p[q + 21]);
        float ex = apx - t * abx, ey = apy - t * aby, ez = apz - t * abz;
        float d = ex * ex + ey * ey + ez * ez;
        // edge ac
        t = clamp((apx * acx + apy * acy + apz * acz) * p[q + 22]);
        ex = apx - t * acx;
        ey = apy - t * acy;
        ez = apz - t * acz;
        d = Math.min(d, ex * ex + ey * ey + ez * ez);
        // edge bc
        float bcx = acx - abx, bcy = acy - aby, bcz = acz - abz;
        t = clamp((bpx * bcx + bpy * bcy + bpz * bcz) * p[q + 23]);
        ex = bpx - t * bcx;
        ey = bpy - t * bcy;
        ez = bpz - t * bcz;
        d = Math.min(d, ex * ex + ey * ey + ez * ez);
        boolean inside = s1 >= 0 & s2 >= 0 & s3 >= 0;
        return inside ? h * h : d;
    }

    /** Clamps to [0, 1] without a branch (the intrinsic min/max). */
    private static float clamp(float t) {
        return Math.max(0f, Math.min(1f, t));
    }

    /**
     * Squared distance and the closest point's barycentric weights: writes {@code (u, v, w)} of corners a, b, c (sum
     * 1, each in [0, 1]) to {@code bary[0..2]} and returns the squared distance.
     */
    static double closest(double px, double py, double pz, float[] v, int o, double[] bary) {
        double ax = v[o], ay = v[o + 1], az = v[o + 2];
        double abx = v[o + 3] - ax, aby = v[o + 4] - ay, abz = v[o + 5] - az;
        double acx = v[o + 6] - ax, acy = v[o + 7] - ay, acz = v[o + 8] - az;
        double apx = px - ax, apy = py - ay, apz = pz - az;
        double d1 = abx * apx + aby * apy + abz * apz;
        double d2 = acx * apx + acy * apy + acz * apz;
        double s, t; // weights of b and c
        if (d1 <= 0 && d2 <= 0) {
            s = 0;
            t = 0;
        } else {
            double abab = abx * abx + aby * aby + abz * abz;
            double abac = abx * acx + aby * acy + abz * acz;
            double acac = acx * acx + acy * acy + acz * acz;
            if (!(abab * acac - abac * abac > SLIVER * abab * acac)) {
                return degenerate(px, py, pz, v, o, bary);
            }
            double d3 = d1 - abab;
            double d4 = d2 - abac;
            double d5 = d1 - abac;
            double d6 = d2 - acac;
            double vc = d1 * d4 - d3 * d2;
            double vb = d5 * d2 - d1 * d6;
            double va = d3 * d6 - d5 * d4;
            double e43 = d4 - d3, e56 = d5 - d6;
            if (d3 >= 0 && d4 <= d3) {
                s = 1;
                t = 0;
            } else if (vc <= 0 && d1 >= 0 && d3 <= 0) {
                s = d1 / (d1 - d3);
                t = 0;
            } else if (d6 >= 0 && d5 <= d6) {
                s = 0;
                t = 1;
            } else if (vb <= 0 && d2 >= 0 && d6 <= 0) {
                s = 0;
                t = d2 / (d2 - d6);
            } else if (va <= 0 && e43 >= 0 && e56 >= 0) {
                t = e43 / (e43 + e56);
                s = 1 - t;
            } else {
                double sum = va + vb + vc;
                if (!(sum > 0)) {
                    return degenerate(px, py, pz, v, o, bary);
                }
                s = Math.min(1, Math.max(0, vb / sum));
                t = Math.min(1 - s, Math.max(0, vc / sum));
            }
        }
        double qx = apx - s * abx - t * acx, qy = apy - s * aby - t * acy, qz = apz - s * abz - t * acz;
        bary[0] = 1 - s - t;
        bary[1] = s;
        bary[2] = t;
        return qx * qx + qy * qy + qz * qz;
    }

    /** The nearest of the three edges of a (near-)degenerate triangle; fills {@code bary} when not null. */
    private static double degenerate(double px, double py, double pz, float[] v, int o, double[] bary) {
        double best = Double.POSITIVE_INFINITY;
        int bestEdge = 0;
        double bestT = 0;
        for (int e = 0; e < 3; e++) {
            int i = o + 3 * e, j = o + 3 * ((e + 1) % 3);
            double ax = v[i], ay = v[i + 1], az = v[i + 2];
            double dx = v[j] - ax, dy = v[j + 1] - ay, dz = v[j + 2] - az;
            double apx = px - ax, apy = py - ay, apz = pz - az;
            double len2 = dx * dx + dy * dy + dz * dz;
            double t = len2 > 0 ? (apx * dx + apy * dy + apz * dz) / len2 : 0;
            t = t < 0 ? 0 : (t > 1 ? 1 : t);
            double ex = apx - t * dx, ey = apy - t * dy, ez = apz - t * dz;
            double d = ex * ex + ey * ey + ez * ez;
            if (d < best) {
                best = d;
                bestEdge = e;
                bestT = t;
            }
        }
        if (bary != null) {
            bary[0] = 0;
            bary[1] = 0;
            bary[2] = 0;
            bary[bestEdge] = 1 - bestT;
            bary[(bestEdge + 1) % 3] += bestT;
        }
        return best;
    }
}
