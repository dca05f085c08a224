package dev.tessera.geometry;

/**
 * Triangulation of a simple 3D polygon by ear clipping (Meisters 1975, "Polygons have ears"), in the polygon's own
 * plane.
 *
 * <p>The plane is the one of the polygon's Newell normal; the polygon is projected along the normal's dominant axis.
 * A convex polygon is split as a fan from its first corner; a non-convex one is clipped ear by ear (an ear is a
 * convex corner whose triangle holds no other corner). Triangles keep the polygon's orientation: seen from the side
 * the Newell normal points to, they are counter-clockwise like the polygon. A polygon that is degenerate (zero
 * area) or self-intersecting cannot always be split into ears; then the corner that turns most convexly is clipped
 * anyway, so the result always has {@code n - 2} triangles covering the same corners. Cost O(n) for convex
 * polygons, O(n²·r) otherwise (r reflex corners).
 */
public final class EarClipping {
    private EarClipping() {}

    /**
     * Triangulates a polygon of {@code n} corners.
     *
     * @param xyz the corners' coordinates, packed {@code x0 y0 z0 x1 ...} ({@code 3n} values, at least 9)
     * @param n the number of corners, at least 3
     * @return {@code 3(n-2)} corner numbers (0 to n-1), three per triangle
     */
    public static int[] triangulate(double[] xyz, int n) {
        if (n < 3 || xyz.length < 3 * n) {
            throw new IllegalArgumentException("a polygon needs at least 3 corners and 3n coordinates");
        }
        int[] out = new int[3 * (n - 2)];
        if (n == 3) {
            out[1] = 1;
            out[2] = 2;
            return out;
        }
        // Newell normal.
        double nx = 0, ny = 0, nz = 0;
        for (int i = 0; i < n; i++) {
            int j = (i + 1) % n;
            double ax = xyz[3 * i], ay = xyz[3 * i + 1], az = xyz[3 * i + 2];
            double bx = xyz[3 * j], by = xyz[3 * j + 1], bz = xyz[3 * j + 2];
            nx += (ay - by) * (az + bz);
            ny += (az - bz) * (ax + bx);
            nz += (ax - bx) * (ay + by);
        }
        double ax = Math.abs(nx), ay = Math.abs(ny), az = Math.abs(nz);
        if (ax + ay + az == 0 || !Double.isFinite(ax + ay + az)) {
            return fan(out, n);
        }
        // Project onto the plane of the two other axes, oriented so the polygon is counter-clockwise.
        int u, v;
        double sign;
        if (az >= ax && az >= ay) {
            u = 0;
            v = 1;
            sign = Math.signum(nz);
        } else if (ax >= ay) {
            u = 1;
            v = 2;
            sign = Math.signum(nx);
        } else {
            u = 2;
            v = 0;
            sign = Math.signum(ny);
        }
        double[] px = new double[n];
        double[] py = new double[n];
        for (int i = 0; i < n; i++) {
            px[i] = xyz[3 * i + u];
            py[i] = sign * xyz[3 * i + v];
        }
        if (isConvex(px, py, n)) {
            return fan(out, n);
        }
        return clip(px, py, n, out);
    }

    private static int[] fan(int[] out, int n) {
        for (int i = 0; i < n - 2; i++) {
            out[3 * i] = 0;
            out[3 * i + 1] = i + 1;
            out[3 * i + 2] = i + 2;
        }
        return out;
    }

    private static double cross(double[] px, double[] py, int a, int b, int c) {
        return (px[b] - px[a]) * (py[c] - py[a]) - (py[b] - py[a]) * (px[c] - px[a]);
    }

    /** Every corner turns left (or goes straight) and the boundary winds around once. */
    private static boolean isConvex(double[] px, double[] py, int n) {
        double turning = 0;
        for (int i = 0; i < n; i++) {
            int a = (i + n - 1) % n, c = (i + 1) % n;
            if (cross(px, py, a, i, c) < 0) {
                return false;
            }
            double e1x = px[i] - px[a], e1y = py[i] - py[a];
            double e2x = px[c] - px[i], e2y = py[c] - py[i];
            turning += Math.atan2(e1x * e2y - e1y * e2x, e1x * e2x + e1y * e2y);
        }
        return Math.abs(turning - 2 * Math.PI) < 1e-6;
    }

    private static int[] clip(double[] px, double[] py, int n, int[] out) {
        int[] next = new int[n];
        int[] prev = new int[n];
        for (int i = 0; i < n; i++) {
            next[i] = (i + 1) % n;
            prev[i] = (i + n - 1) % n;
        }
        int remaining = n;
        int k = 0;
        int i = 0;
        while (remaining > 3) {
            int found = -1;
            int best = -1;
            double bestCross = Double.NEGATIVE_INFINITY;
            int c = i;
            for (int s = 0; s < remaining; s++, c = next[c]) {
                double cr = cross(px, py, prev[c], c, next[c]);
                if (cr > bestCross) {
                    bestCross = cr;
                    best = c;
                }
                if (cr > 0 && isEar(px, py, prev[c], c, next[c], next)) {
                    found = c;
                    break;
                }
            }
            int e = found >= 0 ? found : best;
            out[k++] = prev[e];
            out[k++] = e;
            out[k++] = next[e];
            next[prev[e]] = next[e];
            prev[next[e]] = prev[e];
            i = next[e];
            remaining--;
        }
        out[k++] = prev[i];
        out[k++] = i;
        out[k] = next[i];
        return out;
    }

    /** No other remaining corner lies inside or on the triangle (a, b, c); corners equal to a, b or c do not count. */
    private static boolean isEar(double[] px, double[] py, int a, int b, int c, int[] next) {
        for (int p = next[c]; p != a; p = next[p]) {
            if (same(px, py, p, a) || same(px, py, p, b) || same(px, py, p, c)) {
                continue;
            }
            if (cross(px, py, a, b, p) >= 0 && cross(px, py, b, c, p) >= 0 && cross(px, py, c, a, p) >= 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean same(double[] px, double[] py, int p, int q) {
        return px[p] == px[q] && py[p] == py[q];
    }
}
