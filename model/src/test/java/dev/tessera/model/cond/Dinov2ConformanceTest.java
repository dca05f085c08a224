package dev.tessera.model.cond;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.model.LoadReport;
import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code testdata/conformance/dinov2-vit} and {@code dinov2-vit-reg}: both layouts of the same weights load strictly
 * and reproduce {@code tokens} and {@code tokens.prenorm} (and, without registers, the 70 px case whose position
 * embedding is interpolated) within 1e-4.
 */
class Dinov2ConformanceTest {
    static Path folder(String name) {
        String root = System.getProperty("tessera.testdata");
        Path base = root != null ? Path.of(root) : Path.of("../testdata");
        Path dir = base.resolve("conformance").resolve(name);
        assertThat(Files.isDirectory(dir)).as("conformance folder %s", dir).isTrue();
        return dir;
    }

    static double maxAbsDiff(Tensor a, Tensor b) {
        assertThat(Tensors.shape(a)).containsExactly(Tensors.shape(b));
        return a.sub(b).abs().max().item_double();
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource({
        "dinov2-vit, weights.safetensors",
        "dinov2-vit, weights-original.safetensors",
        "dinov2-vit-reg, weights.safetensors",
        "dinov2-vit-reg, weights-original.safetensors"
    })
    void reproducesTheReferenceTokens(String name, String weights) throws IOException {
        Path dir = folder(name);
        boolean reg = name.endsWith("-reg");
        Dinov2Model model = new Dinov2Model(reg ? Dinov2Config.tinyReg() : Dinov2Config.tiny(), Rng.cpu(0));
        model.eval();
        try (SafetensorsReader w = SafetensorsReader.open(dir.resolve(weights))) {
            assertThat(Dinov2HubLayout.isHubLayout(w)).isEqualTo(weights.contains("original"));
            LoadReport report = Dinov2HubLayout.load(model, w);
            assertThat(report.isClean()).as(report.toString()).isTrue();
        }
        try (SafetensorsReader io = SafetensorsReader.open(dir.resolve("io.safetensors"));
                StepScope scope = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            Dinov2Output out = model.forward(Tensors.read(io, "pixels"));
            double pre = maxAbsDiff(out.prenorm(), Tensors.read(io, "tokens.prenorm"));
            double tok = maxAbsDiff(out.tokens(), Tensors.read(io, "tokens"));
            System.out.printf("%s %s: prenorm max |Δ| = %.3g, tokens max |Δ| = %.3g%n", name, weights, pre, tok);
            assertThat(pre).isLessThanOrEqualTo(1e-4);
            assertThat(tok).isLessThanOrEqualTo(1e-4);
            if (io.contains("pixels.70")) {
                Dinov2Output big = model.forward(Tensors.read(io, "pixels.70"));
                double t70 = maxAbsDiff(big.tokens(), Tensors.read(io, "tokens.70"));
                System.out.printf("%s %s: 70 px tokens max |Δ| = %.3g%n", name, weights, t70);
                assertThat(t70).isLessThanOrEqualTo(1e-4);
            }
        }
    }
}
