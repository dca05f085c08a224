package dev.tessera.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuerySamplerTest {
    static final double R = 0.5;
    static final SignedDistanceFunction SPHERE =
            SignedDistanceFunction.of((x, y, z) -> Math.sqrt(x * x + y * y + z * z) - R);
    static final TriangleMesh MESH = Shapes.icosphere(5, R);

    static QuerySampler.Options options(int near, int sharp, int uniform) {
        return QuerySampler.Options.defaults().withCounts(near, sharp, uniform);
    }

    @Test
    void nearSurfaceNoiseHasTheAskedSigmas() {
        QuerySamples q = QuerySampler.sample(MESH, options(30_000, 0, 0), SPHERE, 1);
        QuerySamples.Set s = q.nearSurface();
        assertThat(s.size()).isEqualTo(30_000);
        assertThat(q.nearSharp().size()).isZero();
        assertThat(q.uniform().size()).isZero();
        double[] sigmas = {0.001, 0.005, 0.01};
        for (int part = 0; part < 3; part++) {
            double sum = 0, sum2 = 0;
            boolean wrongSigma = false;
            for (int i = part * 10_000; i < (part + 1) * 10_000; i++) {
                wrongSigma |= s.sigma()[i] != (float) sigmas[part];
                sum += s.sdf()[i];
                sum2 += s.sdf()[i] * s.sdf()[i];
            }
            assertThat(wrongSigma).isFalse();
            double mean = sum / 10_000, sd = Math.sqrt(sum2 / 10_000 - mean * mean);
            // the radial part of isotropic noise is N(0, σ²); the inscribed mesh shifts it by < 1e-4 inwards
            assertThat(sd).isCloseTo(sigmas[part], offset(0.05 * sigmas[part] + 1e-4));
        }
        for (int i = 0; i < s.size(); i++) {
            if ((s.occupancy()[i] == 1) != (s.sdf()[i] < 0)) {
                throw new AssertionError("occupancy disagrees with the sign at " + i);
            }
        }
    }

    @Test
    void uniformPointsFillTheBox() {
        QuerySamples q = QuerySampler.sample(MESH, options(0, 0, 200_000), SPHERE, 2);
        float[] p = q.uniform().points();
        float lo = 0, hi = 0;
        for (float v : p) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        assertThat(lo).isBetween(-1.05f, -1.04f);
        assertThat(hi).isBetween(1.04f, 1.05f);
        double expected = 4.0 / 3 * Math.PI * R * R * R / Math.pow(2.1, 3);
        assertThat(q.uniform().insideFraction()).isCloseTo(expected, offset(0.002));
        float sigmaMax = 0;
        for (float v : q.uniform().sigma()) {
            sigmaMax = Math.max(sigmaMax, Math.abs(v));
        }
        assertThat(sigmaMax).isZero();
    }

    @Test
    void truncationClampsButKeepsTheSign() {
        QuerySamples q = QuerySampler.sample(MESH, options(0, 0, 20_000).withTruncation(0.1), SPHERE, 3);
        float[] d = q.uniform().sdf();
        boolean clampedSome = false;
        float largest = 0;
        for (int i = 0; i < d.length; i++) {
            largest = Math.max(largest, Math.abs(d[i]));
            clampedSome |= d[i] == 0.1f || d[i] == -0.1f;
        }
        assertThat(largest).isLessThanOrEqualTo(0.1f);
        assertThat(clampedSome).isTrue();
        assertThat(q.truncation()).isEqualTo(0.1);
        QuerySamples full = QuerySampler.sample(MESH, options(0, 0, 20_000), SPHERE, 3);
        assertThat(Arrays.equals(full.uniform().occupancy(), q.uniform().occupancy()))
                .isTrue();
    }

    @Test
    void nearSharpPointsHugTheEdges() {
        TriangleMesh box = Shapes.cube(0.5);
        SignedDistanceFunction boxSdf = VoxelizerTest.boxSdf(0.5);
        QuerySamples q = QuerySampler.sample(box, options(0, 9_000, 0), boxSdf, 4);
        float[] p = q.nearSharp().points();
        double worst = 0;
        for (int i = 0; i < q.nearSharp().size(); i++) {
            // distance to the nearest cube edge: the two largest |coordinate| gaps to 0.5
            double[] g = {
                Math.abs(Math.abs(p[3 * i]) - 0.5),
                Math.abs(Math.abs(p[3 * i + 1]) - 0.5),
                Math.abs(Math.abs(p[3 * i + 2]) - 0.5)
            };
            Arrays.sort(g);
            worst = Math.max(worst, Math.hypot(g[0], g[1]) / q.nearSharp().sigma()[i]);
        }
        assertThat(worst).as("distance to the edges in σ").isLessThan(6);
        // a sphere has no sharp edge: fall back to the surface, or leave the group empty
        QuerySamples fallback = QuerySampler.sample(MESH, options(0, 1000, 0), SPHERE, 5);
        assertThat(fallback.nearSharp().size()).isEqualTo(1000);
        QuerySampler.Options o = options(0, 1000, 10);
        QuerySampler.Options noFallback =
                new QuerySampler.Options(0, o.sigmas(), 1000, o.sharpSigmas(), 10, 1.05, o.noiseClip(), 0, 15, false);
        assertThat(QuerySampler.sample(MESH, noFallback, SPHERE, 5).nearSharp().size())
                .isZero();
    }

    @Test
    void hunyuanPresetClipsTheNoise() {
        QuerySampler.Options h = QuerySampler.Options.hunyuan3d21();
        assertThat(h.nearSurface()).isEqualTo(249_856);
        assertThat(h.sharpSigmas()).hasSize(6);
        QuerySamples q = QuerySampler.sample(MESH, h.withCounts(20_000, 0, 0), SPHERE, 6);
        float[] p = q.nearSurface().points();
        double worst = 0;
        for (int i = 0; i < q.nearSurface().size(); i++) {
            double r = Math.sqrt(p[3 * i] * p[3 * i] + p[3 * i + 1] * p[3 * i + 1] + p[3 * i + 2] * p[3 * i + 2]);
            worst = Math.max(worst, Math.abs(r - R));
        }
        assertThat(worst).isLessThan(0.25 * Math.sqrt(3) + 1e-3).isGreaterThan(0.1);
    }

    @Test
    void sameSeedSameSamples() {
        QuerySamples a = QuerySampler.sample(MESH, options(5000, 100, 5000), SPHERE, 9);
        QuerySamples b = QuerySampler.sample(MESH, options(5000, 100, 5000), SPHERE, 9);
        assertThat(Arrays.equals(a.nearSurface().points(), b.nearSurface().points()))
                .isTrue();
        assertThat(Arrays.equals(a.uniform().sdf(), b.uniform().sdf())).isTrue();
        QuerySamples c = QuerySampler.sample(MESH, options(5000, 100, 5000), SPHERE, 10);
        assertThat(Arrays.equals(a.nearSurface().points(), c.nearSurface().points()))
                .isFalse();
    }

    @Test
    void badInputIsRefusedClearly() {
        assertThatThrownBy(() -> options(-1, 0, 0)).hasMessageContaining("point counts must be ≥ 0");
        assertThatThrownBy(() -> options(0, 0, 0)).hasMessageContaining("at least one point");
        assertThatThrownBy(() -> new QuerySampler.Options(
                        10, List.of(Double.NaN), 0, List.of(), 0, 1.05, Double.POSITIVE_INFINITY, 0, 15, true))
                .hasMessageContaining("sigmas must be finite");
        assertThatThrownBy(() -> new QuerySampler.Options(
                        10, List.of(), 0, List.of(), 0, 1.05, Double.POSITIVE_INFINITY, 0, 15, true))
                .hasMessageContaining("sigmas is empty");
        assertThatThrownBy(() -> QuerySampler.Options.defaults().withTruncation(-1))
                .hasMessageContaining("truncation must be ≥ 0");
        assertThatThrownBy(() -> QuerySampler.sample(MESH, options(10, 0, 0), xyz -> new float[xyz.length / 3 - 1], 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("returned 9 values for 10 points");
        assertThatThrownBy(() -> QuerySampler.sample(
                        MESH,
                        options(10, 0, 0),
                        xyz -> {
                            float[] d = new float[xyz.length / 3];
                            d[4] = Float.NaN;
                            return d;
                        },
                        1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("NaN at point 4");
    }
}
