package dev.tessera.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MeshCleanupTest {
    /** The cube as a triangle soup (36 vertices, as STL stores it), each corner moved by up to {@code noise}. */
    static TriangleMesh cubeSoup(double noise, long seed) {
        TriangleMesh cube = TriangleMeshTest.unitCube();
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = new float[3 * 36];
        int[] t = new int[36];
        for (int i = 0; i < 36; i++) {
            int v = cube.corner(i / 3, i % 3);
            p[3 * i] = (float) (cube.x(v) + (noise > 0 ? r.nextDouble(-noise, noise) : 0));
            p[3 * i + 1] = (float) (cube.y(v) + (noise > 0 ? r.nextDouble(-noise, noise) : 0));
            p[3 * i + 2] = (float) (cube.z(v) + (noise > 0 ? r.nextDouble(-noise, noise) : 0));
            t[i] = i;
        }
        return new TriangleMesh(p, t);
    }

    @Test
    void exactMergeWeldsASoupIntoAClosedCube() {
        TriangleMesh m = MeshCleanup.mergeVertices(cubeSoup(0, 1), 0);
        assertThat(m.vertexCount()).isEqualTo(8);
        assertThat(MeshCheck.of(m).isWatertight()).isTrue();
        assertThat(m.volume()).isCloseTo(1, within(1e-9));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void toleranceMergeWeldsNoisyCopies(long seed) {
        TriangleMesh soup = cubeSoup(1e-5, seed);
        assertThat(MeshCleanup.mergeVertices(soup, 0).vertexCount()).isGreaterThan(8);
        TriangleMesh m = MeshCleanup.mergeVertices(soup, 1e-4);
        assertThat(m.vertexCount()).isEqualTo(8);
        assertThat(MeshCheck.of(m).isClosed()).isTrue();
        // a tolerance below the spread merges nothing
        assertThat(MeshCleanup.mergeVertices(soup, 1e-9).vertexCount()).isEqualTo(36);
    }

    @Test
    void mergeKeepsAttributesOfTheKeptVertex() {
        float[] p = {0, 0, 0, 1, 0, 0, 0, 1, 0, 1e-7f, 0, 0};
        float[] c = {1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5f, 0.5f, 0.5f};
        TriangleMesh m = MeshCleanup.mergeVertices(new TriangleMesh(p, new int[] {0, 1, 2, 3, 1, 2}, null, c), 1e-6);
        assertThat(m.vertexCount()).isEqualTo(3);
        assertThat(m.triangles()).containsExactly(0, 1, 2, 0, 1, 2);
        assertThat(m.colors()).containsExactly(1, 0, 0, 0, 1, 0, 0, 0, 1);
    }

    @Test
    void degenerateAndDuplicateFacesAreDropped() {
        TriangleMesh cube = TriangleMeshTest.unitCube();
        float[] p = java.util.Arrays.copyOf(cube.positions(), 27);
        p[24] = 0.5f; // vertex 8, the midpoint of edge 0-1
        int[] base = cube.triangles();
        int[] t = java.util.Arrays.copyOf(base, base.length + 12);
        int[] extra = {base[0], base[2], base[1], 3, 3, 5, 0, 1, 8, base[3], base[4], base[5]};
        System.arraycopy(extra, 0, t, base.length, 12);
        TriangleMesh m = new TriangleMesh(p, t);
        TriangleMesh nd = MeshCleanup.removeDegenerate(m);
        assertThat(nd.triangleCount()).isEqualTo(14);
        TriangleMesh nodup = MeshCleanup.removeDuplicateFaces(nd);
        assertThat(nodup.triangles()).containsExactly(base);
        TriangleMesh compact = MeshCleanup.removeUnreferencedVertices(nodup);
        assertThat(compact).isEqualTo(cube);
    }

    @Test
    void smallComponentsAreRemoved() {
        TriangleMesh big = TriangleMeshTest.unitCube();
        TriangleMesh speck = TriangleMeshTest.unitCube().transformed(new Normalization(-500, -500, -500, 0.01));
        TriangleMesh both = MeshCheckTest.concat(big, speck);
        assertThat(MeshCheck.of(both).components()).isEqualTo(2);
        TriangleMesh kept = MeshCleanup.removeSmallComponents(both, 0.01);
        assertThat(kept.triangleCount()).isEqualTo(12);
        assertThat(MeshCleanup.removeUnreferencedVertices(kept)).isEqualTo(big);
        assertThat(MeshCleanup.removeSmallComponents(both, 0).triangleCount()).isEqualTo(24);
    }

    @Test
    void cleanRunsTheWholeSequence() {
        TriangleMesh soup = cubeSoup(1e-7, 9);
        MeshCleanup.Result r = MeshCleanup.cleanWithReport(soup, CleanupOptions.defaults());
        assertThat(r.mesh().vertexCount()).isEqualTo(8);
        assertThat(r.mergedVertices()).isEqualTo(28);
        assertThat(MeshCheck.of(r.mesh()).isWatertight()).isTrue();
        assertThat(r.summary()).startsWith("merged 28 vertices, removed 0 degenerate");
        assertThat(MeshCleanup.clean(r.mesh(), CleanupOptions.defaults())).isEqualTo(r.mesh());
    }

    @Test
    void badArgumentsAreRejected() {
        TriangleMesh cube = TriangleMeshTest.unitCube();
        assertThatThrownBy(() -> MeshCleanup.mergeVertices(cube, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MeshCleanup.removeSmallComponents(cube, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CleanupOptions(0, -0.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
