package dev.tessera.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.function.Function;
import org.junit.jupiter.api.Test;

class MeshMetricsTest {
    /** The inside test of an icosphere centred at the origin: a sphere through its vertices. */
    static final Function<TriangleMesh, SignedDistanceFunction> SPHERE_INSIDE = m -> {
        double r = 0;
        for (int v = 0; v < m.vertexCount(); v++) {
            r = Math.max(r, Math.sqrt(m.x(v) * m.x(v) + m.y(v) * m.y(v) + m.z(v) * m.z(v)));
        }
        double radius = r;
        return SignedDistanceFunction.of((x, y, z) -> Math.sqrt(x * x + y * y + z * z) - radius);
    };

    static final MetricsOptions FAST = MetricsOptions.defaults().withPoints(20_000);

    @Test
    void aMeshComparedWithItselfIsPerfect() {
        TriangleMesh m = Shapes.icosphere(3, 0.7);
        MeshMetrics.Result r = MeshMetrics.compare(m, m, FAST, SPHERE_INSIDE);
        assertThat(r.chamferL1()).isZero();
        assertThat(r.chamferL2()).isZero();
        assertThat(r.hausdorff()).isZero();
        assertThat(r.fscore(0.01)).isEqualTo(1);
        assertThat(r.fscore(0.02)).isEqualTo(1);
        assertThat(r.normalConsistency()).isCloseTo(1, offset(1e-6));
        assertThat(r.orientedNormalConsistency()).isCloseTo(1, offset(1e-6));
        assertThat(r.volumeIoU()).isEqualTo(1);
        assertThat(r.nearSurfaceIoU()).isEqualTo(1);
        assertThat(r.normalization().scale()).isCloseTo(1 / 0.7, offset(1e-3));
    }

    @Test
    void concentricSpheresMatchTheClosedForm() {
        // Spheres of radii 0.5 (A) and 0.6 (B): every nearest distance is the radial gap Δ = 0.1·s (s: the
        // normalisation's scale), up to the meshes' deviation from the spheres (inscribed polyhedra), tol·0.6·s.
        TriangleMesh a = Shapes.icosphere(5, 0.5), b = Shapes.icosphere(5, 0.6);
        MeshMetrics.Result r = MeshMetrics.compare(a, b, FAST, SPHERE_INSIDE);
        double s = r.normalization().scale(), gap = 0.1 * s;
        double tol = Shapes.icosphereTolerance(Shapes.icosphere(5, 1)) * 0.6 * s + 1e-6;
        assertThat(tol).isLessThan(gap / 100);
        assertThat(s).isCloseTo(2, offset(0.01));
        assertThat(r.completeness()).isCloseTo(gap, offset(tol));
        assertThat(r.accuracy()).isCloseTo(gap, offset(tol));
        assertThat(r.chamferL1()).isCloseTo(gap, offset(tol));
        assertThat(r.chamferL2()).isCloseTo(gap * gap, offset(2 * gap * tol));
        assertThat(r.hausdorff()).isCloseTo(gap, offset(tol));
        assertThat(r.fscore(0.01)).isZero();
        assertThat(r.normalConsistency()).isCloseTo(1, offset(1e-5));
        // volume IoU = (0.5 / 0.6)³ (B contains A); on N uniform points: σ ≈ 0.003
        assertThat(r.volumeIoU()).isCloseTo(Math.pow(0.5 / 0.6, 3), offset(0.012));
        // near-surface points: half near A (half of them inside A, all inside B), half near B (half inside B,
        // none inside A): IoU = (1/4) / (3/4)
        assertThat(r.nearSurfaceIoU()).isCloseTo(1.0 / 3, offset(0.015));
        // F-score at a τ above the gap: every point within τ
        MetricsOptions wide = new MetricsOptions(20_000, 1, true, java.util.List.of(gap * 1.01), 0.01, false);
        MeshMetrics.Result w = MeshMetrics.compare(a, b, wide, SPHERE_INSIDE);
        assertThat(w.fscores().get(0).fscore()).isEqualTo(1);
        assertThat(w.volumeIoU()).isNaN();
    }

    @Test
    void unnormalisedDistancesAreInTheMeshUnits() {
        TriangleMesh a = Shapes.icosphere(4, 5), b = Shapes.icosphere(4, 6);
        double tol = Shapes.icosphereTolerance(Shapes.icosphere(4, 1)) * 6;
        MeshMetrics.Result r =
                MeshMetrics.compare(a, b, FAST.withNormalize(false).withOccupancy(false), SPHERE_INSIDE);
        assertThat(r.chamferL1()).isCloseTo(1, offset(tol));
        assertThat(r.normalization()).isEqualTo(Normalization.identity());
        assertThat(r.format())
                .contains("chamfer_l1")
                .contains("fscore@0.01")
                .contains("volume_iou                   n/a");
    }

    @Test
    void flippedNormalsShowOnlyInTheOrientedConsistency() {
        // flipping reorders each triangle's corners, so the draws land elsewhere on the same faces: the nearest
        // point is now and then on a neighbouring face, a few degrees off
        TriangleMesh m = Shapes.icosphere(4, 1);
        MeshMetrics.Result r = MeshMetrics.compare(m, m.flipped(), FAST.withOccupancy(false), SPHERE_INSIDE);
        assertThat(r.normalConsistency()).isCloseTo(1, offset(1e-3));
        assertThat(r.orientedNormalConsistency()).isCloseTo(-1, offset(1e-3));
    }

    @Test
    void badInputIsRefusedClearly() {
        TriangleMesh m = Shapes.icosphere(1, 1);
        TriangleMesh flat = new TriangleMesh(new float[] {0, 0, 0, 1, 0, 0, 2, 0, 0}, new int[] {0, 1, 2});
        assertThatThrownBy(() -> MeshMetrics.compare(m, flat, FAST, SPHERE_INSIDE))
                .isInstanceOf(InvalidMeshException.class)
                .hasMessageContaining("mesh B (candidate)")
                .hasMessageContaining("zero or non-finite total area");
        TriangleMesh empty = new TriangleMesh(new float[3], new int[0]);
        assertThatThrownBy(() -> MeshMetrics.compare(empty, m, FAST, SPHERE_INSIDE))
                .hasMessageContaining("mesh A (reference) has no triangles");
        TriangleMesh point = new TriangleMesh(new float[9], new int[] {0, 1, 2});
        assertThatThrownBy(() -> MeshMetrics.compare(point, m, FAST, SPHERE_INSIDE))
                .hasMessageContaining("cannot be normalised");
        assertThatThrownBy(() -> FAST.withPoints(0)).hasMessageContaining("point count must be ≥ 1, got 0");
        assertThatThrownBy(() -> FAST.withPoints(-10)).hasMessageContaining("got -10");
        assertThatThrownBy(() -> new MetricsOptions(10, 0, true, java.util.List.of(-0.1), 0.01, true))
                .hasMessageContaining("thresholds must be finite and > 0");
    }
}
