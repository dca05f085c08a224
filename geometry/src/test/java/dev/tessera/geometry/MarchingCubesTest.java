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

class MarchingCubesTest {

    private static DenseGrid sphere(int r, double radius) {
        return DenseGrid.sample(Aabb.cube(1), r, (x, y, z) -> Math.sqrt(x * x + y * y + z * z) - radius);
    }

    private static DenseGrid torus(int r, double major, double minor) {
        return DenseGrid.sample(Aabb.cube(1), r, (x, y, z) -> {
            double q = Math.sqrt(x * x + y * y) - major;
            return Math.sqrt(q * q + z * z) - minor;
        });
    }

    /** Random values in [-1, 1) inside, +1 on the grid's boundary so the surface stays inside. */
    private static DenseGrid noise(int nx, int ny, int nz, long seed, float[] palette) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[nx * ny * nz];
        for (int i = 0; i < nx; i++) {
            for (int j = 0; j < ny; j++) {
                for (int k = 0; k < nz; k++) {
                    boolean border = i == 0 || j == 0 || k == 0 || i == nx - 1 || j == ny - 1 || k == nz - 1;
                    float value =
                            palette == null ? (float) rnd.nextDouble(-1, 1) : palette[rnd.nextInt(palette.length)];
                    v[(i * ny + j) * nz + k] = border ? 1 : value;
                }
            }
        }
        return new DenseGrid(new Aabb(-1, -2, 0, 1, 3, 0.5), nx, ny, nz, v);
    }

    @Test
    void tableIsDerivedAndCoversEveryConfiguration() {
        assertThat(MarchingCubesTable.CONFIGURATIONS).isGreaterThan(256);
        assertThat(MarchingCubesTable.LONGEST_LOOP).isLessThanOrEqualTo(12);
        // case 1 (only corner 0 above): one triangle whose normal points at corner 0, the above side
        int o = MarchingCubesTable.OFFSET[1];
        assertThat(MarchingCubesTable.OFFSET[2] - o).isEqualTo(3);
        // every configuration draws each crossed edge and nothing else, and no diagonal inside a face
        for (int config = 0; config < 256 * 64; config++) {
            int cas = config & 255;
            if (((config >> 8) & ~MarchingCubesTable.AMBIGUOUS[cas]) != 0) {
                continue;
            }
            int crossed = 0, used = 0;
            for (int e = 0; e < 12; e++) {
                int b = MarchingCubesTable.EDGE_BASE[e], t = b | MarchingCubesTable.AXIS_BIT[e >> 2];
                if ((cas >> b & 1) != (cas >> t & 1)) {
                    crossed |= 1 << e;
                }
            }
            for (int t = MarchingCubesTable.OFFSET[config]; t < MarchingCubesTable.OFFSET[config + 1]; t++) {
                int e = MarchingCubesTable.TRIANGLES[t];
                if (e != MarchingCubesTable.CENTRE) {
                    used |= 1 << e;
                }
            }
            assertThat(used).as("config %d", config).isEqualTo(crossed);
        }
    }

    @Test
    void sphereIsClosedOutwardAndAccurate() {
        double radius = 0.7;
        TriangleMesh m = MarchingCubes.extract(sphere(64, radius), 0f);
        MeshTopology t = MeshTopology.of(m);
        assertThat(t.isClosedManifold()).as("%s", t).isTrue();
        assertThat(t.degenerateFaces()).isZero();
        assertThat(t.eulerCharacteristic()).isEqualTo(2);
        assertThat(t.components()).isEqualTo(1);
        assertThat(m.area()).isCloseTo(4 * Math.PI * radius * radius, within(0.01 * 4 * Math.PI * radius * radius));
        double vol = 4.0 / 3 * Math.PI * radius * radius * radius;
        assertThat(m.volume()).isCloseTo(vol, within(0.01 * vol));
        float[] n = m.normals();
        for (int v = 0; v < m.vertexCount(); v++) {
            double r = Math.sqrt(m.x(v) * m.x(v) + m.y(v) * m.y(v) + m.z(v) * m.z(v));
            assertThat(r).isCloseTo(radius, within(0.005));
            double dot = (n[3 * v] * m.x(v) + n[3 * v + 1] * m.y(v) + n[3 * v + 2] * m.z(v)) / r;
            assertThat(dot).isGreaterThan(0.999);
        }
        // the face orientation agrees with the gradient normals
        float[] fn = m.faceNormals();
        for (int f = 0; f < m.triangleCount(); f++) {
            int a = m.corner(f, 0);
            assertThat(fn[3 * f] * n[3 * a] + fn[3 * f + 1] * n[3 * a + 1] + fn[3 * f + 2] * n[3 * a + 2])
                    .isGreaterThan(0.5f);
        }
    }

    @Test
    void torusHasGenusOne() {
        double major = 0.55, minor = 0.22;
        TriangleMesh m = MarchingCubes.extract(torus(72, major, minor), 0f);
        MeshTopology t = MeshTopology.of(m);
        assertThat(t.isClosedManifold()).as("%s", t).isTrue();
        assertThat(t.eulerCharacteristic()).isEqualTo(0);
        double area = 4 * Math.PI * Math.PI * major * minor;
        assertThat(m.area()).isCloseTo(area, within(0.01 * area));
        double vol = 2 * Math.PI * Math.PI * major * minor * minor;
        assertThat(m.volume()).isCloseTo(vol, within(0.01 * vol));
    }

    @Test
    void negatedFieldFlipsOrientation() {
        DenseGrid g = sphere(24, 0.6);
        float[] v = g.values();
        for (int i = 0; i < v.length; i++) {
            v[i] = -v[i];
        }
        TriangleMesh m = MarchingCubes.extract(new DenseGrid(g.bounds(), 24, 24, 24, v), 0f);
        assertThat(m.volume()).isNegative();
        assertThat(MeshTopology.of(m).isClosedManifold()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void randomFieldsGiveClosedManifolds(long seed) {
        DenseGrid g = noise(13, 9, 11, seed, null);
        TriangleMesh m = MarchingCubes.extract(g, 0f);
        MeshTopology t = MeshTopology.of(m);
        assertThat(t.isClosedManifold()).as("%s", t).isTrue();
        assertThat(t.degenerateFaces()).isZero();
        assertThat(t.eulerCharacteristic() % 2).isZero();
        MeshCheck check = MeshCheck.of(m); // the project's own report agrees
        assertThat(check.isWatertight()).as("%s", check).isTrue();
        assertThat(check.degenerateFaces() + check.duplicateFaces()).isZero();
        assertThat(m.volume()).isPositive(); // the volume of the below (inside) region, enclosed by the above border
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15, 16})
    void samplesAtTheLevelAndDeciderTiesStayClosed(long seed) {
        // a palette with many exact zeros (samples at the level) and equal magnitudes (saddles exactly at the level)
        DenseGrid g = noise(12, 12, 12, seed, new float[] {-2, -1, 0, 0, 0, 1, 2});
        TriangleMesh m = MarchingCubes.extract(g, 0f);
        MeshTopology t = MeshTopology.of(m);
        assertThat(t.isClosedManifold()).as("%s", t).isTrue();
        assertThat(t.degenerateFaces()).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {63, 64, 65, 128, 131})
    void rowsSpanningSeveralWordsStayClosed(int nz) {
        DenseGrid g = noise(7, 6, nz, nz, new float[] {-1, -0.5f, 0, 0.5f, 1});
        TriangleMesh m = MarchingCubes.extract(g, 0f);
        MeshTopology t = MeshTopology.of(m);
        assertThat(t.isClosedManifold()).as("%s", t).isTrue();
        assertThat(t.degenerateFaces()).isZero();
        assertThat(MarchingCubes.extractSparse(g, MarchingCubes.activeCells(g, 0f), 0f))
                .isEqualTo(m);
        assertThat(MarchingCubes.extract(g, 0f, 1, false)).isEqualTo(m);
    }

    @Test
    void allSamplesOnALevelSetOfABox() {
        // the box |x|∞ = 0.5 passes exactly through grid points: every sample on it equals the level
        DenseGrid g = DenseGrid.sample(
                Aabb.cube(1), 21, (x, y, z) -> Math.max(Math.abs(x), Math.max(Math.abs(y), Math.abs(z))) - 0.5);
        TriangleMesh m = MarchingCubes.extract(g, 0f);
        MeshTopology t = MeshTopology.of(m);
        assertThat(t.isClosedManifold()).as("%s", t).isTrue();
        assertThat(t.degenerateFaces()).isZero();
        assertThat(t.eulerCharacteristic()).isEqualTo(2);
        for (int v = 0; v < m.vertexCount(); v++) { // on the cube, pulled inside by MIN_T of an edge at most
            double d = Math.max(Math.abs(m.x(v)), Math.max(Math.abs(m.y(v)), Math.abs(m.z(v))));
            assertThat(d).isBetween(0.5 - 0.11 * MarchingCubes.MIN_T, 0.5 - 0.09 * MarchingCubes.MIN_T);
        }
        // a unit cube with its 12 edges chamfered by the cells along them (h²/2 per unit of length, h = 0.1)
        assertThat(m.volume()).isBetween(0.94, 0.95);
    }

    @Test
    void parallelSlabsGiveTheSameMesh() {
        DenseGrid g = torus(37, 0.5, 0.25);
        TriangleMesh reference = MarchingCubes.extract(g, 0.01f, 1000, false);
        for (int slab : new int[] {1, 2, 3, 5, 8, 36}) {
            assertThat(MarchingCubes.extract(g, 0.01f, slab, true)).isEqualTo(reference);
            assertThat(MarchingCubes.extract(g, 0.01f, slab, false)).isEqualTo(reference);
        }
        assertThat(MarchingCubes.extract(g, 0.01f)).isEqualTo(reference);
        DenseGrid n = noise(20, 7, 9, 99, new float[] {-1, 0, 1});
        TriangleMesh nr = MarchingCubes.extract(n, 0f, 1000, false);
        for (int slab = 1; slab < 6; slab++) {
            assertThat(MarchingCubes.extract(n, 0f, slab, true)).isEqualTo(nr);
        }
    }

    @Test
    void sparseOnActiveCellsEqualsDense() {
        for (DenseGrid g : new DenseGrid[] {torus(33, 0.5, 0.2), noise(14, 10, 12, 5, new float[] {-1, 0, 1, 2})}) {
            TriangleMesh dense = MarchingCubes.extract(g, 0f);
            int[] active = MarchingCubes.activeCells(g, 0f);
            assertThat(MarchingCubes.extractSparse(g, active, 0f)).isEqualTo(dense);
            // reversed order and repeated cells do not matter
            int[] shuffled = new int[active.length * 2];
            for (int c = 0; c < active.length / 3; c++) {
                int d = active.length / 3 - 1 - c;
                System.arraycopy(active, 3 * c, shuffled, 3 * d, 3);
                System.arraycopy(active, 3 * c, shuffled, active.length + 3 * c, 3);
            }
            assertThat(MarchingCubes.extractSparse(g, shuffled, 0f)).isEqualTo(dense);
            // a batch callback that only sees the points it is asked for
            int[] asked = {0};
            TriangleMesh viaField = MarchingCubes.extractSparse(
                    g.bounds(),
                    g.nx(),
                    g.ny(),
                    g.nz(),
                    active,
                    ijk -> {
                        float[] out = new float[ijk.length / 3];
                        for (int p = 0; p < out.length; p++) {
                            out[p] = g.get(ijk[3 * p], ijk[3 * p + 1], ijk[3 * p + 2]);
                        }
                        asked[0] += out.length;
                        return out;
                    },
                    0f);
            assertThat(viaField).isEqualTo(dense);
            assertThat(asked[0]).isLessThan(g.size());
        }
    }

    @Test
    void sparseOnSomeCellsGivesTheDenseTrianglesOfThoseCells() {
        DenseGrid g = sphere(20, 0.6);
        int[] active = MarchingCubes.activeCells(g, 0f);
        List<Integer> keep = new ArrayList<>();
        for (int c = 0; c < active.length / 3; c++) {
            if (active[3 * c] < 10) { // the half x < 0
                keep.add(c);
            }
        }
        int[] half = new int[3 * keep.size()];
        for (int q = 0; q < keep.size(); q++) {
            System.arraycopy(active, 3 * keep.get(q), half, 3 * q, 3);
        }
        TriangleMesh part = MarchingCubes.extractSparse(g, half, 0f);
        TriangleMesh dense = MarchingCubes.extract(g, 0f);
        List<String> expected = new ArrayList<>();
        for (int f = 0; f < dense.triangleCount(); f++) {
            float cx = dense.x(dense.corner(f, 0)) + dense.x(dense.corner(f, 1)) + dense.x(dense.corner(f, 2));
            if (cx / 3 < g.x(10)) {
                expected.add(triangleKey(dense, f));
            }
        }
        List<String> got = new ArrayList<>();
        for (int f = 0; f < part.triangleCount(); f++) {
            got.add(triangleKey(part, f));
        }
        assertThat(got).containsExactlyElementsOf(expected);
        MeshTopology t = MeshTopology.of(part);
        assertThat(t.boundaryEdges()).isPositive(); // an open half sphere
        assertThat(t.overusedEdges() + t.misorientedEdges()).isZero();
    }

    private static String triangleKey(TriangleMesh m, int f) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < 3; c++) {
            int v = m.corner(f, c);
            b.append(m.x(v))
                    .append(',')
                    .append(m.y(v))
                    .append(',')
                    .append(m.z(v))
                    .append(';');
        }
        return b.toString();
    }

    @Test
    void sparseGridOfCornerValuesMatchesDenseTriangles() {
        DenseGrid g = torus(25, 0.5, 0.22);
        int[] active = MarchingCubes.activeCells(g, 0f);
        int n = active.length / 3;
        float[] corners = new float[8 * n];
        for (int c = 0; c < n; c++) {
            for (int q = 0; q < 8; q++) {
                corners[8 * c + q] = g.get(
                        active[3 * c] + (q >> 2 & 1), active[3 * c + 1] + (q >> 1 & 1), active[3 * c + 2] + (q & 1));
            }
        }
        // 24 cells per axis over the same box: the cell lattice is the grid's point lattice
        SparseGrid sg = new SparseGrid(g.bounds(), 24, 8, active, corners);
        TriangleMesh sparse = MarchingCubes.extractSparse(sg, 0f);
        TriangleMesh dense = MarchingCubes.extract(g, 0f);
        assertThat(sparse.positions()).isEqualTo(dense.positions());
        assertThat(sparse.triangles()).isEqualTo(dense.triangles());
        float[] ns = sparse.normals(), nd = dense.normals();
        for (int i = 0; i < ns.length; i += 3) { // one-sided differences where a neighbour is missing: close, not equal
            assertThat(ns[i] * nd[i] + ns[i + 1] * nd[i + 1] + ns[i + 2] * nd[i + 2])
                    .isGreaterThan(0.95f);
        }
        int a = 0; // a cell whose +z neighbour is active too: its corner 1 is that neighbour's corner 0
        while (!(active[3 * a + 3] == active[3 * a]
                && active[3 * a + 4] == active[3 * a + 1]
                && active[3 * a + 5] == active[3 * a + 2] + 1)) {
            a++;
        }
        corners[8 * a + 1] += 1; // the two cells now disagree on a shared corner
        SparseGrid bad = new SparseGrid(g.bounds(), 24, 8, active, corners);
        assertThatThrownBy(() -> MarchingCubes.extractSparse(bad, 0f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must agree");
    }

    /** The torus's values at the points of its active cells' corners (sorted keys), or at every grid point. */
    private static long[] pointKeys(DenseGrid g, boolean all) {
        int n = g.nx();
        java.util.TreeSet<Long> keys = new java.util.TreeSet<>();
        int[] active = MarchingCubes.activeCells(g, 0f);
        for (int c = 0; c < active.length / 3; c++) {
            for (int q = 0; q < 8; q++) {
                keys.add(((long) (active[3 * c] + (q >> 2 & 1)) * n + active[3 * c + 1] + (q >> 1 & 1)) * n
                        + active[3 * c + 2]
                        + (q & 1));
            }
        }
        if (all) {
            for (long k = 0; k < (long) n * n * n; k++) {
                keys.add(k);
            }
        }
        return keys.stream().mapToLong(Long::longValue).toArray();
    }

    private static float[] valuesAt(DenseGrid g, long[] keys) {
        int n = g.nx();
        float[] v = new float[keys.length];
        for (int p = 0; p < keys.length; p++) {
            v[p] = g.get((int) (keys[p] / ((long) n * n)), (int) (keys[p] / n % n), (int) (keys[p] % n));
        }
        return v;
    }

    @Test
    void pointValuesGiveTheDenseTrianglesOnTheCellsTheyComplete() {
        DenseGrid g = torus(25, 0.5, 0.22);
        TriangleMesh dense = MarchingCubes.extract(g, 0f);
        long[] every = pointKeys(g, true);
        assertThat(MarchingCubes.extractFromPoints(g.bounds(), 25, every, valuesAt(g, every), 0f))
                .isEqualTo(dense);
        // the corners of the active cells only: same triangles and positions, normals one-sided at the band's edge
        long[] band = pointKeys(g, false);
        TriangleMesh fromBand = MarchingCubes.extractFromPoints(g.bounds(), 25, band, valuesAt(g, band), 0f);
        assertThat(fromBand.positions()).isEqualTo(dense.positions());
        assertThat(fromBand.triangles()).isEqualTo(dense.triangles());
        // a missing point leaves the cells it was a corner of out: the surface opens there
        long[] holed = java.util.stream.LongStream.of(band)
                .filter(k -> k != band[band.length / 2])
                .toArray();
        TriangleMesh open = MarchingCubes.extractFromPoints(g.bounds(), 25, holed, valuesAt(g, holed), 0f);
        assertThat(MeshTopology.of(open).boundaryEdges()).isPositive();
        assertThat(open.triangleCount()).isLessThan(dense.triangleCount());

        long[] unsorted = band.clone();
        long t = unsorted[0];
        unsorted[0] = unsorted[1];
        unsorted[1] = t;
        assertThatThrownBy(() -> MarchingCubes.extractFromPoints(g.bounds(), 25, unsorted, valuesAt(g, band), 0f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not above the one before");
        float[] nan = valuesAt(g, band);
        nan[3] = Float.NaN;
        assertThatThrownBy(() -> MarchingCubes.extractFromPoints(g.bounds(), 25, band, nan, 0f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NaN");
        assertThatThrownBy(() ->
                        MarchingCubes.extractFromPoints(g.bounds(), 25, new long[] {25L * 25 * 25}, new float[1], 0f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside the 25³ lattice");
    }

    @Test
    void emptyAndFullGridsGiveEmptyMeshes() {
        DenseGrid g = sphere(8, 0.5);
        assertThat(MarchingCubes.extract(g, -10f).isEmpty()).isTrue();
        assertThat(MarchingCubes.extract(g, 10f).isEmpty()).isTrue();
        assertThat(MarchingCubes.activeCells(g, 10f)).isEmpty();
        assertThat(MarchingCubes.extractSparse(g, new int[0], 0f).isEmpty()).isTrue();
    }

    @Test
    void surfaceLeavingTheGridIsOpenOnlyAtTheBoundary() {
        DenseGrid g = DenseGrid.sample(Aabb.cube(1), 16, (x, y, z) -> x + 0.3 * y - 0.1);
        TriangleMesh m = MarchingCubes.extract(g, 0f);
        MeshTopology t = MeshTopology.of(m);
        assertThat(t.boundaryEdges()).isPositive();
        assertThat(t.overusedEdges() + t.misorientedEdges() + t.nonManifoldVertices())
                .isZero();
        assertThat(t.eulerCharacteristic()).isEqualTo(1); // a disc
    }

    @Test
    void badInputIsRejected() {
        float[] v = new float[27];
        v[13] = Float.NaN;
        DenseGrid g = new DenseGrid(Aabb.cube(1), 3, 3, 3, v);
        assertThatThrownBy(() -> MarchingCubes.extract(g, 0f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(1, 1, 1)");
        assertThatThrownBy(() -> MarchingCubes.extract(sphere(4, 0.5), Float.NaN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MarchingCubes.extractSparse(sphere(4, 0.5), new int[] {3, 0, 0}, 0f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside");
        assertThatThrownBy(() -> MarchingCubes.extractSparse(
                        Aabb.cube(1), 4, 4, 4, new int[] {0, 0, 0}, ijk -> new float[1], 0f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("returned 1 values for 8 points");
    }

    @Test
    void infiniteSamplesGiveFiniteVertices() {
        DenseGrid g = sphere(12, 0.5);
        float[] v = g.values();
        for (int i = 0; i < v.length; i++) {
            v[i] = v[i] > 0.3f ? Float.POSITIVE_INFINITY : v[i] < -0.2f ? Float.NEGATIVE_INFINITY : v[i];
        }
        TriangleMesh m = MarchingCubes.extract(new DenseGrid(g.bounds(), 12, 12, 12, v), 0f);
        assertThat(MeshTopology.of(m).isClosedManifold()).isTrue();
        for (float x : m.normals()) {
            assertThat(Float.isFinite(x)).isTrue();
        }
        assertThat(m.vertexCount()).isPositive();
    }
}
