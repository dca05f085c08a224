package dev.tessera.model.dit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.model.Checkpoint;
import dev.tessera.model.LoadReport;
import dev.tessera.model.Rng;
import dev.tessera.model.StateDict;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** {@code testdata/conformance/hunyuan3d2-dit}: strict load of the reference's weights, velocity within 1e-4. */
class Hunyuan3DDiTConformanceTest {
    static Path folder(String name) {
        String root = System.getProperty("tessera.testdata");
        Path base = root != null ? Path.of(root) : Path.of("../testdata");
        Path dir = base.resolve("conformance").resolve(name);
        assertThat(Files.isDirectory(dir)).as("conformance folder %s", dir).isTrue();
        return dir;
    }

    static double maxAbsDiff(Tensor a, Tensor b) {
        assertThat(Tensors.shape(a)).containsExactly(Tensors.shape(b));
        float[] x = Tensors.toFloats(a);
        float[] y = Tensors.toFloats(b);
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }

    @Test
    void reproducesTheReferenceVelocity() throws IOException {
        Path dir = folder("hunyuan3d2-dit");
        Hunyuan3DDiTConfig config =
                Checkpoint.JSON.readValue(dir.resolve("config.json").toFile(), Hunyuan3DDiTConfig.class);
        assertThat(config).isEqualTo(Hunyuan3DDiTConfig.tiny());
        Hunyuan3DDiT model = new Hunyuan3DDiT(config, Rng.cpu(0));
        model.eval();
        try (SafetensorsReader w = SafetensorsReader.open(dir.resolve("weights.safetensors"))) {
            LoadReport report = StateDict.load(model, w);
            assertThat(report.isClean()).as(report.toString()).isTrue();
            assertThat(report.loaded()).isEqualTo(w.names().size());
        }
        try (SafetensorsReader io = SafetensorsReader.open(dir.resolve("io.safetensors"));
                StepScope scope = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            Tensor v = model.forward(Tensors.read(io, "x"), Tensors.read(io, "t"), Tensors.read(io, "cond"));
            double err = maxAbsDiff(v, Tensors.read(io, "velocity"));
            System.out.printf("hunyuan3d2-dit velocity max |Δ| = %.3g%n", err);
            assertThat(err).isLessThanOrEqualTo(1e-4);
        }
    }
}
