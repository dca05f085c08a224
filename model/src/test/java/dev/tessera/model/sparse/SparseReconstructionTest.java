package dev.tessera.model.sparse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.geometry.TriangleMesh;
import org.junit.jupiter.api.Test;

/** The closed surface {@link SparseReconstruction#occupancyMesh} puts through occupied voxels. */
class SparseReconstructionTest {
    /** The voxels of a 32³ grid over [-1, 1]³ whose centres lie within half a voxel of a sphere of radius rad. */
    private static boolean[] sphereShell(int r, double rad) {
        boolean[] occ = new boolean[r * r * r];
        double h = 2.0 / r;
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < r; j++) {
                for (int k = 0; k < r; k++) {
                    double x = -1 + h * (i + 0.5), y = -1 + h * (j + 0.5), z = -1 + h * (k + 0.5);
                    occ[(i * r + j) * r + k] = Math.abs(Math.sqrt(x * x + y * y + z * z) - rad) < h * 0.75;
                }
            }
        }
        return occ;
    }

    @Test
    void aShellOfVoxelsGivesOneClosedSurfaceThroughTheirCentres() {
        int r = 32;
        double rad = 0.6;
        TriangleMesh m = SparseReconstruction.occupancyMesh(sphereShell(r, rad), r);
        assertThat(m.isEmpty()).isFalse();
        double v = m.volume(), sphere = 4 / 3.0 * Math.PI * rad * rad * rad;
        // through the shell's voxel centres, the outer ones included: within a voxel of the radius
        double h = 2.0 / r;
        double lo = 4 / 3.0 * Math.PI * Math.pow(rad - h, 3), hi = 4 / 3.0 * Math.PI * Math.pow(rad + h, 3);
        System.out.printf("sphere volume %.4f, occupancy mesh %.4f (%d triangles)%n", sphere, v, m.triangleCount());
        assertThat(v).isBetween(lo, hi);
        // positive volume: outward-facing triangles; no inner wall (the enclosed voxels are filled, not a second
        // surface)
        assertThat(m.area()).isLessThan(1.3 * 4 * Math.PI * (rad + h) * (rad + h));
    }

    @Test
    void emptyAndFullGridsAreHandled() {
        assertThat(SparseReconstruction.occupancyMesh(new boolean[8 * 8 * 8], 8).isEmpty())
                .isTrue();
        boolean[] full = new boolean[8 * 8 * 8];
        java.util.Arrays.fill(full, true);
        TriangleMesh m = SparseReconstruction.occupancyMesh(full, 8);
        // a box through the outer voxels' centres: side 2 − h
        double side = 2 - 2.0 / 8;
        assertThat(m.volume()).isCloseTo(side * side * side, org.assertj.core.data.Offset.offset(0.2));
    }
}
