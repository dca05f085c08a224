package dev.tessera.model.gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tessera.model.Checkpoint;
import dev.tessera.model.Rng;
import dev.tessera.model.StateDict;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import dev.tessera.model.nn.Activation;
import dev.tessera.model.nn.Init;
import dev.tessera.model.nn.Mlp;
import dev.tessera.model.vecset.ShapeVae;
import dev.tessera.model.vecset.ShapeVaeConfig;
import java.nio.file.Path;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatentDecodersTest {
    @TempDir
    Path dir;

    @Test
    void aVecSetVaeCheckpointOpensAsAVecSetDecoderWhoseLatticeIsXSlowest() throws Exception {
        ShapeVaeConfig c = ShapeVaeConfig.tiny();
        ShapeVae vae = new ShapeVae(c, Rng.cpu(0));
        Checkpoint.save(dir.resolve("vae"), c, vae);
        LatentDecoder d = LatentDecoders.open(dir.resolve("vae"));
        assertThat(d).isInstanceOf(VecSetLatentDecoder.class);
        assertThat(d.latentShape()).containsExactly(64, 8);
        assertThat(d.reference().weightsSha256()).hasSize(64);
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            Tensor z = Rng.randn(Rng.cpu(1), 64, 8);
            int r = 5;
            float[] f = ((VecSetLatentDecoder) d).field(z, r);
            double h = 2 * VecSetLatentDecoder.BOUND / (r - 1);
            int[][] ijk = {{0, 0, 0}, {4, 1, 2}, {1, 3, 4}};
            float[] pts = new float[9];
            for (int p = 0; p < 3; p++) {
                for (int a = 0; a < 3; a++) {
                    pts[3 * p + a] = (float) (-VecSetLatentDecoder.BOUND + ijk[p][a] * h);
                }
            }
            ShapeVae same = new ShapeVae(c, Rng.cpu(0));
            same.eval();
            Tensor tokens = same.decode(z.unsqueeze(0));
            float[] direct = Tensors.toFloats(same.signedField(same.query(Tensors.fromFloats(pts, 1, 3, 3), tokens)));
            for (int p = 0; p < 3; p++) {
                int idx = (ijk[p][0] * r + ijk[p][1]) * r + ijk[p][2];
                assertThat((double) f[idx]).isCloseTo(direct[p], within(1e-5));
            }
        }
    }

    @Test
    void aFieldWithoutSurfaceIsAnEmptyShape() throws Exception {
        ShapeVaeConfig c = ShapeVaeConfig.tiny();
        for (double bias : new double[] {0.3, -0.3}) {
            ShapeVae vae = new ShapeVae(c, Rng.cpu(0));
            for (var e : StateDict.of(vae).entrySet()) {
                if (e.getKey().startsWith("geo_decoder.output_proj.")) {
                    Init.constant(e.getValue(), e.getKey().endsWith("bias") ? bias : 0);
                }
            }
            VecSetLatentDecoder d = new VecSetLatentDecoder(vae, null);
            try (StepScope s = new StepScope()) {
                assertThatThrownBy(() -> d.mesh(Rng.randn(Rng.cpu(1), 64, 8), 8))
                        .isInstanceOf(LatentDecoder.EmptyShapeException.class)
                        .hasMessageContaining(bias > 0 ? "positive (outside)" : "negative (inside)");
            }
        }
    }

    @Test
    void anUnknownVaeFamilyIsRefusedByName() throws Exception {
        Checkpoint.save(dir.resolve("mlp"), java.util.Map.of("a", 1), Mlp.timm(2, 2, 2, Activation.GELU, Rng.cpu(0)));
        assertThatThrownBy(() -> LatentDecoders.open(dir.resolve("mlp")))
                .hasMessageContaining("no decoder for VAEs of config class")
                .hasMessageContaining("ShapeVaeConfig");
    }
}
