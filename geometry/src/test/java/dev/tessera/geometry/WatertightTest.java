package dev.tessera.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class WatertightTest {
    private static final int R = 64;
    private static final double EPS = 2.0 / R;

    private static double len(double x, double y, double z) {
        return Math.sqrt(x * x + y * y + z * z);
    }

    private static void assertClosed(TriangleMesh m, int components, int euler) {
        MeshTopology t = MeshTopology.of(m);
        assertThat(t.isClosedManifold()).as("%s", t).isTrue();
        assertThat(t.degenerateFaces()).isZero();
        assertThat(t.components()).isEqualTo(components);
        assertThat(t.eulerCharacteristic()).isEqualTo(euler);
        assertThat(m.volume()).isPositive();
        MeshCheck check = MeshCheck.of(m);
        assertThat(check.isWatertight()).as("%s", check).isTrue();
        assertThat(check.genus()).isEqualTo(components - euler / 2);
    }

    @Test
    void sphereShellKeepsOnlyTheOuterOffset() {
        DenseGrid udf = DenseGrid.sample(Aabb.cube(1), R, (x, y, z) -> Math.abs(len(x, y, z) - 0.5));
        float[] before = udf.values();
        TriangleMesh m = Watertight.fromUnsignedGrid(udf, EPS, false);
        assertThat(udf.values()).isEqualTo(before); // the caller's grid is left alone
        assertClosed(m, 1, 2);
        for (int v = 0; v < m.vertexCount(); v++) {
            assertThat(len(m.x(v), m.y(v), m.z(v))).isCloseTo(0.5 + EPS, within(0.004));
        }
        double r = 0.5 + EPS;
        assertThat(m.volume()).isCloseTo(4 / 3.0 * Math.PI * r * r * r, within(0.01 * r * r * r * 4));
        TriangleMesh shrunk = Watertight.fromUnsignedGrid(udf, EPS, true);
        assertClosed(shrunk, 1, 2);
        for (int v = 0; v < shrunk.vertexCount(); v++) {
            assertThat(len(shrunk.x(v), shrunk.y(v), shrunk.z(v))).isCloseTo(0.5, within(0.004));
        }
    }

    /**
     * {@code remesh} reads exact distances in a band of three steps only: its result must be the mesh the exact
     * distance grid (a tree query at every point) gives, vertex for vertex and normal for normal, shrunk or not.
     */
    @Test
    void remeshFromTheDistanceBandEqualsTheFullGrid() throws Exception {
        TriangleMesh bunny = DistanceFixtures.bunny();
        TriangleMesh disc = DistanceFixtures.box(0.5, 0.5, 0.02, 6, true); // open: a thin shell on both sides
        for (TriangleMesh mesh : new TriangleMesh[] {bunny, disc}) {
            for (boolean shrink : new boolean[] {false, true}) {
                WatertightOptions o =
                        WatertightOptions.DEFAULT.withResolution(80).withShrink(shrink);
                Aabb box = Watertight.box(mesh.bounds(), o);
                DenseGrid full = exactGrid(MeshDistance.of(mesh), box, 80);
                TriangleMesh expected = Watertight.fromUnsignedGrid(full, box.sizeX() / 80, shrink);
                TriangleMesh got = Watertight.remesh(mesh, o);
                assertThat(got.triangleCount()).isPositive();
                // the band keeps the lower-indexed of near-tied triangles (within 4e-6 relative), the tree the nearest
                assertThat(got.triangles()).isEqualTo(expected.triangles());
                assertThat(maxDifference(got.positions(), expected.positions())).isLessThan(1e-5);
                assertThat(maxDifference(got.normals(), expected.normals())).isLessThan(1e-3);
            }
        }
    }

    @Test
    void theDistanceBandIsExactInsideAndInfiniteOutside() throws Exception {
        TriangleMesh bunny = DistanceFixtures.bunny();
        MeshDistance md = MeshDistance.of(bunny);
        Aabb box = Watertight.box(bunny.bounds(), WatertightOptions.DEFAULT.withResolution(40));
        DenseGrid full = exactGrid(md, box, 40);
        DenseGrid band = md.unsignedBand(box, 40, 3);
        double h = box.sizeX() / 39;
        int inBand = 0;
        for (int n = 0; n < full.size(); n++) {
            float exact = full.get(n);
            if (exact <= 3 * h * 0.999) {
                assertThat(band.get(n)).as("point %d", n).isCloseTo(exact, within(1e-6f));
                inBand++;
            } else if (exact > 3 * h * 1.001) {
                assertThat(band.get(n)).as("point %d", n).isEqualTo(Float.POSITIVE_INFINITY);
            }
        }
        assertThat(inBand).isGreaterThan(1000);
        assertThatThrownBy(() -> md.unsignedBand(box, 40, 0)).hasMessageContaining("band");
        assertThatThrownBy(() -> md.unsignedBand(box, 1, 3)).hasMessageContaining("at least 2");
    }

    private static double maxDifference(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /** Distances at every grid point by tree queries. */
    private static DenseGrid exactGrid(MeshDistance md, Aabb box, int r) {
        DenseGrid coords = DenseGrid.sample(box, r, (x, y, z) -> 0);
        float[] q = new float[3 * coords.size()];
        for (int n = 0; n < coords.size(); n++) {
            q[3 * n] = (float) coords.x(n / (r * r));
            q[3 * n + 1] = (float) coords.y(n / r % r);
            q[3 * n + 2] = (float) coords.z(n % r);
        }
        return DenseGrid.adopt(box, r, md.unsigned(q));
    }

    @Test
    void detachedPartsAreAllKept() {
        // a large and a small sphere: the largest-component trick would keep the big one's two sheets, not the small
        // one
        DenseGrid udf = DenseGrid.sample(
                Aabb.cube(1),
                R,
                (x, y, z) -> Math.min(Math.abs(len(x + 0.35, y, z) - 0.45), Math.abs(len(x - 0.6, y - 0.5, z) - 0.15)));
        TriangleMesh m = Watertight.fromUnsignedGrid(udf, EPS, false);
        assertClosed(m, 2, 4);
        double big = 0.45 + EPS, small = 0.15 + EPS;
        double expected = 4 / 3.0 * Math.PI * (big * big * big + small * small * small);
        assertThat(m.volume()).isCloseTo(expected, within(0.02 * expected));
    }

    @Test
    void innerSphereIsRemoved() {
        DenseGrid udf = DenseGrid.sample(Aabb.cube(1), R, (x, y, z) -> {
            double r = len(x, y, z);
            return Math.min(Math.abs(r - 0.7), Math.abs(r - 0.3));
        });
        TriangleMesh m = Watertight.fromUnsignedGrid(udf, EPS, false);
        assertClosed(m, 1, 2);
        for (int v = 0; v < m.vertexCount(); v++) {
            assertThat(len(m.x(v), m.y(v), m.z(v))).isCloseTo(0.7 + EPS, within(0.004));
        }
    }

    @Test
    void openDiscBecomesAThinClosedShell() {
        double rd = 0.6;
        DenseGrid udf = DenseGrid.sample(Aabb.cube(1), R, (x, y, z) -> {
            double rho = Math.sqrt(x * x + y * y);
            return rho <= rd ? Math.abs(z) : len(rho - rd, 0, z);
        });
        TriangleMesh m = Watertight.fromUnsignedGrid(udf, EPS, false);
        assertClosed(m, 1, 2);
        // a pancake: the disc swept by a ball of radius ε (Pappus for the rim)
        double expected =
                Math.PI * rd * rd * 2 * EPS + Math.PI * EPS * EPS / 2 * 2 * Math.PI * (rd + 4 * EPS / (3 * Math.PI));
        assertThat(m.volume()).isCloseTo(expected, within(0.1 * expected));
    }

    @Test
    void openingsNarrowerThanTheOffsetAreSealed() {
        // a sphere with a polar hole of radius 0.02 < ε: the flood cannot enter, the inside stays solid
        DenseGrid udf = DenseGrid.sample(Aabb.cube(1), R, (x, y, z) -> {
            double r = len(x, y, z), rho = Math.sqrt(x * x + y * y);
            double hole = 0.02;
            if (z > 0 && rho < hole * r / 0.5) { // inside the cone of the hole: distance to the rim circle
                double rimZ = Math.sqrt(0.25 - hole * hole);
                return len(rho - hole, 0, z - rimZ);
            }
            return Math.abs(r - 0.5);
        });
        TriangleMesh m = Watertight.fromUnsignedGrid(udf, EPS, false);
        assertClosed(m, 1, 2);
        double r = 0.5 + EPS;
        assertThat(m.volume()).isCloseTo(4 / 3.0 * Math.PI * r * r * r, within(0.02 * r * r * r * 4));
    }

    @Test
    void shapeCrossingTheBoxIsCutClosed() {
        DenseGrid udf = DenseGrid.sample(Aabb.cube(1), 32, (x, y, z) -> Math.abs(x));
        TriangleMesh m = Watertight.fromUnsignedGrid(udf, 2.0 / 32, false);
        assertClosed(m, 1, 2);
    }

    /** The definition, point by point: boundary points, and passable points reached through passable points. */
    private static boolean[] referenceExterior(float[] u, int nx, int ny, int nz, float eps) {
        boolean[] ext = new boolean[u.length];
        java.util.ArrayDeque<int[]> queue = new java.util.ArrayDeque<>();
        for (int i = 0; i < nx; i++) {
            for (int j = 0; j < ny; j++) {
                for (int k = 0; k < nz; k++) {
                    if (i == 0 || j == 0 || k == 0 || i == nx - 1 || j == ny - 1 || k == nz - 1) {
                        int p = (i * ny + j) * nz + k;
                        ext[p] = true;
                        if (u[p] > eps) {
                            queue.add(new int[] {i, j, k});
                        }
                    }
                }
            }
        }
        int[][] steps = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
        while (!queue.isEmpty()) {
            int[] c = queue.poll();
            for (int[] d : steps) {
                int i = c[0] + d[0], j = c[1] + d[1], k = c[2] + d[2];
                if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) {
                    continue;
                }
                int p = (i * ny + j) * nz + k;
                if (!ext[p] && u[p] > eps) {
                    ext[p] = true;
                    queue.add(new int[] {i, j, k});
                }
            }
        }
        return ext;
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void scanlineFloodMatchesThePointwiseDefinition(int seed) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        // odd sizes, rows longer than a word, and a density near the percolation threshold (long winding paths)
        int nx = 5 + rnd.nextInt(20), ny = 5 + rnd.nextInt(20), nz = seed % 2 == 0 ? 64 : 2 + rnd.nextInt(150);
        float[] u = new float[nx * ny * nz];
        double density = seed <= 3 ? 0.3 + 0.1 * rnd.nextDouble() : 0.58 + 0.08 * rnd.nextDouble(); // blocked
        for (int p = 0; p < u.length; p++) {
            u[p] = rnd.nextDouble() < density ? 0f : 1f;
        }
        long[] got = Watertight.floodExterior(u, nx, ny, nz, 0.5f);
        boolean[] want = referenceExterior(u, nx, ny, nz, 0.5f);
        int exterior = 0;
        for (int p = 0; p < u.length; p++) {
            assertThat((got[p >>> 6] >>> p & 1) != 0).as("point %d", p).isEqualTo(want[p]);
            exterior += want[p] ? 1 : 0;
        }
        assertThat(exterior).isLessThan(u.length); // the test field does have enclosed points
        for (int p = u.length; p < 64 * got.length; p++) {
            assertThat(got[p >>> 6] >>> p & 1).isZero();
        }
    }

    @Test
    void nothingNearGivesAnEmptyMesh() {
        DenseGrid udf = DenseGrid.sample(Aabb.cube(1), 16, (x, y, z) -> 5);
        assertThat(Watertight.fromUnsignedGrid(udf, 0.1, true).isEmpty()).isTrue();
    }

    @Test
    void badInputIsRejected() {
        DenseGrid udf = DenseGrid.sample(Aabb.cube(1), 16, (x, y, z) -> Math.abs(x));
        assertThatThrownBy(() -> Watertight.fromUnsignedGrid(udf, 0.0, false))
                .isInstanceOf(IllegalArgumentException.class);
        float[] v = new float[16 * 16 * 16];
        v[16 * 16 * 8 + 16 * 8 + 8] = Float.NaN;
        assertThatThrownBy(() -> Watertight.fromUnsignedGrid(DenseGrid.adopt(Aabb.cube(1), 16, v), 0.1, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(8, 8, 8) is NaN");
        assertThatThrownBy(() -> new WatertightOptions(8, 0.05, false)).isInstanceOf(IllegalArgumentException.class);
    }
}
