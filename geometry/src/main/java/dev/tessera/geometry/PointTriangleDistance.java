package dev.tessera.geometry;

/**
 * Exact distance from a point to a triangle by Voronoi-region classification (the method of Ericson, <i>Real-Time
 * Collision Detection</i>, §5.1.5), evaluated in {@code double} from {@code float} vertices.
 *
 * <p>The triangle is read from a packed array at an offset: {@code a = v[o..o+2]}, {@code b = v[o+3..o+5]},
 * {@code c = v[o+6..o+8]}. The point is classified against the vertex, edge and face regions with dot products
 * only; the face case takes the distance to the plane, {@code (n·ap)² / |n|²}, which keeps full relative precision
 * for far points. Degenerate triangles (zero area, repeated vertices, slivers thinner than float
 * precision) fall back to the nearest of their three edges, so the result is always finite. Cost: a few dozen flops, no allocation.
 */
final class PointTriangleDistance {
    /**
     * Triangles with {@code sin²} of the angle at corner a below this are treated as segments: the distance to the
     * nearest edge then differs from the exact one by less than {@code 1e-7} of the edge length, float precision.
     */
    private static final double SLIVER = 1e-14;

    private PointTriangleDistance() {}

    /** Squared distance from {@code (px, py, pz)} to the triangle stored at {@code v[o..o+8]}. */
    static double squared(double px, double py, double pz, float[] v, int o) {
        double ax = v[o], ay = v[o + 1], az = v[o + 2];
        double abx = v[o + 3] - ax, aby = v[o + 4] - ay, abz = v[o + 5] - az;
        double acx = v[o + 6] - ax, acy = v[o + 7] - ay, acz = v[o + 8] - az;
        double apx = px - ax, apy = py - ay, apz = pz - az;
        double d1 = abx * apx + aby * apy + abz * apz;
        double d2 = acx * apx + acy * apy + acz * apz;
        if (d1 <= 0 && d2 <= 0) {
            return apx * apx + apy * apy + apz * apz; // vertex a
        }
        double abab = abx * abx + aby * aby + abz * abz;
        double abac = abx * acx + aby * acy + abz * acz;
        double acac = acx * acx + acy * acy + acz * acz;
        if (!(abab * acac - abac * abac > SLIVER * abab * acac)) {
            return degenerate(px, py, pz, v, o, null);
        }
        double d3 = d1 - abab; // ab·bp
        double d4 = d2 - abac; // ac·bp
        if (d3 >= 0 && d4 <= d3) {
            double bx = apx - abx, by = apy - aby, bz = apz - abz;
            return bx * bx + by * by + bz * bz; // vertex b
        }
        double vc = d1 * d4 - d3 * d2;
        if (vc <= 0 && d1 >= 0 && d3 <= 0) {
            double t = d1 / (d1 - d3); // edge ab
            double ex = apx - t * abx, ey = apy - t * aby, ez = apz - t * abz;
            return ex * ex + ey * ey + ez * ez;
        }
        double d5 = d1 - abac; // ab·cp
        double d6 = d2 - acac; // ac·cp
        if (d6 >= 0 && d5 <= d6) {
            double cx = apx - acx, cy = apy - acy, cz = apz - acz;
            return cx * cx + cy * cy + cz * cz; // vertex c
        }
        double vb = d5 * d2 - d1 * d6;
        if (vb <= 0 && d2 >= 0 && d6 <= 0) {
            double t = d2 / (d2 - d6); // edge ac
            double ex = apx - t * acx, ey = apy - t * acy, ez = apz - t * acz;
            return ex * ex + ey * ey + ez * ez;
        }
        double va = d3 * d6 - d5 * d4;
        double e43 = d4 - d3, e56 = d5 - d6;
        if (va <= 0 && e43 >= 0 && e56 >= 0) {
            double t = e43 / (e43 + e56); // edge bc
            double bpx = apx - abx, bpy = apy - aby, bpz = apz - abz;
            double bcx = acx - abx, bcy = acy - aby, bcz = acz - abz;
            double ex = bpx - t * bcx, ey = bpy - t * bcy, ez = bpz - t * bcz;
            return ex * ex + ey * ey + ez * ez;
        }
        double nx = aby * acz - abz * acy, ny = abz * acx - abx * acz, nz = abx * acy - aby * acx;
        double nn = nx * nx + ny * ny + nz * nz;
        double h = nx * apx + ny * apy + nz * apz;
        return h * h / nn; // face
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
