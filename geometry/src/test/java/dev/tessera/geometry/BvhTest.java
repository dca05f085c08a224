package dev.tessera.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BvhTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void closestPointEqualsBruteForceOnSoups(long seed) {
        TriangleMesh m = DistanceFixtures.soup(300, seed, 0.3);
        Bvh bvh = Bvh.build(m);
        SplittableRandom r = new SplittableRandom(seed + 100);
        for (int q = 0; q < 300; q++) {
            double x = r.nextDouble(-2, 2), y = r.nextDouble(-2, 2), z = r.nextDouble(-2, 2);
            ClosestPoint c = bvh.closestPoint(x, y, z);
            double ref = DistanceFixtures.referenceDistance(x, y, z, m);
            assertThat((double) c.distance()).isCloseTo(ref, within(1e-5));
            // the reported triangle and point are consistent with the distance
            assertThat(DistanceFixtures.referenceDistance(x, y, z, m, c.triangle()))
                    .isCloseTo(ref, within(1e-5));
            double dx = c.x() - x, dy = c.y() - y, dz = c.z() - z;
            assertThat(Math.sqrt(dx * dx + dy * dy + dz * dz)).isCloseTo(ref, within(1e-5));
            assertThat(c.u() + c.v() + c.w()).isCloseTo(1f, within(1e-5f));
            assertThat(Math.min(c.u(), Math.min(c.v(), c.w()))).isGreaterThanOrEqualTo(-1e-6f);
            int t = c.triangle();
            double[] a = DistanceFixtures.vertex(m, m.corner(t, 0)), b = DistanceFixtures.vertex(m, m.corner(t, 1));
            double[] cc = DistanceFixtures.vertex(m, m.corner(t, 2));
            assertThat(c.u() * a[0] + c.v() * b[0] + c.w() * cc[0]).isCloseTo(c.x(), within(1e-5));
            assertThat(c.u() * a[2] + c.v() * b[2] + c.w() * cc[2]).isCloseTo(c.z(), within(1e-5));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {5, 6})
    void batchEqualsSingleQueries(long seed) {
        TriangleMesh m = DistanceFixtures.icosphere(0.8, 3);
        Bvh bvh = Bvh.build(m);
        float[] q = DistanceFixtures.points(5000, 1.2, seed);
        ClosestPoints all = bvh.closestPoints(q);
        for (int i = 0; i < 5000; i += 7) {
            ClosestPoint one = bvh.closestPoint(q[3 * i], q[3 * i + 1], q[3 * i + 2]);
            assertThat(all.distances()[i]).isCloseTo(one.distance(), within(1e-6f));
            double ref = DistanceFixtures.referenceDistance(q[3 * i], q[3 * i + 1], q[3 * i + 2], m);
            assertThat((double) all.get(i).distance()).isCloseTo(ref, within(1e-5));
        }
    }

    /**
     * The cylinder bounds prune by lateral offsets of a few ulps on fine, flat tessellations seen from afar: distances
     * must still be the brute-force ones, near and far, at the origin and far from it (where float rounding is
     * coarsest), on a fine sphere, the real bunny and a flat sheet.
     */
    @ParameterizedTest
    @ValueSource(doubles = {0, 1000})
    void cylinderBoundsNeverPruneTheNearestTriangle(double offset) throws Exception {
        TriangleMesh bunny = dev.tessera.geometry.io.MeshIO.read(TestMeshes.mesh("bunny00.off"))
                .normalized(1);
        int[] keep = java.util.Arrays.copyOf(bunny.triangles(), 3 * 6000); // a patch: brute force stays cheap
        TriangleMesh[] meshes = {DistanceFixtures.icosphere(1, 5), new TriangleMesh(bunny.positions(), keep), grid(60)};
        SplittableRandom r = new SplittableRandom(17);
        for (TriangleMesh m0 : meshes) {
            float[] p = m0.positions();
            for (int i = 0; i < p.length; i++) {
                p[i] += (float) offset;
            }
            TriangleMesh m = new TriangleMesh(p, m0.triangles());
            Bvh bvh = Bvh.build(m);
            SurfaceSamples s = SurfaceSampler.sample(m, 150, 3);
            for (int q = 0; q < 300; q++) {
                double x, y, z;
                if (q < 150) { // off the surface along its normal, from 1e-5 to 0.3
                    double d = Math.pow(10, r.nextDouble(-5, -0.5)) * (r.nextBoolean() ? 1 : -1);
                    x = s.points()[3 * q] + d * s.normals()[3 * q];
                    y = s.points()[3 * q + 1] + d * s.normals()[3 * q + 1];
                    z = s.points()[3 * q + 2] + d * s.normals()[3 * q + 2];
                } else { // far, in every direction
                    double rad = Math.pow(10, r.nextDouble(0, 2));
                    double[] u = {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
                    double n = Math.sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
                    x = offset + rad * u[0] / n;
                    y = offset + rad * u[1] / n;
                    z = offset + rad * u[2] / n;
                }
                float fx = (float) x, fy = (float) y, fz = (float) z;
                double ref = DistanceFixtures.referenceDistance(fx, fy, fz, m);
                double tol = 1e-6 * (1 + Math.abs(fx) + Math.abs(fy) + Math.abs(fz)) + 1e-6 * ref;
                assertThat((double) bvh.closestPoint(fx, fy, fz).distance())
                        .as("query %d at (%s, %s, %s)", q, fx, fy, fz)
                        .isCloseTo(ref, within(tol));
            }
        }
    }

    /** A flat {@code n × n} square sheet of side 1 in the z = 0 plane, two triangles per square. */
    private static TriangleMesh grid(int n) {
        float[] p = new float[3 * (n + 1) * (n + 1)];
        for (int i = 0; i <= n; i++) {
            for (int j = 0; j <= n; j++) {
                int v = i * (n + 1) + j;
                p[3 * v] = (float) i / n;
                p[3 * v + 1] = (float) j / n;
            }
        }
        int[] t = new int[6 * n * n];
        int w = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int a = i * (n + 1) + j, b = a + 1, c = a + n + 1, d = c + 1;
                int[] q = {a, c, b, b, c, d};
                System.arraycopy(q, 0, t, w, 6);
                w += 6;
            }
        }
        return new TriangleMesh(p, t);
    }

    @Test
    void degenerateTrianglesHaveFiniteDistances() {
        // a zero-area needle, a triangle with a repeated vertex and a point-triangle
        float[] p = {0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 1, 0, 0, 1, 0, 5, 5, 5};
        int[] t = {0, 1, 2, 3, 4, 1, 5, 5, 5};
        TriangleMesh m = new TriangleMesh(p, t);
        Bvh bvh = Bvh.build(m);
        SplittableRandom r = new SplittableRandom(9);
        for (int i = 0; i < 200; i++) {
            double x = r.nextDouble(-3, 6), y = r.nextDouble(-3, 6), z = r.nextDouble(-3, 6);
            ClosestPoint c = bvh.closestPoint(x, y, z);
            assertThat((double) c.distance()).isCloseTo(DistanceFixtures.referenceDistance(x, y, z, m), within(1e-5));
        }
        assertThat(bvh.closestPoint(5, 5, 6).distance()).isCloseTo(1f, within(1e-6f));
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void rayHitsEqualBruteForce(long seed) {
        TriangleMesh m = DistanceFixtures.soup(200, seed, 0.3);
        Bvh bvh = Bvh.build(m);
        SplittableRandom r = new SplittableRandom(seed);
        for (int q = 0; q < 200; q++) {
            double ox = r.nextDouble(-2, 2), oy = r.nextDouble(-2, 2), oz = r.nextDouble(-2, 2);
            double dx = r.nextDouble(-1, 1), dy = r.nextDouble(-1, 1), dz = r.nextDouble(-1, 1);
            List<double[]> ref = bruteHits(m, ox, oy, oz, dx, dy, dz);
            List<RayHit> hits = bvh.allHits(ox, oy, oz, dx, dy, dz, Double.POSITIVE_INFINITY);
            assertThat(hits).hasSameSizeAs(ref);
            for (int i = 0; i < hits.size(); i++) {
                assertThat(hits.get(i).triangle()).isEqualTo((int) ref.get(i)[1]);
                assertThat((double) hits.get(i).t()).isCloseTo(ref.get(i)[0], within(1e-5));
            }
            RayHit first = bvh.firstHit(ox, oy, oz, dx, dy, dz);
            if (ref.isEmpty()) {
                assertThat(first).isNull();
            } else {
                assertThat(first.triangle()).isEqualTo((int) ref.get(0)[1]);
                assertThat((double) first.t()).isCloseTo(ref.get(0)[0], within(1e-5));
                assertThat((double) first.x()).isCloseTo(ox + first.t() * dx, within(1e-5));
            }
        }
    }

    @Test
    void rayIntoSphereEntersThroughTheFront() {
        TriangleMesh m = DistanceFixtures.icosphere(1, 3);
        Bvh bvh = Bvh.build(m);
        RayHit in = bvh.firstHit(-3, 0.01, 0.02, 1, 0, 0);
        assertThat(in.frontFace()).isTrue();
        assertThat((double) in.t()).isCloseTo(2, within(0.02));
        RayHit out = bvh.firstHit(0, 0.01, 0.02, 1, 0, 0);
        assertThat(out.frontFace()).isFalse();
        assertThat(bvh.allHits(-3, 0.01, 0.02, 1, 0, 0, 10)).hasSize(2);
        assertThat(bvh.allHits(-3, 0.01, 0.02, 1, 0, 0, 1)).isEmpty();
        assertThat(bvh.firstHit(-3, 5, 0, 1, 0, 0)).isNull();
        float[] t = bvh.firstHitDistances(new float[] {-3, 0.01f, 0.02f, -3, 5, 0}, new float[] {1, 0, 0, 1, 0, 0});
        assertThat(t[0]).isCloseTo(2f, within(0.02f));
        assertThat(t[1]).isEqualTo(Float.POSITIVE_INFINITY);
    }

    @Test
    void axisAlignedRaysWithZeroComponentsWork() {
        TriangleMesh m = DistanceFixtures.box(1, 1, 1, 2, false);
        Bvh bvh = Bvh.build(m);
        RayHit h = bvh.firstHit(0.3, 0.2, 5, 0, 0, -1);
        assertThat((double) h.t()).isCloseTo(4, within(1e-6));
        assertThat(bvh.firstHit(3, 0.2, 5, 0, 0, -1)).isNull();
    }

    @Test
    void emptyMeshIsRejected() {
        assertThatThrownBy(() -> Bvh.build(new TriangleMesh(new float[0], new int[0])))
                .isInstanceOf(InvalidMeshException.class)
                .hasMessageContaining("no triangles");
    }

    /**
     * The closest-point tree of four children per node reaches every leaf-order triangle exactly once, and small trees
     * (a root that is itself a leaf, 4-nodes with empty slots) answer single and batch queries as brute force does.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 9, 17, 40})
    void fourWideTreeCoversEveryTriangleOnce(int triangles) {
        TriangleMesh m = DistanceFixtures.soup(triangles, triangles, 0.5);
        Bvh bvh = Bvh.build(m);
        int[] seen = new int[triangles];
        int[] stack = new int[3 * bvh.maxDepth + 8];
        int sp = 0;
        stack[sp++] = 0;
        while (sp > 0) {
            int n = stack[--sp];
            for (int j = 0; j < 4; j++) {
                int c = bvh.wideChild[4 * n + j];
                if (Float.isNaN(bvh.wideCyl[4 * Bvh.CYL * n + j])) {
                    continue; // an empty slot
                }
                if (c >= 0) {
                    stack[sp++] = c;
                } else {
                    for (int i = ~c >>> 3, end = i + (~c & 7) + 1; i < end; i++) {
                        seen[i]++;
                    }
                }
            }
        }
        assertThat(seen).containsOnly(1);
        float[] q = DistanceFixtures.points(400, 1.5, triangles);
        float[] batch = bvh.closestPoints(q).distances();
        for (int i = 0; i < 400; i++) {
            double ref = DistanceFixtures.referenceDistance(q[3 * i], q[3 * i + 1], q[3 * i + 2], m);
            assertThat((double) bvh.closestPoint(q[3 * i], q[3 * i + 1], q[3 * i + 2])
                            .distance())
                    .isCloseTo(ref, within(1e-5));
            assertThat((double) batch[i]).isCloseTo(ref, within(1e-5));
        }
    }

    @Test
    void treeIsSane() {
        TriangleMesh m = DistanceFixtures.icosphere(1, 4); // 5120 triangles
        Bvh bvh = Bvh.build(m);
        assertThat(bvh.nodeCount()).isLessThanOrEqualTo(2 * m.triangleCount() - 1);
        assertThat(bvh.depth()).isLessThan(40);
        // every triangle appears exactly once in leaf order
        boolean[] seen = new boolean[m.triangleCount()];
        for (int i = 0; i < m.triangleCount(); i++) {
            assertThat(seen[bvh.meshTriangle(i)]).isFalse();
            seen[bvh.meshTriangle(i)] = true;
        }
        assertThat(bvh.bounds().maxX()).isCloseTo(1, within(1e-6));
    }

    private static List<double[]> bruteHits(
            TriangleMesh m, double ox, double oy, double oz, double dx, double dy, double dz) {
        List<double[]> out = new ArrayList<>();
        double[] o = {ox, oy, oz}, d = {dx, dy, dz};
        for (int t = 0; t < m.triangleCount(); t++) {
            double[] a = DistanceFixtures.vertex(m, m.corner(t, 0)), b = DistanceFixtures.vertex(m, m.corner(t, 1));
            double[] c = DistanceFixtures.vertex(m, m.corner(t, 2));
            // solve o + s d = a + u (b - a) + v (c - a) by Cramer's rule
            double[] e1 = DistanceFixtures.sub(b, a), e2 = DistanceFixtures.sub(c, a), r = DistanceFixtures.sub(o, a);
            double[] md = {-d[0], -d[1], -d[2]};
            double det = det(e1, e2, md);
            if (det == 0) {
                continue;
            }
            double u = det(r, e2, md) / det, v = det(e1, r, md) / det, s = det(e1, e2, r) / det;
            if (u >= 0 && v >= 0 && u + v <= 1 && s >= 0) {
                out.add(new double[] {s, t});
            }
        }
        out.sort((x, y) -> x[0] != y[0] ? Double.compare(x[0], y[0]) : Double.compare(x[1], y[1]));
        return out;
    }

    private static double det(double[] a, double[] b, double[] c) {
        return DistanceFixtures.dot(a, DistanceFixtures.cross(b, c));
    }
}
