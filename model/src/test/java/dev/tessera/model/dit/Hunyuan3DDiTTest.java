package dev.tessera.model.dit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tessera.model.Checkpoint;
import dev.tessera.model.Rng;
import dev.tessera.model.StateDict;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import java.util.List;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class Hunyuan3DDiTTest {
    @Test
    void keysFollowTheReference() {
        var keys = StateDict.of(new Hunyuan3DDiT(Hunyuan3DDiTConfig.tiny(), Rng.cpu(0)))
                .keySet();
        assertThat(keys)
                .contains(
                        "latent_in.weight",
                        "time_in.in_layer.weight",
                        "time_in.out_layer.bias",
                        "cond_in.weight",
                        "double_blocks.1.img_mod.lin.weight",
                        "double_blocks.0.img_attn.norm.query_norm.scale",
                        "double_blocks.0.txt_attn.norm.key_norm.scale",
                        "double_blocks.0.txt_mlp.2.bias",
                        "single_blocks.1.linear1.weight",
                        "single_blocks.0.modulation.lin.bias",
                        "final_layer.adaLN_modulation.1.weight",
                        "final_layer.linear.bias")
                .noneMatch(k -> k.startsWith("guidance_in"));
        assertThat(StateDict.of(new Hunyuan3DDiT(Hunyuan3DDiTConfig.tiny().withGuidanceEmbed(true), Rng.cpu(0)))
                        .keySet())
                .contains("guidance_in.in_layer.weight", "guidance_in.out_layer.bias");
    }

    @Test
    void timestepEmbeddingUsesTimeFactorAsMaxPeriodAndScalesTByAThousand() {
        try (StepScope s = new StepScope()) {
            Tensor e = Hunyuan3DDiT.timestepEmbedding(Tensors.fromFloats(new float[] {0.25f}, 1), 256, 1000);
            float[] v = Tensors.toFloats(e);
            assertThat(v).hasSize(256);
            double w5 = Math.pow(1000, -5.0 / 128); // not 10000^(-5/128)
            assertThat(v[5]).isCloseTo((float) Math.cos(250 * w5), within(2e-4f)); // cosines first
            assertThat(v[128 + 5]).isCloseTo((float) Math.sin(250 * w5), within(2e-4f));
        }
    }

    @Test
    void forwardKeepsTheLatentShapeAndIsDeterministicPerSeed() {
        Hunyuan3DDiT a = new Hunyuan3DDiT(Hunyuan3DDiTConfig.tiny(), Rng.cpu(7));
        Hunyuan3DDiT b = new Hunyuan3DDiT(Hunyuan3DDiTConfig.tiny(), Rng.cpu(7));
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(1);
            Tensor x = Rng.randn(g, 2, 12, 8);
            Tensor t = Rng.rand(g, 2);
            Tensor c = Rng.randn(g, 2, 5, 32);
            Tensor va = a.forward(x, t, c);
            assertThat(Tensors.shape(va)).containsExactly(2, 12, 8);
            assertThat(Tensors.toFloats(va)).containsExactly(Tensors.toFloats(b.forward(x, t, c)));
        }
    }

    @Test
    void latentTokensAreAnUnorderedSet() {
        Hunyuan3DDiT m = new Hunyuan3DDiT(Hunyuan3DDiTConfig.tiny(), Rng.cpu(2));
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(3);
            Tensor x = Rng.randn(g, 1, 6, 8);
            Tensor t = Rng.rand(g, 1);
            Tensor c = Rng.randn(g, 1, 4, 32);
            Tensor perm = Tensors.fromLongs(new long[] {5, 0, 3, 1, 4, 2}, 6);
            Tensor permuted = m.forward(x.index_select(1, perm), t, c);
            Tensor expected = m.forward(x, t, c).index_select(1, perm);
            assertThat(permuted.sub(expected).abs().max().item_double()).isLessThan(1e-5);
        }
    }

    @Test
    void badConfigsAndInputsFailClearly() {
        Hunyuan3DDiTConfig odd = new Hunyuan3DDiTConfig(8, 32, 60, 4.0, 7, 1, 1, List.of(8), 10000, true, 1000, false);
        assertThatThrownBy(() -> new Hunyuan3DDiT(odd, Rng.cpu(0)))
                .hasMessageContaining("hidden_size 60 must be divisible by num_heads 7");
        Hunyuan3DDiTConfig axes = new Hunyuan3DDiTConfig(8, 32, 64, 4.0, 4, 1, 1, List.of(8), 10000, true, 1000, false);
        assertThatThrownBy(() -> new Hunyuan3DDiT(axes, Rng.cpu(0))).hasMessageContaining("axes_dim");
        Hunyuan3DDiT m = new Hunyuan3DDiT(Hunyuan3DDiTConfig.tiny(), Rng.cpu(0));
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(1);
            assertThatThrownBy(() -> m.forward(Rng.randn(g, 2, 4, 9), Rng.rand(g, 2), Rng.randn(g, 2, 3, 32)))
                    .hasMessageContaining("[B, N, 8]");
            assertThatThrownBy(() -> m.forward(Rng.randn(g, 2, 4, 8), Rng.rand(g, 2), Rng.randn(g, 2, 3, 16)))
                    .hasMessageContaining("condition");
            Hunyuan3DDiT fast = new Hunyuan3DDiT(Hunyuan3DDiTConfig.tiny().withGuidanceEmbed(true), Rng.cpu(0));
            assertThatThrownBy(() -> fast.forward(Rng.randn(g, 2, 4, 8), Rng.rand(g, 2), Rng.randn(g, 2, 3, 32)))
                    .hasMessageContaining("guidance");
        }
    }

    @Test
    void configRoundTripsThroughJsonWithTheReferenceNames() throws Exception {
        String json = Checkpoint.JSON.writeValueAsString(Hunyuan3DDiTConfig.hunyuan3d2());
        assertThat(json).contains("\"context_in_dim\" : 1536", "\"depth_single_blocks\" : 32", "\"guidance_embed\"");
        assertThat(Checkpoint.JSON.readValue(json, Hunyuan3DDiTConfig.class))
                .isEqualTo(Hunyuan3DDiTConfig.hunyuan3d2());
    }

    @Test
    void releasedSizeHasTheExpectedParameterCount() {
        // counted, not built: 1.1 B parameters would take 4.4 GB
        Hunyuan3DDiTConfig c = Hunyuan3DDiTConfig.hunyuan3d2();
        long h = c.hiddenSize(), m = c.mlpHidden(), d = c.headDim();
        long lin = 0;
        lin += c.inChannels() * h + h; // latent_in
        lin += 256 * h + h + h * h + h; // time_in
        lin += (long) c.contextInDim() * h + h; // cond_in
        long dbl = 2 * ((h * 6 * h + 6 * h) + (h * 3 * h + 3 * h) + 2 * d + (h * h + h) + (h * m + m) + (m * h + h));
        long sgl = (h * (3 * h + m) + 3 * h + m) + ((h + m) * h + h) + 2 * d + (h * 3 * h + 3 * h);
        long fin = (h * c.inChannels() + c.inChannels()) + (h * 2 * h + 2 * h);
        long total = lin + c.depth() * dbl + c.depthSingleBlocks() * sgl + fin;
        assertThat(total).isBetween(1_000_000_000L, 1_300_000_000L);
        // and the same formula holds for the tiny model we can build
        Hunyuan3DDiTConfig t = Hunyuan3DDiTConfig.tiny();
        long count = StateDict.of(new Hunyuan3DDiT(t, Rng.cpu(0))).values().stream()
                .mapToLong(Tensor::numel)
                .sum();
        long th = t.hiddenSize(), tm = t.mlpHidden(), td = t.headDim();
        long tdbl = 2
                * ((th * 6 * th + 6 * th)
                        + (th * 3 * th + 3 * th)
                        + 2 * td
                        + (th * th + th)
                        + (th * tm + tm)
                        + (tm * th + th));
        long tsgl = (th * (3 * th + tm) + 3 * th + tm) + ((th + tm) * th + th) + 2 * td + (th * 3 * th + 3 * th);
        long tlin = t.inChannels() * th + th + 256 * th + th + th * th + th + (long) t.contextInDim() * th + th;
        long tfin = th * t.inChannels() + t.inChannels() + th * 2 * th + 2 * th;
        assertThat(count).isEqualTo(tlin + t.depth() * tdbl + t.depthSingleBlocks() * tsgl + tfin);
    }
}
