package dev.tessera.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tessera.geometry.io.MeshIO;
import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Watertight remeshing of the real meshes of {@code testdata/meshes}, normalised to {@code [-1, 1]³}. */
class WatertightMeshesTest {
    private static final int R = 64;

    /** {@code n} points uniformly distributed on the mesh's surface (area-weighted triangles, uniform barycentrics). */
    static float[] surfacePoints(TriangleMesh m, int n, long seed) {
        double[] area = m.faceAreas();
        double[] cdf = new double[area.length];
        double total = 0;
        for (int f = 0; f < area.length; f++) {
            total += area[f];
            cdf[f] = total;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] xyz = new float[3 * n];
        for (int p = 0; p < n; p++) {
            int f = java.util.Arrays.binarySearch(cdf, rnd.nextDouble() * total);
            f = Math.min(area.length - 1, f < 0 ? -f - 1 : f);
            double u = rnd.nextDouble(), v = rnd.nextDouble();
            if (u + v > 1) {
                u = 1 - u;
                v = 1 - v;
            }
            int a = m.corner(f, 0), b = m.corner(f, 1), c = m.corner(f, 2);
            xyz[3 * p] = (float) (m.x(a) + u * (m.x(b) - m.x(a)) + v * (m.x(c) - m.x(a)));
            xyz[3 * p + 1] = (float) (m.y(a) + u * (m.y(b) - m.y(a)) + v * (m.y(c) - m.y(a)));
            xyz[3 * p + 2] = (float) (m.z(a) + u * (m.z(b) - m.z(a)) + v * (m.z(c) - m.z(a)));
        }
        return xyz;
    }

    private static double mean(float[] d) {
        double s = 0;
        for (float x : d) {
            s += x;
        }
        return s / d.length;
    }

    /** Mean distance from {@code n} surface samples of {@code a} to the mesh of {@code toB} (exact distances). */
    static double oneWay(TriangleMesh a, MeshDistance toB, long seed) {
        return mean(toB.unsigned(surfacePoints(a, 10_000, seed)));
    }

    /**
     * Every real mesh (not the point cloud b9.ply): one distance grid at R = 64 over {@code remesh}'s box gives the
     * offset shell and the shrunk one, exactly as {@code remesh} computes them.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "anchor.off", "bunny00.off", "cactus.off", "cow.off", "elk.off", "fandisk.off", "handle.off",
                "helmet.off", "holes.off", "knot1.off", "mushroom.off", "pig.stl", "rotor.off", "sphere.stl",
                "triceratops.off"
            })
    void everyRealMeshBecomesClosedOutwardAndClose(String name) throws IOException {
        TriangleMesh input = MeshIO.read(TestMeshes.mesh(name)).normalized(1);
        WatertightOptions options = WatertightOptions.DEFAULT.withResolution(R);
        Aabb box = Watertight.box(input.bounds(), options);
        double eps = box.sizeX() / R;
        MeshDistance toInput = MeshDistance.of(input);
        DenseGrid udf = toInput.unsignedGrid(box, R);
        TriangleMesh offset = Watertight.fromUnsignedGrid(udf, eps, false);
        TriangleMesh shrunk = Watertight.fromUnsignedGrid(udf, eps, true);
        for (TriangleMesh m : new TriangleMesh[] {offset, shrunk}) {
            MeshCheck check = MeshCheck.of(m);
            assertThat(check.isWatertight()).as("%s %s", name, check).isTrue();
            assertThat(check.degenerateFaces()).as(name).isZero();
            assertThat(m.volume()).as(name).isPositive();
        }
        // the offset surface lies ε outside the input
        assertThat(oneWay(offset, toInput, 1)).as(name).isCloseTo(eps, within(0.1 * eps));
        // shrunk back, it sits on the input: symmetric Chamfer distance (mean of both ways) below 2/R
        double chamfer = 0.5 * (oneWay(shrunk, toInput, 2) + oneWay(input, MeshDistance.of(shrunk), 3));
        assertThat(chamfer).as(name).isLessThan(2.0 / R);
    }

    @ParameterizedTest
    @ValueSource(strings = {"holes.off", "knot1.off", "fandisk.off"})
    void remeshEndToEnd(String name) throws IOException {
        TriangleMesh input = MeshIO.read(TestMeshes.mesh(name));
        TriangleMesh closed = Watertight.remesh(input, WatertightOptions.DEFAULT.withResolution(48));
        assertThat(MeshCheck.of(closed).isWatertight()).isTrue();
        assertThat(closed.volume()).isPositive();
        // the box keeps the margin: the shell stays inside it, around the input's bounds grown by about ε
        Aabb in = input.bounds(), out = closed.bounds();
        double eps =
                Watertight.box(in, WatertightOptions.DEFAULT.withResolution(48)).sizeX() / 48;
        assertThat(out.minX()).isBetween(in.minX() - 1.2 * eps, in.minX());
        assertThat(out.maxZ()).isBetween(in.maxZ(), in.maxZ() + 1.2 * eps);
    }

    @Test
    void remeshRejectsPointCloudsAndPoints() {
        TriangleMesh cloud = new TriangleMesh(new float[] {0, 0, 0, 1, 0, 0}, new int[0]);
        assertThatThrownBy(() -> Watertight.remesh(cloud, WatertightOptions.DEFAULT))
                .isInstanceOf(InvalidMeshException.class)
                .hasMessageContaining("point cloud");
        TriangleMesh point = new TriangleMesh(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, new int[] {0, 1, 2});
        assertThatThrownBy(() -> Watertight.remesh(point, WatertightOptions.DEFAULT))
                .isInstanceOf(InvalidMeshException.class)
                .hasMessageContaining("no extent");
    }

    /** The sign check, on the shrunk shell at R = 96 (the offset shell's ε-layer alone is ~1 % of the box). */
    @Test
    void holeyBunnyKeepsTheWindingNumberSign() throws IOException {
        TriangleMesh raw = MeshIO.read(TestMeshes.mesh("bunny00.off")).normalized(0.9);
        TriangleMesh closed = Watertight.remesh(
                raw, WatertightOptions.DEFAULT.withResolution(96).withShrink(true));
        SplittableRandom rnd = new SplittableRandom(7);
        float[] q = new float[3 * 100_000];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) rnd.nextDouble(-1, 1);
        }
        float[] a = MeshDistance.of(raw).signed(q), b = MeshDistance.of(closed).signed(q);
        int agree = 0;
        for (int i = 0; i < a.length; i++) {
            agree += (a[i] < 0) == (b[i] < 0) ? 1 : 0;
        }
        assertThat(agree).isGreaterThanOrEqualTo(99_000);
    }
}
