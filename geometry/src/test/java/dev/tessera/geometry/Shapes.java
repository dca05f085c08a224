package dev.tessera.geometry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Closed-form test meshes: spheres, boxes. */
final class Shapes {
    private Shapes() {}

    /** An icosphere of the given radius: an icosahedron subdivided {@code level} times, vertices on the sphere. */
    static TriangleMesh icosphere(int level, double radius) {
        double t = (1 + Math.sqrt(5)) / 2;
        List<double[]> v = new ArrayList<>();
        double[][] base = {
            {-1, t, 0},
            {1, t, 0},
            {-1, -t, 0},
            {1, -t, 0},
            {0, -1, t},
            {0, 1, t},
            {0, -1, -t},
            {0, 1, -t},
            {t, 0, -1},
            {t, 0, 1},
            {-t, 0, -1},
            {-t, 0, 1}
        };
        for (double[] p : base) {
            v.add(unit(p));
        }
        int[] f = {
            0, 11, 5, 0, 5, 1, 0, 1, 7, 0, 7, 10, 0, 10, 11, 1, 5, 9, 5, 11, 4, 11, 10, 2, 10, 7, 6, 7, 1, 8, 3, 9, 4,
            3, 4, 2, 3, 2, 6, 3, 6, 8, 3, 8, 9, 4, 9, 5, 2, 4, 11, 6, 2, 10, 8, 6, 7, 9, 8, 1
        };
        for (int l = 0; l < level; l++) {
            Map<Long, Integer> mid = new HashMap<>();
            int[] g = new int[f.length * 4];
            int o = 0;
            for (int i = 0; i < f.length; i += 3) {
                int a = f[i], b = f[i + 1], c = f[i + 2];
                int ab = midpoint(v, mid, a, b), bc = midpoint(v, mid, b, c), ca = midpoint(v, mid, c, a);
                int[] q = {a, ab, ca, b, bc, ab, c, ca, bc, ab, bc, ca};
                System.arraycopy(q, 0, g, o, 12);
                o += 12;
            }
            f = g;
        }
        float[] p = new float[3 * v.size()];
        for (int i = 0; i < v.size(); i++) {
            for (int k = 0; k < 3; k++) {
                p[3 * i + k] = (float) (v.get(i)[k] * radius);
            }
        }
        return new TriangleMesh(p, f);
    }

    private static int midpoint(List<double[]> v, Map<Long, Integer> mid, int a, int b) {
        long key = ((long) Math.min(a, b) << 32) | Math.max(a, b);
        return mid.computeIfAbsent(key, kk -> {
            double[] p = v.get(a), q = v.get(b);
            v.add(unit(new double[] {p[0] + q[0], p[1] + q[1], p[2] + q[2]}));
            return v.size() - 1;
        });
    }

    private static double[] unit(double[] p) {
        double l = Math.sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
        return new double[] {p[0] / l, p[1] / l, p[2] / l};
    }

    /** The largest distance between the unit sphere and the icosphere's triangles' planes, a bound on its error. */
    static double icosphereTolerance(TriangleMesh m) {
        double worst = 0;
        float[] n = m.faceNormals();
        for (int t = 0; t < m.triangleCount(); t++) {
            int a = m.corner(t, 0);
            double d = n[3 * t] * m.x(a) + n[3 * t + 1] * m.y(a) + n[3 * t + 2] * m.z(a);
            worst = Math.max(worst, 1 - d);
        }
        return worst;
    }

    /** An axis-aligned box, 8 shared vertices and 12 triangles, counter-clockwise from outside. */
    static TriangleMesh box(double x0, double y0, double z0, double x1, double y1, double z1) {
        float[] p = new float[24];
        for (int i = 0; i < 8; i++) {
            p[3 * i] = (float) ((i & 4) != 0 ? x1 : x0);
            p[3 * i + 1] = (float) ((i & 2) != 0 ? y1 : y0);
            p[3 * i + 2] = (float) ((i & 1) != 0 ? z1 : z0);
        }
        int[] t = {
            0, 1, 3, 0, 3, 2, // x = x0
            4, 6, 7, 4, 7, 5, // x = x1
            0, 4, 5, 0, 5, 1, // y = y0
            2, 3, 7, 2, 7, 6, // y = y1
            0, 2, 6, 0, 6, 4, // z = z0
            1, 5, 7, 1, 7, 3 // z = z1
        };
        return new TriangleMesh(p, t);
    }

    /** The cube {@code [-h, h]³}. */
    static TriangleMesh cube(double h) {
        return box(-h, -h, -h, h, h, h);
    }
}
