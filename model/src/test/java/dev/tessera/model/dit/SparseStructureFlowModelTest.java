package dev.tessera.model.dit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tessera.model.Checkpoint;
import dev.tessera.model.Rng;
import dev.tessera.model.StateDict;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** Patchify, position embedding, shapes, initialisation and config checks of the grid DiT. */
class SparseStructureFlowModelTest {

    @Test
    void patchifyThenUnpatchifyIsTheIdentity() {
        Tensor x = Rng.randn(Rng.cpu(1), 2, 3, 4, 6, 8);
        for (long p : new long[] {1, 2}) {
            Tensor y = Patchify3d.patchify(x, p);
            assertThat(Tensors.shape(y)).containsExactly(2, 3 * p * p * p, 4 / p, 6 / p, 8 / p);
            assertThat(Tensors.toFloats(Patchify3d.unpatchify(y, p))).containsExactly(Tensors.toFloats(x));
        }
        Tensor z = Rng.randn(Rng.cpu(2), 1, 16, 2, 2, 2);
        assertThat(Tensors.toFloats(Patchify3d.patchify(Patchify3d.unpatchify(z, 2), 2)))
                .containsExactly(Tensors.toFloats(z));
    }

    @Test
    void patchChannelsAreChannelMajorThenDepthHeightWidth() {
        // one 2³ patch of two channels: value = c·100 + i·4 + j·2 + k at offset (i, j, k)
        float[] v = new float[16];
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < 8; i++) {
                v[c * 8 + i] = c * 100 + i;
            }
        }
        float[] got = Tensors.toFloats(Patchify3d.patchify(Tensors.fromFloats(v, 1, 2, 2, 2, 2), 2));
        assertThat(got).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 100, 101, 102, 103, 104, 105, 106, 107);
    }

    @Test
    void positionEmbeddingIsPerAxisSinThenCosZeroPadded() {
        long w = 20; // 20 / 3 / 2 = 3 frequencies per axis, 18 values, 2 zeros of padding
        float[] e = Tensors.toFloats(AbsolutePositionEmbedder.grid3d(3, w));
        int token = (2 * 3 + 1) * 3 + 2; // cell (2, 1, 2)
        int[] xyz = {2, 1, 2};
        for (int a = 0; a < 3; a++) {
            for (int i = 0; i < 3; i++) {
                double f = 1.0 / Math.pow(10000, i / 3.0);
                assertThat((double) e[(int) (token * w + a * 6 + i)]).isCloseTo(Math.sin(xyz[a] * f), within(1e-6));
                assertThat((double) e[(int) (token * w + a * 6 + 3 + i)]).isCloseTo(Math.cos(xyz[a] * f), within(1e-6));
            }
        }
        assertThat(e[(int) (token * w + 18)]).isZero();
        assertThat(e[(int) (token * w + 19)]).isZero();
    }

    @Test
    void newModelPredictsZeroAndHasShapes() {
        SparseStructureFlowConfig c = SparseStructureFlowConfig.tiny();
        Generator g = Rng.cpu(5);
        SparseStructureFlowModel m = new SparseStructureFlowModel(c, g);
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            Tensor x = Rng.randn(g, 3, 8, 8, 8, 8);
            Tensor t = Tensors.fromFloats(new float[] {0, 500, 1000}, 3);
            Tensor v = m.forward(x, t, Rng.randn(g, 3, 5, 32));
            assertThat(Tensors.shape(v)).containsExactly(3, 8, 8, 8, 8);
            assertThat(v.abs().max().item_double()).isZero(); // zero-initialised out_layer (adaLN-Zero)
        }
        assertThat(Tensors.shape(m.posEmb())).containsExactly(64, 64);
        assertThat(StateDict.of(m).keySet())
                .contains(
                        "pos_emb",
                        "t_embedder.mlp.0.weight",
                        "blocks.1.self_attn.q_rms_norm.gamma",
                        "blocks.1.cross_attn.to_kv.bias",
                        "blocks.1.mlp.mlp.2.weight",
                        "blocks.1.adaLN_modulation.1.weight",
                        "out_layer.bias")
                .doesNotContain("blocks.0.cross_attn.q_rms_norm.gamma", "blocks.0.norm1.weight");
    }

    @Test
    void sharedModulationMovesAdaLnToTheModel() {
        SparseStructureFlowConfig t = SparseStructureFlowConfig.tiny();
        SparseStructureFlowConfig c = new SparseStructureFlowConfig(
                8, 8, 48, 16, 8, 1, 4, 64, 2.0, 4, "ape", false, false, true, false, true);
        SparseStructureFlowModel m = new SparseStructureFlowModel(c, Rng.cpu(1));
        assertThat(StateDict.of(m).keySet())
                .contains("adaLN_modulation.1.weight", "blocks.0.cross_attn.k_rms_norm.gamma")
                .doesNotContain("blocks.0.adaLN_modulation.1.weight", "blocks.0.self_attn.q_rms_norm.gamma");
        assertThat(Tensors.shape(StateDict.of(m).get("blocks.0.mlp.mlp.0.weight")))
                .containsExactly(96, 48);
        try (StepScope s = new StepScope()) {
            Tensor v = m.forward(
                    Rng.randn(Rng.cpu(2), 1, 8, 8, 8, 8),
                    Tensors.fromFloats(new float[] {3}, 1),
                    Rng.randn(Rng.cpu(3), 1, 2, 16));
            assertThat(Tensors.shape(v)).containsExactly(1, 8, 8, 8, 8);
        }
        assertThat(t.tokens()).isEqualTo(64);
    }

    @Test
    void presetsAndReleasedConfigImport() throws Exception {
        SparseStructureFlowConfig large = SparseStructureFlowConfig.trellisImageLarge();
        assertThat(large.tokens()).isEqualTo(4096);
        assertThat(large.numHeads()).isEqualTo(16);
        String released = """
                {"name": "SparseStructureFlowModel", "args": {"resolution": 16, "in_channels": 8, "out_channels": 8,
                 "model_channels": 1024, "cond_channels": 1024, "num_blocks": 24, "num_heads": 16, "mlp_ratio": 4,
                 "patch_size": 1, "pe_mode": "ape", "qk_rms_norm": true, "use_fp16": true}}""";
        assertThat(SparseStructureFlowConfig.fromTrellisArgs(Checkpoint.JSON.readTree(released)))
                .isEqualTo(large);
        SparseStructureFlowConfig bench = SparseStructureFlowConfig.bench();
        assertThat(bench.tokens()).isEqualTo(512);
        String json = Checkpoint.JSON.writeValueAsString(bench);
        assertThat(json).contains("\"model_channels\" : 384", "\"patch_size\" : 2");
        assertThat(Checkpoint.JSON.readValue(json, SparseStructureFlowConfig.class))
                .isEqualTo(bench);
    }

    @Test
    void badConfigsAndInputsAreRefusedClearly() {
        assertThatThrownBy(() -> new SparseStructureFlowConfig(
                        8, 8, 64, 32, 8, 2, 5, 64, 4.0, 2, "ape", false, false, false, true, false))
                .hasMessageContaining("not divisible by num_heads 5");
        assertThatThrownBy(() -> new SparseStructureFlowConfig(
                        8, 8, 64, 32, 8, 2, 4, 64, 4.0, 3, "ape", false, false, false, true, false))
                .hasMessageContaining("not divisible by patch_size 3");
        assertThatThrownBy(() -> new SparseStructureFlowConfig(
                        8, 8, 64, 32, 8, 2, 4, 64, 4.0, 2, "rope", false, false, false, true, false))
                .hasMessageContaining("rope");
        SparseStructureFlowModel m = new SparseStructureFlowModel(SparseStructureFlowConfig.tiny(), Rng.cpu(1));
        Generator g = Rng.cpu(2);
        assertThatThrownBy(() -> m.forward(Rng.randn(g, 1, 8, 16, 16, 16), Rng.randn(g, 1), Rng.randn(g, 1, 4, 32)))
                .hasMessageContaining("needs x [B, 8, 8, 8, 8]");
        assertThatThrownBy(() -> m.forward(Rng.randn(g, 1, 8, 8, 8, 8), Rng.randn(g, 1), Rng.randn(g, 1, 4, 16)))
                .hasMessageContaining("cond must be [B, M, 32]");
    }
}
