package dev.tessera.geometry;

/** Closed test solids with known shape: icospheres, tori, boxes, and a brute-force point-to-mesh distance. */
final class TestSolids {
    private TestSolids() {}

    /**
     * An icosphere of the given radius centred at the origin: the icosahedron with every triangle split into four
     * {@code level} times and the vertices pushed onto the sphere; {@code 20·4^level} outward triangles.
     */
    static TriangleMesh icosphere(int level, double radius) {
        return Shapes.icosphere(level, radius);
    }

    /**
     * A torus around the Y axis with tube centre radius {@code major} and tube radius {@code minor}, {@code nu}
     * segments around the axis and {@code nv} around the tube: {@code 2·nu·nv} outward triangles, genus 1.
     */
    static TriangleMesh torus(double major, double minor, int nu, int nv) {
        float[] p = new float[3 * nu * nv];
        for (int i = 0; i < nu; i++) {
            double u = 2 * Math.PI * i / nu;
            for (int j = 0; j < nv; j++) {
                double v = 2 * Math.PI * j / nv;
                double r = major + minor * Math.cos(v);
                int k = 3 * (i * nv + j);
                p[k] = (float) (r * Math.cos(u));
                p[k + 1] = (float) (minor * Math.sin(v));
                p[k + 2] = (float) (-r * Math.sin(u));
            }
        }
        int[] t = new int[6 * nu * nv];
        int k = 0;
        for (int i = 0; i < nu; i++) {
            for (int j = 0; j < nv; j++) {
                int a = i * nv + j, b = ((i + 1) % nu) * nv + j;
                int c = ((i + 1) % nu) * nv + (j + 1) % nv, d = i * nv + (j + 1) % nv;
                t[k++] = a;
                t[k++] = b;
                t[k++] = c;
                t[k++] = a;
                t[k++] = c;
                t[k++] = d;
            }
        }
        TriangleMesh m = new TriangleMesh(p, t);
        return m.volume() < 0 ? m.flipped() : m;
    }

    /**
     * {@link #torus} turned about the x axis so that its axis is z ({@code (x, y, z) → (x, −z, y)}), then moved by
     * {@code offsetX} along x.
     */
    static TriangleMesh torusAboutZ(double major, double minor, int nu, int nv, double offsetX) {
        TriangleMesh m = torus(major, minor, nu, nv);
        float[] p = m.positions().clone();
        for (int i = 0; i < p.length; i += 3) {
            float y = p[i + 1];
            p[i] += (float) offsetX;
            p[i + 1] = -p[i + 2];
            p[i + 2] = y;
        }
        return new TriangleMesh(p, m.triangles());
    }

    /** A single quad {@code [-h, h]²} in the plane {@code z = z0}, facing +z, split into two triangles. */
    static TriangleMesh quad(double h, double z0) {
        float[] p = {
            (float) -h,
            (float) -h,
            (float) z0,
            (float) h,
            (float) -h,
            (float) z0,
            (float) h,
            (float) h,
            (float) z0,
            (float) -h,
            (float) h,
            (float) z0
        };
        return new TriangleMesh(p, new int[] {0, 1, 2, 0, 2, 3});
    }

    /** Distance from a point to triangle {@code (a, b, c)} (closest point by Voronoi regions). */
    static double pointTriangle(double[] p, double[] a, double[] b, double[] c) {
        return Math.sqrt(pointTriangle2(p[0], p[1], p[2], a[0], a[1], a[2], b[0], b[1], b[2], c[0], c[1], c[2]));
    }

    /** Squared distance from point p to triangle (a, b, c), without allocating (Ericson's Voronoi-region test). */
    static double pointTriangle2(
            double px,
            double py,
            double pz,
            double ax,
            double ay,
            double az,
            double bx,
            double by,
            double bz,
            double cx,
            double cy,
            double cz) {
        double abx = bx - ax, aby = by - ay, abz = bz - az, acx = cx - ax, acy = cy - ay, acz = cz - az;
        double apx = px - ax, apy = py - ay, apz = pz - az;
        double d1 = abx * apx + aby * apy + abz * apz, d2 = acx * apx + acy * apy + acz * apz;
        if (d1 <= 0 && d2 <= 0) {
            return apx * apx + apy * apy + apz * apz;
        }
        double bpx = px - bx, bpy = py - by, bpz = pz - bz;
        double d3 = abx * bpx + aby * bpy + abz * bpz, d4 = acx * bpx + acy * bpy + acz * bpz;
        if (d3 >= 0 && d4 <= d3) {
            return bpx * bpx + bpy * bpy + bpz * bpz;
        }
        double u, v;
        double vc = d1 * d4 - d3 * d2;
        double cpx = px - cx, cpy = py - cy, cpz = pz - cz;
        double d5 = abx * cpx + aby * cpy + abz * cpz, d6 = acx * cpx + acy * cpy + acz * cpz;
        double vb = d5 * d2 - d1 * d6, va = d3 * d6 - d5 * d4;
        if (vc <= 0 && d1 >= 0 && d3 <= 0) {
            u = d1 / (d1 - d3);
            v = 0;
        } else if (d6 >= 0 && d5 <= d6) {
            return cpx * cpx + cpy * cpy + cpz * cpz;
        } else if (vb <= 0 && d2 >= 0 && d6 <= 0) {
            u = 0;
            v = d2 / (d2 - d6);
        } else if (va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0) {
            double w = (d4 - d3) / ((d4 - d3) + (d5 - d6));
            u = 1 - w;
            v = w;
        } else {
            double denom = 1 / (va + vb + vc);
            u = vb * denom;
            v = vc * denom;
        }
        double qx = ax + abx * u + acx * v - px, qy = ay + aby * u + acy * v - py, qz = az + abz * u + acz * v - pz;
        return qx * qx + qy * qy + qz * qz;
    }

    /**
     * Brute-force distance from points to the nearest triangle of a mesh: every triangle is considered; those whose
     * bounding sphere lies farther than the best distance so far are skipped, which is exact.
     */
    static final class BruteDistance {
        private final TriangleMesh m;
        private final double[] sphere; // cx cy cz r per triangle

        BruteDistance(TriangleMesh m) {
            this.m = m;
            this.sphere = new double[4 * m.triangleCount()];
            for (int t = 0; t < m.triangleCount(); t++) {
                int a = m.corner(t, 0), b = m.corner(t, 1), c = m.corner(t, 2);
                double cx = (m.x(a) + m.x(b) + m.x(c)) / 3, cy = (m.y(a) + m.y(b) + m.y(c)) / 3;
                double cz = (m.z(a) + m.z(b) + m.z(c)) / 3;
                double r = 0;
                for (int v : new int[] {a, b, c}) {
                    r = Math.max(r, Math.sqrt(sq(m.x(v) - cx) + sq(m.y(v) - cy) + sq(m.z(v) - cz)));
                }
                sphere[4 * t] = cx;
                sphere[4 * t + 1] = cy;
                sphere[4 * t + 2] = cz;
                sphere[4 * t + 3] = r;
            }
        }

        double distance(double[] p) {
            double best = Double.POSITIVE_INFINITY;
            for (int t = 0; t < m.triangleCount(); t++) {
                double dx = p[0] - sphere[4 * t], dy = p[1] - sphere[4 * t + 1], dz = p[2] - sphere[4 * t + 2];
                if (Math.sqrt(dx * dx + dy * dy + dz * dz) - sphere[4 * t + 3] < best) {
                    best = Math.min(
                            best,
                            pointTriangle(
                                    p,
                                    vertex(m, m.corner(t, 0)),
                                    vertex(m, m.corner(t, 1)),
                                    vertex(m, m.corner(t, 2))));
                }
            }
            return best;
        }
    }

    private static double sq(double x) {
        return x * x;
    }

    static double[] vertex(TriangleMesh m, int v) {
        return new double[] {m.x(v), m.y(v), m.z(v)};
    }
}
