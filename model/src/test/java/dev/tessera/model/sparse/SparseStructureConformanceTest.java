package dev.tessera.model.sparse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tessera.model.Conformance;
import dev.tessera.model.DiagonalGaussian;
import dev.tessera.model.LoadReport;
import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.MemoryFormat;
import org.junit.jupiter.api.Test;

/** TRELLIS's recorded sparse-structure encoder and decoder ({@code testdata/conformance/trellis-ss-*}). */
class SparseStructureConformanceTest {

    private static SparseStructureVaeConfig config(String folder) throws Exception {
        JsonNode args = Conformance.config(folder);
        return SparseStructureVaeConfig.fromTrellisArgs(args, 16);
    }

    @Test
    void encoderReproducesMeanAndLogvar() throws Exception {
        String f = "trellis-ss-encoder";
        SparseStructureVaeConfig c = config(f);
        assertThat(c.encoderChannels()).containsExactly(8, 16, 32);
        SparseStructureEncoder enc = new SparseStructureEncoder(c, Rng.cpu(0));
        LoadReport report = Conformance.loadWeights(f, enc);
        assertThat(report.isClean()).isTrue();
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            Tensor occ = Conformance.io(f, "occupancy");
            DiagonalGaussian post = enc.forward(occ);
            assertThat(Tensors.shape(post.mean())).containsExactly(2, 8, 4, 4, 4);
            double dm = Conformance.maxAbsDiff(post.mean(), Conformance.io(f, "mean"));
            double dl = Conformance.maxAbsDiff(post.logvar(), Conformance.io(f, "logvar"));
            System.out.printf("trellis-ss-encoder: max |Δmean| = %.3g, max |Δlogvar| = %.3g%n", dm, dl);
            assertThat(dm).isLessThan(1e-4);
            assertThat(dl).isLessThan(1e-4);
            // the same function in channels-last-3d memory
            DiagonalGaussian cl = enc.forward(occ.contiguous(MemoryFormat.ChannelsLast3d));
            assertThat(Conformance.maxAbsDiff(cl.mean(), Conformance.io(f, "mean")))
                    .isLessThan(1e-4);
        }
    }

    @Test
    void decoderReproducesLogits() throws Exception {
        String f = "trellis-ss-decoder";
        SparseStructureVaeConfig c = config(f);
        assertThat(c.decoderChannels()).containsExactly(32, 16, 8);
        SparseStructureDecoder dec = new SparseStructureDecoder(c, Rng.cpu(0));
        assertThat(Conformance.loadWeights(f, dec).isClean()).isTrue();
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            Tensor logits = dec.forward(Conformance.io(f, "latent"));
            assertThat(Tensors.shape(logits)).containsExactly(2, 1, 16, 16, 16);
            double d = Conformance.maxAbsDiff(logits, Conformance.io(f, "logits"));
            System.out.printf("trellis-ss-decoder: max |Δlogits| = %.3g%n", d);
            assertThat(d).isLessThan(1e-4);
        }
    }
}
