package dev.tessera.model.sparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tessera.model.Checkpoint;
import dev.tessera.model.DiagonalGaussian;
import dev.tessera.model.Rng;
import dev.tessera.model.StateDict;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import java.util.List;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** Shapes, names, losses, posterior and config checks of the sparse-structure VAE. */
class SparseStructureVaeTest {

    @Test
    void tinyShapesAndTrellisNames() {
        SparseStructureVaeConfig c = SparseStructureVaeConfig.tiny();
        SparseStructureVae vae = new SparseStructureVae(c, Rng.cpu(1));
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            Tensor occ = Rng.rand(Rng.cpu(2), 2, 1, 16, 16, 16)
                    .lt(new org.bytedeco.pytorch.Scalar(0.2))
                    .to(torch.ScalarType.Float);
            DiagonalGaussian post = vae.encoder().forward(occ);
            assertThat(Tensors.shape(post.mean())).containsExactly(2, 8, 4, 4, 4);
            assertThat(Tensors.shape(vae.decoder().forward(post.mean()))).containsExactly(2, 1, 16, 16, 16);
            SparseStructureVae.Losses l = vae.losses(occ, Rng.cpu(3));
            assertThat(l.loss().item_double())
                    .isCloseTo(l.occupancy().item_double() + 1e-3 * l.kl().item_double(), within(1e-6));
        }
        assertThat(StateDict.of(vae.encoder()).keySet())
                .contains(
                        "input_layer.weight",
                        "blocks.0.norm1.weight",
                        "blocks.1.conv.weight",
                        "middle_block.0.conv2.bias",
                        "out_layer.0.bias",
                        "out_layer.2.weight");
        assertThat(StateDict.of(vae.decoder()).keySet())
                .contains("blocks.1.conv.weight", "out_layer.2.weight")
                .doesNotContain("blocks.0.skip_connection.weight");
        assertThat(Tensors.shape(StateDict.of(vae.decoder()).get("blocks.1.conv.weight")))
                .containsExactly(16 * 8, 32, 3, 3, 3);
        // conv2 starts at zero: every residual block is the identity at initialisation
        assertThat(StateDict.of(vae.encoder())
                        .get("blocks.0.conv2.weight")
                        .abs()
                        .max()
                        .item_double())
                .isZero();
    }

    @Test
    void diceAndKlFollowTrellisFormulas() {
        Tensor logits = Tensors.fromFloats(new float[] {2, -1, 0.5f, -3}, 1, 1, 1, 2, 2);
        Tensor target = Tensors.fromFloats(new float[] {1, 0, 1, 1}, 1, 1, 1, 2, 2);
        double[] p = {sig(2), sig(-1), sig(0.5), sig(-3)};
        double inter = p[0] + p[2] + p[3];
        double dice = 1 - (2 * inter + 1) / (p[0] + p[1] + p[2] + p[3] + 3 + 1);
        assertThat(SparseStructureVae.occupancyLoss("dice", logits, target).item_double())
                .isCloseTo(dice, within(1e-6));
        double bce = 0;
        float[] t = {1, 0, 1, 1};
        for (int i = 0; i < 4; i++) {
            bce -= (t[i] * Math.log(p[i]) + (1 - t[i]) * Math.log(1 - p[i])) / 4;
        }
        assertThat(SparseStructureVae.occupancyLoss("bce", logits, target).item_double())
                .isCloseTo(bce, within(1e-6));
        assertThat(SparseStructureVae.occupancyLoss("bce_dice", logits, target).item_double())
                .isCloseTo(bce + dice, within(1e-6));
        DiagonalGaussian g = new DiagonalGaussian(
                Tensors.fromFloats(new float[] {1, 0}, 2), Tensors.fromFloats(new float[] {0, (float) Math.log(4)}, 2));
        // ½ mean(μ² + σ² − log σ² − 1) = ½ · ((1 + 1 − 0 − 1) + (0 + 4 − log 4 − 1)) / 2
        assertThat(g.klMean().item_double()).isCloseTo(0.5 * (1 + 3 - Math.log(4)) / 2, within(1e-6));
        assertThat(SparseStructureVae.iou(logits, target)).isCloseTo(2.0 / 3.0, within(1e-9));
    }

    @Test
    void posteriorSamplesAreSeededAndSpreadByStd() {
        Tensor mean = torch.zeros(4000);
        Tensor logvar = torch.full(new long[] {4000}, new org.bytedeco.pytorch.Scalar(Math.log(9)));
        DiagonalGaussian g = new DiagonalGaussian(mean, logvar);
        float[] a = Tensors.toFloats(g.sample(Rng.cpu(7)));
        assertThat(a).containsExactly(Tensors.toFloats(g.sample(Rng.cpu(7))));
        double ss = 0;
        for (float v : a) {
            ss += v * v;
        }
        assertThat(Math.sqrt(ss / a.length)).isCloseTo(3.0, within(0.15));
        Tensor moments = Rng.randn(Rng.cpu(1), 2, 6, 3);
        DiagonalGaussian split = DiagonalGaussian.of(moments, 1, true);
        assertThat(Tensors.toFloats(split.mean())).containsExactly(Tensors.toFloats(moments.narrow(1, 0, 3)));
        assertThatThrownBy(() -> DiagonalGaussian.of(Rng.randn(Rng.cpu(1), 2, 5), 1, false))
                .hasMessageContaining("even size");
    }

    @Test
    void presetsConfigsAndErrors() throws Exception {
        SparseStructureVaeConfig released = SparseStructureVaeConfig.trellisSparseStructure();
        assertThat(released.latentResolution()).isEqualTo(16);
        assertThat(released.decoderChannels()).containsExactly(512, 128, 32);
        assertThat(SparseStructureVaeConfig.bench().latentResolution()).isEqualTo(8);
        String json = Checkpoint.JSON.writeValueAsString(released);
        assertThat(json).contains("\"num_res_blocks_middle\" : 2", "\"loss_type\" : \"dice\"");
        assertThat(Checkpoint.JSON.readValue(json, SparseStructureVaeConfig.class))
                .isEqualTo(released);
        var dec = Checkpoint.JSON.readTree("""
                {"out_channels": 1, "latent_channels": 8, "num_res_blocks": 2, "num_res_blocks_middle": 2,
                 "channels": [512, 128, 32], "use_fp16": true}""");
        assertThat(SparseStructureVaeConfig.fromTrellisArgs(dec, 64)).isEqualTo(released);
        assertThatThrownBy(() -> new SparseStructureVaeConfig(30, 1, 1, 8, List.of(8, 16, 32), 1, 1, "layer", "bce", 0))
                .hasMessageContaining("multiple of 4");
        assertThatThrownBy(() -> new SparseStructureVaeConfig(16, 1, 1, 8, List.of(8, 16), 1, 1, "group", "bce", 0))
                .hasMessageContaining("multiple of 32");
        assertThatThrownBy(() -> new SparseStructureVaeConfig(16, 1, 1, 8, List.of(8), 1, 1, "layer", "mse", 0))
                .hasMessageContaining("loss_type");
        SparseStructureEncoder enc = new SparseStructureEncoder(SparseStructureVaeConfig.tiny(), Rng.cpu(1));
        Generator g = Rng.cpu(2);
        assertThatThrownBy(() -> enc.forward(Rng.randn(g, 1, 1, 16, 16, 10))).hasMessageContaining("multiple of 4");
        assertThatThrownBy(() -> enc.forward(Rng.randn(g, 1, 2, 16, 16, 16))).hasMessageContaining("[B, 1, D, H, W]");
    }

    @Test
    void groupNormVariantRuns() {
        SparseStructureVaeConfig c = new SparseStructureVaeConfig(8, 1, 1, 4, List.of(32, 64), 1, 1, "group", "bce", 0);
        SparseStructureVae vae = new SparseStructureVae(c, Rng.cpu(1));
        try (StepScope s = new StepScope()) {
            Tensor occ = torch.zeros(1, 1, 8, 8, 8);
            SparseStructureVae.Losses l = vae.losses(occ, Rng.cpu(2));
            l.loss().backward();
            assertThat(Tensors.shape(l.logits())).containsExactly(1, 1, 8, 8, 8);
        }
    }

    @Test
    void modelsSurviveGarbageCollection() throws InterruptedException {
        // JavaCPP calls back into the Java object of every module in the tree (Layers.container's warning)
        org.bytedeco.pytorch.Module[] models = {
            new SparseStructureVae(SparseStructureVaeConfig.tiny(), Rng.cpu(0)),
            new dev.tessera.model.dit.SparseStructureFlowModel(
                    dev.tessera.model.dit.SparseStructureFlowConfig.tiny(), Rng.cpu(0)),
            new dev.tessera.model.dit.SparseStructureFlowModel(
                    new dev.tessera.model.dit.SparseStructureFlowConfig(
                            8, 8, 48, 16, 8, 1, 4, 64, 2.0, 4, "ape", false, false, true, false, true),
                    Rng.cpu(0))
        };
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
        }
        for (org.bytedeco.pytorch.Module m : models) {
            m.eval();
            m.train(true);
        }
        try (StepScope s = new StepScope()) {
            SparseStructureVae vae = (SparseStructureVae) models[0];
            assertThat(Tensors.shape(vae.reconstruct(torch.zeros(1, 1, 16, 16, 16))))
                    .containsExactly(1, 1, 16, 16, 16);
        }
    }

    private static double sig(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
