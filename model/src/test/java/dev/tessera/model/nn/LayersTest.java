package dev.tessera.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tessera.model.Rng;
import dev.tessera.model.StateDict;
import dev.tessera.model.Tensors;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** Layers against closed forms or hand-computed references. */
class LayersTest {

    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    /** Attention of [B, H, N, D] inputs computed with doubles in plain Java. */
    static double[] manualAttention(float[] q, float[] k, float[] v, int b, int h, int n, int m, int d) {
        double[] out = new double[b * h * n * d];
        for (int bh = 0; bh < b * h; bh++) {
            for (int i = 0; i < n; i++) {
                double[] s = new double[m];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < m; j++) {
                    double dot = 0;
                    for (int c = 0; c < d; c++) {
                        dot += q[(bh * n + i) * d + c] * (double) k[(bh * m + j) * d + c];
                    }
                    s[j] = dot / Math.sqrt(d);
                    max = Math.max(max, s[j]);
                }
                double z = 0;
                for (int j = 0; j < m; j++) {
                    s[j] = Math.exp(s[j] - max);
                    z += s[j];
                }
                for (int c = 0; c < d; c++) {
                    double acc = 0;
                    for (int j = 0; j < m; j++) {
                        acc += s[j] / z * v[(bh * m + j) * d + c];
                    }
                    out[(bh * n + i) * d + c] = acc;
                }
            }
        }
        return out;
    }

    @Test
    void sdpaMatchesManualSoftmax() {
        SplittableRandom r = new SplittableRandom(1);
        int b = 2, h = 3, n = 5, m = 7, d = 4;
        float[] q = random(r, b * h * n * d), k = random(r, b * h * m * d), v = random(r, b * h * m * d);
        float[] got = Tensors.toFloats(Attention.sdpa(
                Tensors.fromFloats(q, b, h, n, d),
                Tensors.fromFloats(k, b, h, m, d),
                Tensors.fromFloats(v, b, h, m, d)));
        double[] want = manualAttention(q, k, v, b, h, n, m, d);
        for (int i = 0; i < want.length; i++) {
            assertThat((double) got[i]).isCloseTo(want[i], within(1e-5));
        }
    }

    @Test
    void selfAttentionModuleMatchesManualComputation() {
        Generator g = Rng.cpu(3);
        int b = 2, n = 6, c = 8, heads = 2, d = c / heads;
        Attention attn = Attention.self(c, heads, true, Attention.QkNorm.NONE, g);
        assertThat(StateDict.of(attn).keySet()).containsExactly("qkv.weight", "qkv.bias", "proj.weight", "proj.bias");
        float[] x = random(new SplittableRandom(4), b * n * c);
        Tensor xt = Tensors.fromFloats(x, b, n, c);
        float[] got = Tensors.toFloats(attn.forward(xt));
        // manual: qkv = x W^T + b, split [3, H, D], attention per head, merge, proj
        float[] w = Tensors.toFloats(StateDict.of(attn).get("qkv.weight"));
        float[] bias = Tensors.toFloats(StateDict.of(attn).get("qkv.bias"));
        float[] qh = new float[b * heads * n * d], kh = new float[qh.length], vh = new float[qh.length];
        for (int bi = 0; bi < b; bi++) {
            for (int i = 0; i < n; i++) {
                for (int o = 0; o < 3 * c; o++) {
                    double acc = bias[o];
                    for (int j = 0; j < c; j++) {
                        acc += w[o * c + j] * (double) x[(bi * n + i) * c + j];
                    }
                    int which = o / c, head = (o % c) / d, dd = o % d;
                    float[] dst = which == 0 ? qh : which == 1 ? kh : vh;
                    dst[((bi * heads + head) * n + i) * d + dd] = (float) acc;
                }
            }
        }
        double[] a = manualAttention(qh, kh, vh, b, heads, n, n, d);
        float[] pw = Tensors.toFloats(StateDict.of(attn).get("proj.weight"));
        float[] pb = Tensors.toFloats(StateDict.of(attn).get("proj.bias"));
        for (int bi = 0; bi < b; bi++) {
            for (int i = 0; i < n; i++) {
                for (int o = 0; o < c; o++) {
                    double acc = pb[o];
                    for (int j = 0; j < c; j++) {
                        int head = j / d, dd = j % d;
                        acc += pw[o * c + j] * a[((bi * heads + head) * n + i) * d + dd];
                    }
                    assertThat((double) got[(bi * n + i) * c + o]).isCloseTo(acc, within(1e-5));
                }
            }
        }
    }

    @Test
    void crossAttentionWithQkNormHasTimmNamesAndShapes() {
        Generator g = Rng.cpu(5);
        Attention attn = Attention.cross(16, 12, 4, false, Attention.QkNorm.LAYER_NORM, g);
        assertThat(StateDict.of(attn).keySet())
                .containsExactly(
                        "q.weight",
                        "kv.weight",
                        "q_norm.weight",
                        "q_norm.bias",
                        "k_norm.weight",
                        "k_norm.bias",
                        "proj.weight",
                        "proj.bias");
        Tensor y = attn.forward(Rng.randn(g, 2, 5, 16), Rng.randn(g, 2, 9, 12));
        assertThat(Tensors.shape(y)).containsExactly(2, 5, 16);
    }

    @Test
    void fourierFeaturesByFormula() {
        FourierEmbedder fe = new FourierEmbedder(8, true, 3, true, false);
        assertThat(fe.outDim()).isEqualTo(51);
        float[] x = random(new SplittableRandom(7), 2 * 4 * 3);
        float[] got = Tensors.toFloats(fe.forward(Tensors.fromFloats(x, 2, 4, 3)));
        for (int p = 0; p < 8; p++) {
            int base = p * 51;
            for (int i = 0; i < 3; i++) {
                assertThat(got[base + i]).isEqualTo(x[p * 3 + i]);
                for (int k = 0; k < 8; k++) {
                    float arg = x[p * 3 + i] * (float) Math.pow(2, k);
                    assertThat((double) got[base + 3 + i * 8 + k]).isCloseTo(Math.sin(arg), within(2e-6));
                    assertThat((double) got[base + 27 + i * 8 + k]).isCloseTo(Math.cos(arg), within(2e-6));
                }
            }
        }
        FourierEmbedder withPi = new FourierEmbedder(4, true, 3, false, true);
        assertThat(withPi.outDim()).isEqualTo(24);
        assertThat(withPi.frequencies()[3]).isCloseTo(8 * Math.PI, within(1e-5));
    }

    @Test
    void timestepEmbeddingByFormula() {
        float[] t = {0f, 1f, 250f, 999.5f};
        float[] got = Tensors.toFloats(TimestepEmbedder.sinusoidal(Tensors.fromFloats(t, 4), 256, 10000));
        for (int b = 0; b < 4; b++) {
            for (int i = 0; i < 128; i++) {
                double w = Math.exp(-Math.log(10000) * i / 128);
                assertThat((double) got[b * 256 + i]).isCloseTo(Math.cos(t[b] * w), within(5e-4));
                assertThat((double) got[b * 256 + 128 + i]).isCloseTo(Math.sin(t[b] * w), within(5e-4));
            }
        }
        TimestepEmbedder te = new TimestepEmbedder(32, 256, 1000, Rng.cpu(1));
        assertThat(StateDict.of(te).keySet())
                .containsExactly("mlp.0.weight", "mlp.0.bias", "mlp.2.weight", "mlp.2.bias");
        assertThat(Tensors.shape(te.forward(Tensors.fromFloats(new float[] {0.1f, 0.7f}, 2))))
                .containsExactly(2, 32);
    }

    @Test
    void rmsNormByFormula() {
        RmsNorm norm = new RmsNorm(4, 1e-6, "scale");
        Init.constant(norm.weight(), 2);
        float[] x = {1, 2, 3, 4, -1, 0, 0, 1};
        float[] got = Tensors.toFloats(norm.forward(Tensors.fromFloats(x, 2, 4)));
        for (int r = 0; r < 2; r++) {
            double ms = 0;
            for (int i = 0; i < 4; i++) {
                ms += x[r * 4 + i] * x[r * 4 + i] / 4.0;
            }
            for (int i = 0; i < 4; i++) {
                assertThat((double) got[r * 4 + i]).isCloseTo(2 * x[r * 4 + i] / Math.sqrt(ms + 1e-6), within(1e-5));
            }
        }
        assertThat(StateDict.of(norm).keySet()).containsExactly("scale");
    }

    @Test
    void mlpNamesAndSeededInitialisation() {
        Mlp a = new Mlp(4, 16, 4, Activation.GELU, "c_fc", "c_proj", Rng.cpu(9));
        Mlp b = new Mlp(4, 16, 4, Activation.GELU, "c_fc", "c_proj", Rng.cpu(9));
        assertThat(StateDict.of(a).keySet())
                .containsExactly("c_fc.weight", "c_fc.bias", "c_proj.weight", "c_proj.bias");
        assertThat(Tensors.toFloats(a.fc1().weight()))
                .containsExactly(Tensors.toFloats(b.fc1().weight()));
        float[] w = Tensors.toFloats(a.fc1().weight());
        for (float v : w) {
            assertThat(Math.abs(v)).isLessThanOrEqualTo(0.5f); // U(±1/√4)
        }
        Tensor x = Rng.randn(Rng.cpu(1), 3, 4);
        float[] h = Tensors.toFloats(torch.gelu(a.fc1().forward(x)));
        assertThat(h).hasSize(48);
        LinearImpl zero = Init.linearZero(Layers.linear(3, 3, true, Rng.cpu(1)));
        assertThat(Tensors.toFloats(zero.weight())).containsOnly(0f);
    }
}
