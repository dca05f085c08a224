package dev.tessera.model.dit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.model.Checkpoint;
import dev.tessera.model.LoadReport;
import dev.tessera.model.Rng;
import dev.tessera.model.StateDict;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** {@code testdata/conformance/hunyuan3d21-dit}: Hunyuan3D-2.1's MoE DiT, strict load, velocity within 1e-4. */
class HunYuanDiTPlainConformanceTest {
    @Test
    void reproducesTheReferenceVelocity() throws IOException {
        Path dir = Hunyuan3DDiTConformanceTest.folder("hunyuan3d21-dit");
        HunYuanDiTPlainConfig config =
                Checkpoint.JSON.readValue(dir.resolve("config.json").toFile(), HunYuanDiTPlainConfig.class);
        assertThat(config).isEqualTo(HunYuanDiTPlainConfig.tiny());
        HunYuanDiTPlain model = new HunYuanDiTPlain(config, Rng.cpu(0));
        model.eval();
        try (SafetensorsReader w = SafetensorsReader.open(dir.resolve("weights.safetensors"))) {
            LoadReport report = StateDict.load(model, w);
            assertThat(report.isClean()).as(report.toString()).isTrue();
        }
        try (SafetensorsReader io = SafetensorsReader.open(dir.resolve("io.safetensors"));
                StepScope scope = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            Tensor v = model.forward(Tensors.read(io, "x"), Tensors.read(io, "t"), Tensors.read(io, "cond"));
            double err = Hunyuan3DDiTConformanceTest.maxAbsDiff(v, Tensors.read(io, "velocity"));
            System.out.printf("hunyuan3d21-dit velocity max |Δ| = %.3g%n", err);
            assertThat(err).isLessThanOrEqualTo(1e-4);
            // training mode routes the same way (the reference's training branch computes the same sum)
            model.train(true);
            Tensor vt = model.forward(Tensors.read(io, "x"), Tensors.read(io, "t"), Tensors.read(io, "cond"));
            assertThat(Hunyuan3DDiTConformanceTest.maxAbsDiff(vt, v)).isEqualTo(0.0);
        }
    }

    @Test
    void unsupportedFlagsAreRefused() {
        var c = HunYuanDiTPlainConfig.tiny();
        var pooled = new HunYuanDiTPlainConfig(
                c.inputSize(),
                c.inChannels(),
                c.hiddenSize(),
                c.contextDim(),
                c.depth(),
                c.numHeads(),
                c.qkNorm(),
                c.qkNormType(),
                c.textLen(),
                c.qkvBias(),
                c.numMoeLayers(),
                c.numExperts(),
                c.moeTopK(),
                false,
                true,
                false);
        assertThatThrownBy(() -> new HunYuanDiTPlain(pooled, Rng.cpu(0))).hasMessageContaining("use_attention_pooling");
    }
}
