package dev.tessera.data.synth;

import dev.tessera.geometry.ScalarField;

/**
 * Signed distance functions of primitives and the operators that combine them (after Inigo Quilez's catalogue of
 * distance functions). Negative inside. Primitives are exact distances; unions and affine maps with uniform scale
 * keep exactness outside the shape, deformations (twist, bend) and non-uniform scales give bounds instead —
 * fine for meshing, which only needs the zero set and its sign.
 */
public final class Sdf {
    private Sdf() {}

    /** Sphere of radius {@code r} at the origin. */
    public static ScalarField sphere(double r) {
        return (x, y, z) -> Math.sqrt(x * x + y * y + z * z) - r;
    }

    /** Axis-aligned box with half-extents {@code hx, hy, hz}. */
    public static ScalarField box(double hx, double hy, double hz) {
        return (x, y, z) -> {
            double qx = Math.abs(x) - hx, qy = Math.abs(y) - hy, qz = Math.abs(z) - hz;
            double ox = Math.max(qx, 0), oy = Math.max(qy, 0), oz = Math.max(qz, 0);
            return Math.sqrt(ox * ox + oy * oy + oz * oz) + Math.min(Math.max(qx, Math.max(qy, qz)), 0);
        };
    }

    /** Box with half-extents {@code hx, hy, hz} whose edges are rounded with radius {@code r} (outer size kept). */
    public static ScalarField roundBox(double hx, double hy, double hz, double r) {
        ScalarField inner = box(hx - r, hy - r, hz - r);
        return (x, y, z) -> inner.value(x, y, z) - r;
    }

    /** Capped cylinder along y, radius {@code r}, half-height {@code h}. */
    public static ScalarField cylinder(double r, double h) {
        return (x, y, z) -> {
            double dx = Math.sqrt(x * x + z * z) - r, dy = Math.abs(y) - h;
            double ox = Math.max(dx, 0), oy = Math.max(dy, 0);
            return Math.min(Math.max(dx, dy), 0) + Math.sqrt(ox * ox + oy * oy);
        };
    }

    /** Capped cone along y from a base of radius {@code r} at {@code y = -h} to its apex at {@code y = +h}. */
    public static ScalarField cone(double r, double h) {
        // exact: the distance in the (radial, y) plane to the profile triangle, mirrored about the axis so the axis
        // itself is not a boundary
        double[] profile = {-r, -h, r, -h, 0, h};
        return (x, y, z) -> distanceToRevolvedPolygon(Math.sqrt(x * x + z * z), y, profile);
    }

    /** Torus around the y axis: ring radius {@code big}, tube radius {@code small}. */
    public static ScalarField torus(double big, double small) {
        return (x, y, z) -> {
            double q = Math.sqrt(x * x + z * z) - big;
            return Math.sqrt(q * q + y * y) - small;
        };
    }

    /** Capsule along y: a segment from {@code -h} to {@code +h} swept by a sphere of radius {@code r}. */
    public static ScalarField capsule(double r, double h) {
        return (x, y, z) -> {
            double cy = Math.max(-h, Math.min(h, y));
            double dy = y - cy;
            return Math.sqrt(x * x + dy * dy + z * z) - r;
        };
    }

    /** Union: the minimum of the two distances. */
    public static ScalarField union(ScalarField a, ScalarField b) {
        return (x, y, z) -> Math.min(a.value(x, y, z), b.value(x, y, z));
    }

    /** Union of several shapes. */
    public static ScalarField union(ScalarField... parts) {
        ScalarField[] p = parts.clone();
        return (x, y, z) -> {
            double d = Double.POSITIVE_INFINITY;
            for (ScalarField f : p) {
                d = Math.min(d, f.value(x, y, z));
            }
            return d;
        };
    }

    /** Polynomial smooth union with blend radius {@code k} (fillets where parts meet). */
    public static ScalarField smoothUnion(ScalarField a, ScalarField b, double k) {
        return (x, y, z) -> {
            double da = a.value(x, y, z), db = b.value(x, y, z);
            double h = Math.max(k - Math.abs(da - db), 0) / k;
            return Math.min(da, db) - h * h * k * 0.25;
        };
    }

    /** {@code a} minus {@code b}. */
    public static ScalarField subtract(ScalarField a, ScalarField b) {
        return (x, y, z) -> Math.max(a.value(x, y, z), -b.value(x, y, z));
    }

    /** {@code f} moved by {@code (tx, ty, tz)}. */
    public static ScalarField translate(ScalarField f, double tx, double ty, double tz) {
        return (x, y, z) -> f.value(x - tx, y - ty, z - tz);
    }

    /** {@code f} scaled uniformly by {@code s} (exact). */
    public static ScalarField scale(ScalarField f, double s) {
        return (x, y, z) -> f.value(x / s, y / s, z / s) * s;
    }

    /**
     * {@code f} stretched by {@code (sx, sy, sz)}: the result is a bound, scaled by the smallest factor so it never
     * overestimates the distance.
     */
    public static ScalarField stretch(ScalarField f, double sx, double sy, double sz) {
        double m = Math.min(sx, Math.min(sy, sz));
        return (x, y, z) -> f.value(x / sx, y / sy, z / sz) * m;
    }

    /** {@code f} rotated by {@code angle} radians around the y axis. */
    public static ScalarField rotateY(ScalarField f, double angle) {
        double c = Math.cos(angle), s = Math.sin(angle);
        return (x, y, z) -> f.value(c * x + s * z, y, -s * x + c * z);
    }

    /** {@code f} rotated by {@code angle} radians around the x axis. */
    public static ScalarField rotateX(ScalarField f, double angle) {
        double c = Math.cos(angle), s = Math.sin(angle);
        return (x, y, z) -> f.value(x, c * y + s * z, -s * y + c * z);
    }

    /** {@code f} rotated by {@code angle} radians around the z axis. */
    public static ScalarField rotateZ(ScalarField f, double angle) {
        double c = Math.cos(angle), s = Math.sin(angle);
        return (x, y, z) -> f.value(c * x + s * y, -s * x + c * y, z);
    }

    /**
     * {@code f} twisted around the y axis by {@code k} radians per unit of height. A bound: divided by a Lipschitz
     * factor so the zero set is found reliably.
     */
    public static ScalarField twist(ScalarField f, double k, double extent) {
        double lip = Math.sqrt(1 + (k * extent) * (k * extent));
        return (x, y, z) -> {
            double a = k * y, c = Math.cos(a), s = Math.sin(a);
            return f.value(c * x - s * z, y, s * x + c * z) / lip;
        };
    }

    /** {@code f} bent in the xy plane with curvature {@code k} (a bound, like {@link #twist}). */
    public static ScalarField bend(ScalarField f, double k, double extent) {
        double lip = Math.sqrt(1 + (k * extent) * (k * extent));
        return (x, y, z) -> {
            double a = k * x, c = Math.cos(a), s = Math.sin(a);
            return f.value(c * x - s * y, s * x + c * y, z) / lip;
        };
    }

    /**
     * Exact signed distance in the (radial, y) plane to a closed polygon {@code x0 y0 x1 y1 ...} symmetric about the
     * y axis; its revolution around the y axis is the solid. Negative inside.
     */
    static double distanceToRevolvedPolygon(double px, double py, double[] poly) {
        int n = poly.length / 2;
        double best = Double.POSITIVE_INFINITY;
        boolean inside = false;
        for (int i = 0, j = n - 1; i < n; j = i++) {
            double ax = poly[2 * j], ay = poly[2 * j + 1], bx = poly[2 * i], by = poly[2 * i + 1];
            double ex = bx - ax, ey = by - ay;
            double wx = px - ax, wy = py - ay;
            double t = Math.max(0, Math.min(1, (wx * ex + wy * ey) / (ex * ex + ey * ey)));
            double dx = wx - ex * t, dy = wy - ey * t;
            best = Math.min(best, dx * dx + dy * dy);
            if ((ay > py) != (by > py) && px < (bx - ax) * (py - ay) / (by - ay) + ax) {
                inside = !inside;
            }
        }
        double d = Math.sqrt(best);
        return inside ? -d : d;
    }
}
