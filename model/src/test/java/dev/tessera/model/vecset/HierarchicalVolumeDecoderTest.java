package dev.tessera.model.vecset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.geometry.Aabb;
import dev.tessera.geometry.DenseGrid;
import dev.tessera.geometry.MarchingCubes;
import dev.tessera.geometry.TriangleMesh;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Hierarchical decoding gives the dense decoder's mesh, triangle for triangle, with more than 10× fewer queries at 193³
 * on a truncated-SDF field (a torus and a thin plate).
 */
class HierarchicalVolumeDecoderTest {

    /** A counting analytic field: a torus and a thin plate, scaled by 1/τ like a truncated SDF. */
    static final class Analytic implements PointField {
        final AtomicLong queries = new AtomicLong();
        final double tau;

        Analytic(double tau) {
            this.tau = tau;
        }

        @Override
        public float[] values(float[] xyz) {
            float[] out = new float[xyz.length / 3];
            for (int p = 0; p < out.length; p++) {
                double x = xyz[3 * p], y = xyz[3 * p + 1], z = xyz[3 * p + 2];
                double q = Math.sqrt(x * x + z * z) - 0.55;
                double torus = Math.sqrt(q * q + y * y) - 0.2;
                double dx = Math.abs(x) - 0.6, dy = Math.abs(y - 0.5) - 0.012, dz = Math.abs(z) - 0.4;
                double plate = Math.min(Math.max(dx, Math.max(dy, dz)), 0)
                        + Math.sqrt(sq(Math.max(dx, 0)) + sq(Math.max(dy, 0)) + sq(Math.max(dz, 0)));
                double d = Math.min(torus, plate);
                out[p] = (float) (Math.max(-tau, Math.min(tau, d)) / tau);
            }
            queries.addAndGet(out.length);
            return out;
        }

        @Override
        public double distancePerUnit() {
            return tau;
        }

        static double sq(double a) {
            return a * a;
        }
    }

    @Test
    void equalsDenseDecodingWithFewerQueries() {
        Lattice lattice = new Lattice(Aabb.cube(1.01), 192);
        Analytic dense = new Analytic(0.05);
        DenseGrid grid = DenseVolumeDecoder.decode(dense, lattice, null);
        TriangleMesh expected = MarchingCubes.extract(grid, 0f);
        Analytic sparse = new Analytic(0.05);
        HierarchicalVolumeDecoder.Result r =
                new HierarchicalVolumeDecoder(24, 1, 0, 1.5, 0.95f).extractWithReport(sparse, lattice);
        System.out.printf(
                "hierarchical 193³: %d queries (levels %s: %s) against %d dense, %.1f× fewer%n",
                r.queries(),
                r.resolutions(),
                r.queriesPerLevel(),
                dense.queries.get(),
                dense.queries.get() / (double) r.queries());
        assertThat(r.queries()).isEqualTo(sparse.queries.get());
        assertThat(r.resolutions()).containsExactly(24, 48, 96, 192);
        assertSameMesh(r.mesh(), expected);
        assertThat(dense.queries.get()).isGreaterThan(10 * r.queries());
    }

    static void assertSameMesh(TriangleMesh actual, TriangleMesh expected) {
        assertThat(actual.triangleCount()).isEqualTo(expected.triangleCount());
        assertThat(actual.vertexCount()).isEqualTo(expected.vertexCount());
        assertThat(actual.positions()).containsExactly(expected.positions());
        assertThat(actual.triangles()).containsExactly(expected.triangles());
    }
}
