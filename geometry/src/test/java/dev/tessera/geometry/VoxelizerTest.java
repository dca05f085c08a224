package dev.tessera.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VoxelizerTest {
    static final Aabb UNIT = Aabb.cube(1);

    static SignedDistanceFunction boxSdf(double h) {
        return SignedDistanceFunction.of((x, y, z) -> {
            double qx = Math.abs(x) - h, qy = Math.abs(y) - h, qz = Math.abs(z) - h;
            double out = Math.sqrt(sq(Math.max(qx, 0)) + sq(Math.max(qy, 0)) + sq(Math.max(qz, 0)));
            return out + Math.min(Math.max(qx, Math.max(qy, qz)), 0);
        });
    }

    static double sq(double v) {
        return v * v;
    }

    /** A box not aligned with the grid planes: n voxels per axis touched, the shell exactly. */
    @ParameterizedTest(name = "r={0}")
    @CsvSource({"8, 6", "64, 40", "96, 58"})
    void boxVoxelCountsAreExact(int r, int span) {
        TriangleMesh box = Shapes.cube(0.6);
        SparseGrid surface = Voxelizer.surface(box, UNIT, r);
        long shell = (long) span * span * span - (long) (span - 2) * (span - 2) * (span - 2);
        assertThat(surface.size()).isEqualTo(shell);
        assertThat(Voxelizer.solid(box, UNIT, r).size()).isEqualTo(span * span * span);
        assertThat(Voxelizer.solid(box, UNIT, r, boxSdf(0.6)).size()).isEqualTo(span * span * span);
        int lo = (r - span) / 2;
        for (int v = 0; v < surface.size(); v++) {
            int i = surface.i(v), j = surface.j(v), k = surface.k(v);
            boolean onShell =
                    i == lo || j == lo || k == lo || i == lo + span - 1 || j == lo + span - 1 || k == lo + span - 1;
            assertThat(onShell).isTrue();
        }
        byte[] dense = Voxelizer.occupancy(box, UNIT, r);
        int ones = 0;
        for (byte b : dense) {
            ones += b;
        }
        assertThat(ones).isEqualTo((int) shell);
        assertThat(Voxelizer.dense(surface)).isEqualTo(dense);
    }

    /** Independent check: a triangle meets a closed box iff clipping it by the box's six half-spaces leaves points. */
    static boolean clipNonEmpty(double[][] poly, double[] lo, double[] hi) {
        java.util.List<double[]> cur = new java.util.ArrayList<>(java.util.List.of(poly));
        for (int axis = 0; axis < 3; axis++) {
            for (int side = 0; side < 2; side++) {
                java.util.List<double[]> next = new java.util.ArrayList<>();
                for (int q = 0; q < cur.size(); q++) {
                    double[] a = cur.get(q), b = cur.get((q + 1) % cur.size());
                    double da = side == 0 ? a[axis] - lo[axis] : hi[axis] - a[axis];
                    double db = side == 0 ? b[axis] - lo[axis] : hi[axis] - b[axis];
                    if (da >= 0) {
                        next.add(a);
                    }
                    if ((da >= 0) != (db >= 0)) {
                        double t = da / (da - db);
                        next.add(new double[] {
                            a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), a[2] + t * (b[2] - a[2])
                        });
                    }
                }
                cur = next;
                if (cur.isEmpty()) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void triangleBoxTestAgreesWithClipping() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        int r = 7;
        double h = 2.0 / r;
        int disagreements = 0, hits = 0;
        for (int trial = 0; trial < 400; trial++) {
            float[] p = new float[9];
            double scale = rnd.nextDouble() < 0.5 ? 0.3 : 1.5;
            double[] c = {rnd.nextDouble(-1, 1), rnd.nextDouble(-1, 1), rnd.nextDouble(-1, 1)};
            for (int i = 0; i < 9; i++) {
                p[i] = (float) (c[i % 3] + scale * rnd.nextDouble(-1, 1));
            }
            TriangleMesh t = new TriangleMesh(p, new int[] {0, 1, 2});
            byte[] got = Voxelizer.dense(Voxelizer.surface(t, UNIT, r));
            double[][] poly = {{p[0], p[1], p[2]}, {p[3], p[4], p[5]}, {p[6], p[7], p[8]}};
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < r; j++) {
                    for (int k = 0; k < r; k++) {
                        double[] lo = {-1 + i * h, -1 + j * h, -1 + k * h};
                        double[] hi = {lo[0] + h, lo[1] + h, lo[2] + h};
                        boolean expect = clipNonEmpty(poly, lo, hi);
                        hits += expect ? 1 : 0;
                        disagreements += expect != (got[(i * r + j) * r + k] == 1) ? 1 : 0;
                    }
                }
            }
        }
        assertThat(hits).isGreaterThan(1000);
        assertThat(disagreements).isZero();
    }

    @Test
    void facesOnGridPlanesMarkBothSides() {
        // [-0.5, 0.5]³ on an 8³ grid over [-1, 1]³: faces lie on grid planes. Touching voxels count, so 6 voxels
        // per axis are touched and only the 2³ strictly inside stay free of the surface.
        TriangleMesh box = Shapes.cube(0.5);
        assertThat(Voxelizer.surface(box, UNIT, 8).size()).isEqualTo(216 - 8);
        assertThat(Voxelizer.solid(box, UNIT, 8).size()).isEqualTo(216);
    }

    @Test
    void sparseGridIsOrderedAndCoordinatesAreVoxels() {
        SparseGrid g = Voxelizer.surface(Shapes.icosphere(3, 0.8), UNIT, 32);
        long prev = -1;
        for (int v = 0; v < g.size(); v++) {
            long id = ((long) g.i(v) * 32 + g.j(v)) * 32 + g.k(v);
            assertThat(id).isGreaterThan(prev);
            prev = id;
            // voxel centre within a voxel diagonal of the sphere
            double h = 2.0 / 32;
            double x = -1 + (g.i(v) + 0.5) * h, y = -1 + (g.j(v) + 0.5) * h, z = -1 + (g.k(v) + 0.5) * h;
            assertThat(Math.abs(Math.sqrt(x * x + y * y + z * z) - 0.8)).isLessThan(h * Math.sqrt(3) / 2 + 0.01);
        }
    }

    @Test
    void solidSphereVolumeAndMethodsAgree() {
        TriangleMesh sphere = Shapes.icosphere(4, 0.7);
        int r = 48;
        SparseGrid flood = Voxelizer.solid(sphere, UNIT, r);
        SparseGrid byWinding = Voxelizer.solid(
                sphere, UNIT, r, SignedDistanceFunction.of((x, y, z) -> Math.sqrt(x * x + y * y + z * z) - 0.7));
        SparseGrid surface = Voxelizer.surface(sphere, UNIT, r);
        double h3 = Math.pow(2.0 / r, 3);
        double interiorVolume = (flood.size() - surface.size()) * h3;
        assertThat(interiorVolume).isLessThan(sphere.volume());
        assertThat(flood.size() * h3).isGreaterThan(sphere.volume());
        // the mesh is inscribed in the analytic sphere: centres between the two may differ, a thin shell only
        assertThat(Math.abs(byWinding.size() - flood.size())).isLessThan(surface.size() / 10);
    }

    /**
     * One question per region gives the per-voxel answer on closed meshes: a torus (its hole is outside), a hollow
     * ball (cavity outside, shell inside) and a sphere the box cuts through, where the border fill is wrong.
     */
    @Test
    void solidByRegionEqualsTheTestAtEveryVoxelOnClosedMeshes() {
        TriangleMesh torus = TestSolids.torus(0.55, 0.2, 48, 24);
        TriangleMesh hollow = MeshCheckTest.concat(
                Shapes.icosphere(3, 0.8), Shapes.icosphere(3, 0.45).flipped());
        TriangleMesh sphere = Shapes.icosphere(4, 0.7);
        Aabb cut = new Aabb(-0.5, -0.5, -0.5, 0.9, 0.9, 0.9);
        record Case(TriangleMesh mesh, Aabb box, int r) {}
        for (Case c : new Case[] {new Case(torus, UNIT, 40), new Case(hollow, UNIT, 33), new Case(sphere, cut, 30)}) {
            MeshDistance d = MeshDistance.of(c.mesh());
            int[] asked = {0};
            SparseGrid byRegion = Voxelizer.solidByRegion(c.mesh(), c.box(), c.r(), xyz -> {
                asked[0] += xyz.length / 3;
                return d.signed(xyz);
            });
            SparseGrid byVoxel = Voxelizer.solid(c.mesh(), c.box(), c.r(), d::signed);
            assertThat(byRegion.coords()).isEqualTo(byVoxel.coords());
            assertThat(byRegion.size())
                    .isGreaterThan(Voxelizer.surface(c.mesh(), c.box(), c.r()).size());
            assertThat(asked[0]).isBetween(2, 8);
        }
        // the border fill calls the cut sphere's inside outside: only its surface voxels remain
        assertThat(Voxelizer.solid(sphere, cut, 30).size())
                .isEqualTo(Voxelizer.surface(sphere, cut, 30).size());
    }

    @Test
    void holesLetTheFloodFillInButNotTheInsideTest() {
        TriangleMesh box = Shapes.cube(0.6);
        int[] t = box.triangles();
        TriangleMesh open = new TriangleMesh(box.positions(), java.util.Arrays.copyOf(t, t.length - 6)); // no z=+h face
        assertThat(Voxelizer.solid(open, UNIT, 8).size())
                .isEqualTo(Voxelizer.surface(open, UNIT, 8).size());
        assertThat(Voxelizer.solid(open, UNIT, 8, boxSdf(0.6)).size())
                .isEqualTo(6 * 6 * 6 - 16); // the missing face's 16 voxels have centres outside
    }

    @Test
    void sparseSdfAtCentresAndCorners() {
        TriangleMesh sphere = Shapes.icosphere(4, 0.6);
        ScalarField exact = (x, y, z) -> Math.sqrt(x * x + y * y + z * z) - 0.6;
        SignedDistanceFunction f = SignedDistanceFunction.of(exact);
        int r = 32;
        double h = 2.0 / r;
        SparseGrid surface = Voxelizer.surface(sphere, UNIT, r);
        SparseGrid c0 = Voxelizer.sparseSdf(sphere, UNIT, r, 0, Voxelizer.SdfAt.CENTERS, f);
        assertThat(c0.size()).isEqualTo(surface.size());
        assertThat(c0.channels()).isEqualTo(1);
        SparseGrid c2 = Voxelizer.sparseSdf(sphere, UNIT, r, 2, Voxelizer.SdfAt.CENTERS, f);
        assertThat(c2.size()).isGreaterThan(surface.size());
        for (int v = 0; v < c2.size(); v++) {
            double x = -1 + (c2.i(v) + 0.5) * h, y = -1 + (c2.j(v) + 0.5) * h, z = -1 + (c2.k(v) + 0.5) * h;
            assertThat((double) c2.value(v, 0)).isCloseTo(exact.value(x, y, z), offset(1e-6));
            assertThat(Math.abs(c2.value(v, 0))).isLessThan((float) (3 * h * Math.sqrt(3) + 0.01));
        }
        SparseGrid corners = Voxelizer.sparseSdf(sphere, UNIT, r, 1, Voxelizer.SdfAt.CORNERS, f);
        assertThat(corners.channels()).isEqualTo(8);
        for (int v = 0; v < corners.size(); v++) {
            for (int c = 0; c < 8; c++) {
                double x = -1 + (corners.i(v) + (c >> 2)) * h, y = -1 + (corners.j(v) + ((c >> 1) & 1)) * h;
                double z = -1 + (corners.k(v) + (c & 1)) * h;
                assertThat((double) corners.value(v, c)).isCloseTo(exact.value(x, y, z), offset(1e-6));
            }
        }
    }

    @Test
    void badInputIsRefusedClearly() {
        TriangleMesh box = Shapes.cube(0.5);
        for (int r : new int[] {1, 0, -4}) {
            assertThatThrownBy(() -> Voxelizer.surface(box, UNIT, r))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("resolution must be ≥ 2, got " + r);
        }
        assertThatThrownBy(() -> Voxelizer.solid(box, UNIT, 100_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resolution 100000 needs about")
                .hasMessageContaining("use a resolution ≤");
        assertThatThrownBy(() -> Voxelizer.occupancy(box, UNIT, 5000)).hasMessageContaining("do not fit");
        assertThatThrownBy(() -> Voxelizer.surface(box, new Aabb(0, 0, 0, 1, 1, 0), 8))
                .hasMessageContaining("flat");
        assertThatThrownBy(() -> Voxelizer.surface(new TriangleMesh(new float[3], new int[0]), UNIT, 8))
                .isInstanceOf(InvalidMeshException.class)
                .hasMessageContaining("no triangles");
        assertThatThrownBy(() -> Voxelizer.sparseSdf(box, UNIT, 8, -1, Voxelizer.SdfAt.CENTERS, boxSdf(0.5)))
                .hasMessageContaining("band must be ≥ 0");
        assertThatThrownBy(() -> Voxelizer.solid(box, UNIT, 8, xyz -> new float[1]))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("returned 1 values");
    }
}
