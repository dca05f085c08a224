package dev.tessera.geometry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Meshes with known geometry for the distance, BVH and winding-number tests, and brute-force references. */
final class DistanceFixtures {
    private DistanceFixtures() {}

    /** A geodesic sphere of the given radius: an icosahedron subdivided {@code levels} times, vertices on the sphere. */
    static TriangleMesh icosphere(double radius, int levels) {
        return Shapes.icosphere(levels, radius);
    }

    /**
     * The box {@code [-hx, hx] × [-hy, hy] × [-hz, hz]}, each face split into {@code n × n} quads, welded, outward;
     * without the top face ({@code z = hz}) when {@code open}.
     */
    static TriangleMesh box(double hx, double hy, double hz, int n, boolean open) {
        java.util.List<float[]> pts = new java.util.ArrayList<>();
        java.util.Map<java.util.List<Float>, Integer> index = new java.util.HashMap<>();
        java.util.List<int[]> tris = new java.util.ArrayList<>();
        double[] h = {hx, hy, hz};
        for (int axis = 0; axis < 3; axis++) {
            for (int side = -1; side <= 1; side += 2) {
                if (open && axis == 2 && side == 1) {
                    continue;
                }
                int ua = (axis + 1) % 3, va = (axis + 2) % 3; // (ua × va) = +axis
                int[][] id = new int[n + 1][n + 1];
                for (int i = 0; i <= n; i++) {
                    for (int j = 0; j <= n; j++) {
                        float[] q = new float[3];
                        q[axis] = (float) (side * h[axis]);
                        q[ua] = (float) (-h[ua] + 2 * h[ua] * i / n);
                        q[va] = (float) (-h[va] + 2 * h[va] * j / n);
                        id[i][j] = index.computeIfAbsent(java.util.List.of(q[0], q[1], q[2]), k -> {
                            pts.add(q);
                            return pts.size() - 1;
                        });
                    }
                }
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        int a = id[i][j], b = id[i + 1][j], c = id[i + 1][j + 1], d = id[i][j + 1];
                        if (side > 0) {
                            tris.add(new int[] {a, b, c});
                            tris.add(new int[] {a, c, d});
                        } else {
                            tris.add(new int[] {a, c, b});
                            tris.add(new int[] {a, d, c});
                        }
                    }
                }
            }
        }
        float[] p = new float[3 * pts.size()];
        for (int i = 0; i < pts.size(); i++) {
            System.arraycopy(pts.get(i), 0, p, 3 * i, 3);
        }
        int[] t = new int[3 * tris.size()];
        for (int i = 0; i < tris.size(); i++) {
            System.arraycopy(tris.get(i), 0, t, 3 * i, 3);
        }
        return new TriangleMesh(p, t);
    }

    /** {@code f} random triangles with corners uniform in [-1, 1]³ (a soup: overlapping, some slivers). */
    static TriangleMesh soup(int f, long seed, double size) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = new float[9 * f];
        int[] t = new int[3 * f];
        for (int i = 0; i < f; i++) {
            double cx = r.nextDouble(-1, 1), cy = r.nextDouble(-1, 1), cz = r.nextDouble(-1, 1);
            for (int k = 0; k < 3; k++) {
                p[9 * i + 3 * k] = (float) (cx + size * r.nextDouble(-1, 1));
                p[9 * i + 3 * k + 1] = (float) (cy + size * r.nextDouble(-1, 1));
                p[9 * i + 3 * k + 2] = (float) (cz + size * r.nextDouble(-1, 1));
            }
            t[3 * i] = 3 * i;
            t[3 * i + 1] = 3 * i + 1;
            t[3 * i + 2] = 3 * i + 2;
        }
        return new TriangleMesh(p, t);
    }

    /** {@code n} points uniform in {@code [-h, h]³}, packed. */
    static float[] points(int n, double h, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] q = new float[3 * n];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) r.nextDouble(-h, h);
        }
        return q;
    }

    /** Reads a plain OFF file (triangles and polygons fanned); enough for the test meshes. */
    static TriangleMesh readOff(Path path) throws IOException {
        String[] tok = Files.readString(path).replaceAll("#[^\n]*", " ").trim().split("\\s+");
        int k = 0;
        if (tok[k].endsWith("OFF")) {
            k++;
        }
        int nv = Integer.parseInt(tok[k++]), nf = Integer.parseInt(tok[k++]);
        k++;
        float[] p = new float[3 * nv];
        for (int i = 0; i < 3 * nv; i++) {
            p[i] = Float.parseFloat(tok[k++]);
        }
        java.util.List<Integer> t = new java.util.ArrayList<>();
        for (int i = 0; i < nf; i++) {
            int c = Integer.parseInt(tok[k++]);
            int[] poly = new int[c];
            for (int j = 0; j < c; j++) {
                poly[j] = Integer.parseInt(tok[k++]);
            }
            for (int j = 1; j + 1 < c; j++) {
                t.add(poly[0]);
                t.add(poly[j]);
                t.add(poly[j + 1]);
            }
        }
        return new TriangleMesh(p, t.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The bunny of the test data, normalised to [-0.9, 0.9]³ like the benchmarks. */
    static TriangleMesh bunny() throws IOException {
        return readOff(TestMeshes.mesh("bunny00.off")).normalized(0.9);
    }

    /**
     * Reference point–triangle distance by a different route than the library's: project on the plane, keep the
     * projection when inside (sign tests of the three edge cross products), else the nearest of the three edges.
     */
    static double referenceDistance(double px, double py, double pz, TriangleMesh m, int t) {
        double[] a = vertex(m, m.corner(t, 0)), b = vertex(m, m.corner(t, 1)), c = vertex(m, m.corner(t, 2));
        double[] p = {px, py, pz};
        double[] n = cross(sub(b, a), sub(c, a));
        double nn = dot(n, n);
        double best = Math.min(segment(p, a, b), Math.min(segment(p, b, c), segment(p, c, a)));
        if (nn > 0) {
            double h = dot(sub(p, a), n) / nn;
            double[] q = {p[0] - h * n[0], p[1] - h * n[1], p[2] - h * n[2]};
            boolean inside = dot(cross(sub(b, a), sub(q, a)), n) >= 0
                    && dot(cross(sub(c, b), sub(q, b)), n) >= 0
                    && dot(cross(sub(a, c), sub(q, c)), n) >= 0;
            if (inside) {
                best = Math.min(best, Math.abs(h) * Math.sqrt(nn));
            }
        }
        return best;
    }

    /** Brute-force distance from a point to a mesh. */
    static double referenceDistance(double px, double py, double pz, TriangleMesh m) {
        double best = Double.POSITIVE_INFINITY;
        for (int t = 0; t < m.triangleCount(); t++) {
            best = Math.min(best, referenceDistance(px, py, pz, m, t));
        }
        return best;
    }

    /** Brute-force winding number: the sum of exact solid angles (by L'Huilier-free vector formula) over 4π. */
    static double referenceWinding(double px, double py, double pz, TriangleMesh m) {
        double s = 0;
        for (int t = 0; t < m.triangleCount(); t++) {
            double[] a = sub(vertex(m, m.corner(t, 0)), new double[] {px, py, pz});
            double[] b = sub(vertex(m, m.corner(t, 1)), new double[] {px, py, pz});
            double[] c = sub(vertex(m, m.corner(t, 2)), new double[] {px, py, pz});
            double la = Math.sqrt(dot(a, a)), lb = Math.sqrt(dot(b, b)), lc = Math.sqrt(dot(c, c));
            double num = dot(a, cross(b, c));
            double den = la * lb * lc + dot(a, b) * lc + dot(a, c) * lb + dot(b, c) * la;
            s += 2 * Math.atan2(num, den);
        }
        return s / (4 * Math.PI);
    }

    private static double segment(double[] p, double[] a, double[] b) {
        double[] ab = sub(b, a);
        double l = dot(ab, ab);
        double t = l > 0 ? Math.max(0, Math.min(1, dot(sub(p, a), ab) / l)) : 0;
        double[] q = {a[0] + t * ab[0], a[1] + t * ab[1], a[2] + t * ab[2]};
        double[] d = sub(p, q);
        return Math.sqrt(dot(d, d));
    }

    static double[] vertex(TriangleMesh m, int v) {
        return new double[] {m.x(v), m.y(v), m.z(v)};
    }

    static double[] sub(double[] a, double[] b) {
        return new double[] {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
    }

    static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    }

    static double[] cross(double[] a, double[] b) {
        return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }
}
