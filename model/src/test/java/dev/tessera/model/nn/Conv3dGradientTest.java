package dev.tessera.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Conv3d}'s gradients for a batch equal the sum of its items' gradients, for output channel counts that are
 * not multiples of 16 — the case oneDNN 3.7.1's AVX-512 backward-data kernel gets wrong (see {@link Conv3d}).
 */
class Conv3dGradientTest {

    @ParameterizedTest(name = "batch {0}, {1} → {2} channels, kernel {3}, stride {4}")
    @CsvSource({
        "2, 32, 1, 3, 1",
        "2, 8, 4, 3, 1",
        "3, 16, 17, 3, 1",
        "2, 32, 24, 2, 2",
        "2, 32, 48, 3, 1",
        "4, 1, 8, 3, 1"
    })
    void batchedGradientsEqualPerItemGradients(int batch, int in, int out, int kernel, int stride) {
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(31 + out);
            Conv3d conv = new Conv3d(in, out, kernel, stride, kernel / 2 * (stride == 1 ? 1 : 0), true, g);
            Tensor x = Rng.randn(g, batch, in, 8, 7, 6).requires_grad_(true);
            Tensor y = conv.forward(x); // [B, out, D', H', W']
            Tensor r = Rng.randn(g, dev.tessera.model.Tensors.shape(y));
            y.mul(r).sum().backward();
            Tensor gx = x.grad().clone(),
                    gw = conv.weight().grad().clone(),
                    gb = conv.bias().grad().clone();
            conv.weight().grad().zero_();
            conv.bias().grad().zero_();
            for (int b = 0; b < batch; b++) {
                Tensor xi = x.detach().narrow(0, b, 1).clone().requires_grad_(true);
                conv.forward(xi).mul(r.narrow(0, b, 1)).sum().backward();
                assertThat(xi.grad().sub(gx.narrow(0, b, 1)).abs().max().item_double())
                        .as("input gradient of item %d", b)
                        .isLessThan(1e-4);
            }
            assertThat(conv.weight().grad().sub(gw).abs().max().item_double()).isLessThan(1e-3);
            assertThat(conv.bias().grad().sub(gb).abs().max().item_double()).isLessThan(1e-3);
        }
    }
}
