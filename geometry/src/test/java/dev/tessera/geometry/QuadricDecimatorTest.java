package dev.tessera.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QuadricDecimatorTest {

    /** Edge and vertex structure of a triangle mesh, computed by brute force for the checks below. */
    record Topology(
            int vertices,
            int edges,
            int faces,
            int boundaryEdges,
            int nonManifoldEdges,
            int misoriented,
            int nonManifoldVertices) {
        int euler() {
            return vertices - edges + faces;
        }

        boolean closedManifold() {
            return boundaryEdges == 0 && nonManifoldEdges == 0 && misoriented == 0 && nonManifoldVertices == 0;
        }
    }

    static Topology topology(TriangleMesh m) {
        int[] t = m.triangles();
        int nv = m.vertexCount();
        long[] undirected = new long[t.length], directed = new long[t.length];
        boolean[] used = new boolean[nv];
        int[] faceCount = new int[nv];
        for (int f = 0; f < t.length; f += 3) {
            for (int k = 0; k < 3; k++) {
                int a = t[f + k], b = t[f + (k + 1) % 3];
                used[a] = true;
                faceCount[a]++;
                undirected[f + k] = ((long) Math.min(a, b) << 32) | Math.max(a, b);
                directed[f + k] = ((long) a << 32) | b;
            }
        }
        Arrays.sort(undirected);
        Arrays.sort(directed);
        int edges = 0, boundary = 0, nonManifold = 0, misoriented = 0;
        int[] edgeCount = new int[nv]; // distinct edges per vertex
        for (int i = 0; i < undirected.length; ) {
            int j = i;
            while (j < undirected.length && undirected[j] == undirected[i]) {
                j++;
            }
            edges++;
            if (j - i == 1) {
                boundary++;
            } else if (j - i > 2) {
                nonManifold++;
            }
            edgeCount[(int) (undirected[i] >>> 32)]++;
            edgeCount[(int) undirected[i]]++;
            i = j;
        }
        for (int i = 1; i < directed.length; i++) {
            if (directed[i] == directed[i - 1]) {
                misoriented++;
            }
        }
        int v = 0, badVertices = 0;
        for (int i = 0; i < nv; i++) {
            if (used[i]) {
                v++;
                // a vertex inside a closed manifold has one cycle of triangles: as many edges as triangles
                if (boundary == 0 && edgeCount[i] != faceCount[i]) {
                    badVertices++;
                }
            }
        }
        return new Topology(v, edges, t.length / 3, boundary, nonManifold, misoriented, badVertices);
    }

    /** Max over sampled points of {@code a} of the distance to {@code b} (brute force). */
    static double oneSidedHausdorff(TriangleMesh a, TriangleMesh b, int samples, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        TestSolids.BruteDistance toB = new TestSolids.BruteDistance(b);
        double worst = 0;
        for (int i = 0; i < samples; i++) {
            int f = rnd.nextInt(a.triangleCount());
            double u = rnd.nextDouble(), v = rnd.nextDouble();
            if (u + v > 1) {
                u = 1 - u;
                v = 1 - v;
            }
            double[] p0 = TestSolids.vertex(a, a.corner(f, 0)), p1 = TestSolids.vertex(a, a.corner(f, 1));
            double[] p2 = TestSolids.vertex(a, a.corner(f, 2));
            double[] p = new double[3];
            for (int k = 0; k < 3; k++) {
                p[k] = p0[k] + u * (p1[k] - p0[k]) + v * (p2[k] - p0[k]);
            }
            worst = Math.max(worst, toB.distance(p));
        }
        return worst;
    }

    @Test
    void icosphereToTenPercentStaysAClosedSphere() {
        TriangleMesh sphere = TestSolids.icosphere(5, 1.0); // 20480 triangles
        assertThat(topology(sphere).closedManifold()).isTrue();
        QuadricDecimator.Result r = QuadricDecimator.simplify(sphere, QuadricDecimator.Options.target(2048));
        TriangleMesh out = r.mesh();
        assertThat(r.reachedTarget()).isTrue();
        assertThat(out.triangleCount()).isBetween(2047, 2048);
        Topology t = topology(out);
        assertThat(t.closedManifold()).as("%s", t).isTrue();
        assertThat(t.euler()).isEqualTo(2);
        MeshCheck check = MeshCheck.of(out);
        assertThat(check.closed()).isTrue();
        assertThat(check.oriented()).isTrue();
        assertThat(check.nonManifoldVertices()).isZero();
        assertThat(check.genus()).isZero();
        assertThat(out.volume()).isPositive(); // still outward
        // every vertex stays near the unit sphere, and the surface near the original
        for (int v = 0; v < out.vertexCount(); v++) {
            double rad = Math.sqrt(out.x(v) * out.x(v) + out.y(v) * out.y(v) + out.z(v) * out.z(v));
            assertThat(rad).isBetween(0.995, 1.005);
        }
        assertThat(oneSidedHausdorff(out, sphere, 400, 1)).isLessThan(0.01);
        assertThat(oneSidedHausdorff(sphere, out, 400, 2)).isLessThan(0.01);
        assertThat(out.volume()).isCloseTo(4 * Math.PI / 3, org.assertj.core.api.Assertions.within(0.03));
    }

    @Test
    void torusToTenPercentKeepsItsGenus() {
        TriangleMesh torus = TestSolids.torus(1, 0.35, 160, 64); // 20480 triangles
        QuadricDecimator.Result r = QuadricDecimator.simplify(torus, QuadricDecimator.Options.target(2048));
        TriangleMesh out = r.mesh();
        assertThat(r.reachedTarget()).isTrue();
        Topology t = topology(out);
        assertThat(t.closedManifold()).as("%s", t).isTrue();
        assertThat(t.euler()).isZero(); // genus 1
        assertThat(MeshCheck.of(out).genus()).isEqualTo(1);
        assertThat(MeshCheck.of(out).nonManifoldVertices()).isZero();
        assertThat(oneSidedHausdorff(out, torus, 400, 3)).isLessThan(0.01);
        assertThat(oneSidedHausdorff(torus, out, 400, 4)).isLessThan(0.01);
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 10, 50})
    void extremeTargetsStopAtAValidMesh(int target) {
        // far below what a sphere can keep: collapses continue while valid, the result stays a closed sphere
        TriangleMesh sphere = TestSolids.icosphere(3, 1.0);
        QuadricDecimator.Result r = QuadricDecimator.simplify(sphere, QuadricDecimator.Options.target(target));
        Topology t = topology(r.mesh());
        assertThat(t.closedManifold()).as("%s", t).isTrue();
        assertThat(t.euler()).isEqualTo(2);
        assertThat(r.mesh().triangleCount()).isGreaterThanOrEqualTo(4);
        if (!r.reachedTarget()) {
            assertThat(r.summary()).contains("no valid collapse remains");
        }
    }

    @Test
    void openMeshesKeepTheirBoundary() {
        // a wavy grid: an open disc-like sheet with a single boundary loop
        int n = 60;
        float[] p = new float[3 * n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double x = i / (double) (n - 1), y = j / (double) (n - 1);
                p[3 * (i * n + j)] = (float) x;
                p[3 * (i * n + j) + 1] = (float) y;
                p[3 * (i * n + j) + 2] = (float) (0.05 * Math.sin(6 * x) * Math.cos(5 * y));
            }
        }
        int[] t = new int[6 * (n - 1) * (n - 1)];
        int k = 0;
        for (int i = 0; i + 1 < n; i++) {
            for (int j = 0; j + 1 < n; j++) {
                int a = i * n + j, b = (i + 1) * n + j, c = (i + 1) * n + j + 1, d = i * n + j + 1;
                int[] q = {a, b, c, a, c, d};
                System.arraycopy(q, 0, t, k, 6);
                k += 6;
            }
        }
        TriangleMesh sheet = new TriangleMesh(p, t);
        TriangleMesh out = QuadricDecimator.decimate(sheet, sheet.triangleCount() / 10);
        Topology top = topology(out);
        assertThat(top.nonManifoldEdges()).isZero();
        assertThat(top.misoriented()).isZero();
        assertThat(top.euler()).isEqualTo(1); // still a disc
        assertThat(out.triangleCount()).isLessThanOrEqualTo(sheet.triangleCount() / 10);
        // the boundary stays on the unit square's outline
        Aabb b = out.bounds();
        assertThat(b.minX()).isCloseTo(0.0, org.assertj.core.api.Assertions.within(1e-3));
        assertThat(b.maxX()).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-3));
        assertThat(b.minY()).isCloseTo(0.0, org.assertj.core.api.Assertions.within(1e-3));
        assertThat(b.maxY()).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-3));
        assertThat(out.area()).isCloseTo(sheet.area(), org.assertj.core.api.Assertions.within(0.01 * sheet.area()));
    }

    @Test
    void marchingCubesOutputToTenPercentStaysClosedAndOnTheSurface() {
        // what generated meshes look like: marching cubes of a field (here a torus' exact signed distance), dense
        // and full of thin triangles; the decimated mesh must stay a closed genus-1 surface near the zero set
        ScalarField torus = (x, y, z) -> Math.hypot(Math.hypot(x, z) - 0.6, y) - 0.25;
        TriangleMesh mc = MarchingCubes.extract(DenseGrid.sample(Aabb.cube(1), 96, torus), 0f);
        assertThat(MeshCheck.of(mc).closed()).isTrue();
        QuadricDecimator.Result r =
                QuadricDecimator.simplify(mc, QuadricDecimator.Options.target(mc.triangleCount() / 10));
        assertThat(r.reachedTarget()).as(r.summary()).isTrue();
        TriangleMesh out = r.mesh();
        MeshCheck check = MeshCheck.of(out);
        assertThat(check.closed()).isTrue();
        assertThat(check.oriented()).isTrue();
        assertThat(check.nonManifoldVertices()).isZero();
        assertThat(check.genus()).isEqualTo(1);
        assertThat(topology(out).closedManifold()).isTrue();
        // every vertex and sampled surface point within 0.004 of the true torus (the grid step is 0.021)
        for (int v = 0; v < out.vertexCount(); v++) {
            assertThat(Math.abs(torus.value(out.x(v), out.y(v), out.z(v)))).isLessThan(0.004);
        }
        SplittableRandom rnd = new SplittableRandom(9);
        for (int i = 0; i < 2000; i++) {
            int f = rnd.nextInt(out.triangleCount());
            double u = rnd.nextDouble(), w = rnd.nextDouble();
            if (u + w > 1) {
                u = 1 - u;
                w = 1 - w;
            }
            int a = out.corner(f, 0), b = out.corner(f, 1), c = out.corner(f, 2);
            double x = out.x(a) + u * (out.x(b) - out.x(a)) + w * (out.x(c) - out.x(a));
            double y = out.y(a) + u * (out.y(b) - out.y(a)) + w * (out.y(c) - out.y(a));
            double z = out.z(a) + u * (out.z(b) - out.z(a)) + w * (out.z(c) - out.z(a));
            assertThat(Math.abs(torus.value(x, y, z))).isLessThan(0.006);
        }
    }

    /**
     * A narrow-band unsigned distance grid: exact within {@code band} grid steps of the mesh, {@code band} steps
     * beyond (a lower bound of the true distance there, which is all the watertight recipe needs for an offset of
     * one step). Every triangle visits the grid points of its box grown by the band.
     */
    static DenseGrid narrowBandUdf(TriangleMesh m, Aabb box, int r, int band) {
        double h = box.sizeX() / (r - 1);
        float[] u = new float[r * r * r];
        Arrays.fill(u, (float) (band * h));
        for (int t = 0; t < m.triangleCount(); t++) {
            int a = m.corner(t, 0), b = m.corner(t, 1), c = m.corner(t, 2);
            int[] lo = new int[3], hi = new int[3];
            double[] min = {box.minX(), box.minY(), box.minZ()};
            for (int d = 0; d < 3; d++) {
                double mn = Math.min(coord(m, a, d), Math.min(coord(m, b, d), coord(m, c, d))) - band * h;
                double mx = Math.max(coord(m, a, d), Math.max(coord(m, b, d), coord(m, c, d))) + band * h;
                lo[d] = Math.max(0, (int) Math.ceil((mn - min[d]) / h));
                hi[d] = Math.min(r - 1, (int) Math.floor((mx - min[d]) / h));
            }
            for (int i = lo[0]; i <= hi[0]; i++) {
                for (int j = lo[1]; j <= hi[1]; j++) {
                    for (int k = lo[2]; k <= hi[2]; k++) {
                        double d2 = TestSolids.pointTriangle2(
                                min[0] + i * h,
                                min[1] + j * h,
                                min[2] + k * h,
                                m.x(a),
                                m.y(a),
                                m.z(a),
                                m.x(b),
                                m.y(b),
                                m.z(b),
                                m.x(c),
                                m.y(c),
                                m.z(c));
                        int q = (i * r + j) * r + k;
                        u[q] = (float) Math.min(u[q], Math.sqrt(d2));
                    }
                }
            }
        }
        return DenseGrid.adopt(box, r, u);
    }

    private static double coord(TriangleMesh m, int v, int d) {
        return d == 0 ? m.x(v) : d == 1 ? m.y(v) : m.z(v);
    }

    /** Chamfer-L1 on sampled surface points: the mean of the two one-sided mean nearest distances. */
    static double chamferL1(TriangleMesh a, TriangleMesh b, int samples, long seed) {
        return 0.5 * (meanDistance(a, b, samples, seed) + meanDistance(b, a, samples, seed + 1));
    }

    private static double meanDistance(TriangleMesh a, TriangleMesh b, int samples, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] area = a.faceAreas();
        double[] cdf = new double[area.length];
        double total = 0;
        for (int f = 0; f < area.length; f++) {
            total += area[f];
            cdf[f] = total;
        }
        TestSolids.BruteDistance toB = new TestSolids.BruteDistance(b);
        double sum = 0;
        for (int i = 0; i < samples; i++) {
            int f = Arrays.binarySearch(cdf, rnd.nextDouble() * total);
            f = Math.min(area.length - 1, f < 0 ? -f - 1 : f);
            double u = rnd.nextDouble(), v = rnd.nextDouble();
            if (u + v > 1) {
                u = 1 - u;
                v = 1 - v;
            }
            double[] p0 = TestSolids.vertex(a, a.corner(f, 0)), p1 = TestSolids.vertex(a, a.corner(f, 1));
            double[] p2 = TestSolids.vertex(a, a.corner(f, 2));
            double[] p = new double[3];
            for (int k = 0; k < 3; k++) {
                p[k] = p0[k] + u * (p1[k] - p0[k]) + v * (p2[k] - p0[k]);
            }
            sum += toB.distance(p);
        }
        return sum / samples;
    }

    @Test
    void watertightBunnyToTenPercentStaysClosedWithSmallChamfer() throws Exception {
        // the recipe's input: the scanned bunny normalised into [-0.9, 0.9]³, made watertight as the outer offset
        // shell of its unsigned distance (one grid step, 128³ over [-1, 1]³), then decimated to 10 %
        TriangleMesh bunny = dev.tessera.geometry.io.MeshIO.read(TestMeshes.mesh("bunny00.off"))
                .normalized(0.9);
        int r = 128;
        double h = 2.0 / (r - 1);
        TriangleMesh closed = Watertight.fromUnsignedGrid(narrowBandUdf(bunny, Aabb.cube(1), r, 2), h, false);
        MeshCheck in = MeshCheck.of(closed);
        assertThat(in.closed()).isTrue();
        QuadricDecimator.Result res =
                QuadricDecimator.simplify(closed, QuadricDecimator.Options.target(closed.triangleCount() / 10));
        assertThat(res.reachedTarget()).as(res.summary()).isTrue();
        MeshCheck out = MeshCheck.of(res.mesh());
        assertThat(out.closed()).isTrue();
        assertThat(out.oriented()).isTrue();
        assertThat(out.nonManifoldVertices()).isZero();
        assertThat(out.components()).isEqualTo(in.components());
        assertThat(out.genus()).isEqualTo(in.genus());
        // Chamfer-L1 in the [-1, 1] box, 2000 area-weighted points each way (measured 3e-4): below 0.002, an eighth
        // of the grid step h ≈ 0.016; and no sampled point of the result farther than h from the input (0.0025)
        assertThat(chamferL1(closed, res.mesh(), 2000, 11)).isLessThan(0.002);
        assertThat(oneSidedHausdorff(res.mesh(), closed, 500, 12)).isLessThan(h);
    }

    @Test
    void scannedBunnyWithHolesKeepsItsHolesAndShape() throws Exception {
        TriangleMesh bunny = dev.tessera.geometry.io.MeshIO.read(TestMeshes.mesh("bunny00.off"));
        MeshCheck before = MeshCheck.of(bunny);
        QuadricDecimator.Result r =
                QuadricDecimator.simplify(bunny, QuadricDecimator.Options.target(bunny.triangleCount() / 10));
        assertThat(r.reachedTarget()).as(r.summary()).isTrue();
        MeshCheck after = MeshCheck.of(r.mesh());
        assertThat(after.boundaryLoops()).isEqualTo(before.boundaryLoops());
        assertThat(after.components()).isEqualTo(before.components());
        assertThat(after.nonManifoldEdges()).isZero();
        assertThat(after.nonManifoldVertices()).isLessThanOrEqualTo(before.nonManifoldVertices());
        assertThat(after.oriented()).isTrue();
        assertThat(after.eulerCharacteristic()).isEqualTo(before.eulerCharacteristic());
        // within 0.5 % of the bounding-box diagonal of the original, both ways, on sampled points
        double diag = bunny.bounds().diagonal();
        assertThat(oneSidedHausdorff(r.mesh(), bunny, 300, 5)).isLessThan(0.005 * diag);
        assertThat(oneSidedHausdorff(bunny, r.mesh(), 300, 6)).isLessThan(0.005 * diag);
    }

    @Test
    void weldsTriangleSoupsAndCarriesColours() {
        // the icosphere as an unwelded soup (every triangle its own three vertices), coloured by height
        TriangleMesh sphere = TestSolids.icosphere(3, 1.0);
        int f = sphere.triangleCount();
        float[] p = new float[9 * f];
        float[] c = new float[9 * f];
        int[] t = new int[3 * f];
        int[] st = sphere.triangles();
        for (int i = 0; i < 3 * f; i++) {
            int v = st[i];
            p[3 * i] = sphere.x(v);
            p[3 * i + 1] = sphere.y(v);
            p[3 * i + 2] = sphere.z(v);
            c[3 * i] = 0.5f * (sphere.y(v) + 1);
            t[i] = i;
        }
        TriangleMesh soup = new TriangleMesh(p, t, null, c);
        TriangleMesh out = QuadricDecimator.decimate(soup, f / 4);
        assertThat(out.triangleCount()).isLessThanOrEqualTo(f / 4);
        assertThat(topology(out).closedManifold()).isTrue();
        assertThat(out.hasColors()).isTrue();
        float[] oc = out.colors();
        for (int v = 0; v < out.vertexCount(); v++) {
            assertThat((double) oc[3 * v])
                    .isCloseTo(0.5 * (out.y(v) + 1), org.assertj.core.api.Assertions.within(0.08));
        }
    }

    @Test
    void deterministic() {
        TriangleMesh torus = TestSolids.torus(1, 0.3, 80, 40);
        TriangleMesh a = QuadricDecimator.decimate(torus, 700);
        TriangleMesh b = QuadricDecimator.decimate(torus, 700);
        assertThat(a).isEqualTo(b);
    }

    @Test
    void nonManifoldInputIsLeftValidAroundTheDefect() {
        // two spheres sharing one vertex (a bow tie): the shared vertex is locked, the rest simplifies
        TriangleMesh s = TestSolids.icosphere(3, 1.0);
        float[] p1 = s.positions();
        float[] p = Arrays.copyOf(p1, 2 * p1.length);
        // the second sphere is the first mirrored through its top vertex
        int top = 0;
        for (int v = 0; v < s.vertexCount(); v++) {
            if (s.y(v) > s.y(top)) {
                top = v;
            }
        }
        float ty = s.y(top);
        for (int v = 0; v < s.vertexCount(); v++) {
            p[p1.length + 3 * v] = s.x(v);
            p[p1.length + 3 * v + 1] = 2 * ty - s.y(v);
            p[p1.length + 3 * v + 2] = s.z(v);
        }
        int[] t1 = s.triangles();
        int[] t = Arrays.copyOf(t1, 2 * t1.length);
        for (int i = 0; i < t1.length; i += 3) {
            // mirrored: reverse orientation to stay outward
            t[t1.length + i] = t1[i] + s.vertexCount();
            t[t1.length + i + 1] = t1[i + 2] + s.vertexCount();
            t[t1.length + i + 2] = t1[i + 1] + s.vertexCount();
        }
        TriangleMesh bowtie = new TriangleMesh(p, t); // the two top vertices coincide and are welded
        QuadricDecimator.Result r = QuadricDecimator.simplify(bowtie, QuadricDecimator.Options.target(400));
        Topology top2 = topology(r.mesh());
        assertThat(top2.boundaryEdges()).isZero();
        assertThat(top2.nonManifoldEdges()).isZero();
        assertThat(top2.misoriented()).isZero();
        assertThat(r.mesh().triangleCount()).isLessThanOrEqualTo(400);
    }

    @Test
    void badInput() {
        TriangleMesh sphere = TestSolids.icosphere(2, 1.0);
        assertThat(QuadricDecimator.decimate(sphere, sphere.triangleCount())).isSameAs(sphere);
        assertThat(QuadricDecimator.decimate(sphere, 10 * sphere.triangleCount()))
                .isSameAs(sphere);
        assertThatThrownBy(() -> QuadricDecimator.decimate(sphere, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
        TriangleMesh flat = new TriangleMesh(
                new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, new int[] {0, 1, 2, 0, 2, 3, 1, 3, 2});
        assertThatThrownBy(() -> QuadricDecimator.decimate(flat, 1))
                .isInstanceOf(InvalidMeshException.class)
                .hasMessageContaining("zero surface area");
        assertThatThrownBy(() -> new QuadricDecimator.Options(10, Double.NaN, 60))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new QuadricDecimator.Options(10, 1000, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
