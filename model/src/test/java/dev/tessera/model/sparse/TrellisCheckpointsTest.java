package dev.tessera.model.sparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.safetensors.SafetensorsWriter;
import dev.tessera.model.Conformance;
import dev.tessera.model.StateDictMismatchException;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import dev.tessera.model.dit.SparseStructureFlowModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TRELLIS's own checkpoint layout ({@code NAME.json} + {@code NAME.safetensors}), stored in float16 as released. */
class TrellisCheckpointsTest {

    /** Writes the conformance weights of {@code folder} as a half-precision TRELLIS checkpoint {@code dir/name}. */
    private static Path releasedLike(Path dir, String folder, String name, String json) throws Exception {
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsReader r =
                        SafetensorsReader.open(Conformance.folder(folder).resolve("weights.safetensors"));
                StepScope s = new StepScope()) {
            for (String k : r.names()) {
                Tensors.add(w, k, Tensors.read(r, k).to(ScalarType.Half));
            }
            w.write(dir.resolve(name + ".safetensors"));
        }
        Files.writeString(dir.resolve(name + ".json"), json);
        return dir.resolve(name);
    }

    @Test
    void loadsHalfPrecisionReleasesOfAllThreeModels(@TempDir Path dir) throws Exception {
        String args = Conformance.config("trellis-ss-decoder").toString();
        Path dec = releasedLike(
                dir, "trellis-ss-decoder", "ss_dec", "{\"name\": \"SparseStructureDecoder\", \"args\": " + args + "}");
        SparseStructureDecoder d = TrellisCheckpoints.decoder(dec, 16);
        String flowArgs = Conformance.config("trellis-ss-flow").toString();
        Path flow = releasedLike(
                dir,
                "trellis-ss-flow",
                "ss_flow",
                "{\"name\": \"SparseStructureFlowModel\", \"args\": " + flowArgs + "}");
        SparseStructureFlowModel f = TrellisCheckpoints.flow(flow.resolveSibling("ss_flow.json"));
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            Tensor logits = d.forward(Conformance.io("trellis-ss-decoder", "latent"));
            // float16 weights: agreement to half precision, not 1e-4
            assertThat(Conformance.maxAbsDiff(logits, Conformance.io("trellis-ss-decoder", "logits")))
                    .isLessThan(5e-2);
            Tensor v = f.forward(
                    Conformance.io("trellis-ss-flow", "x"),
                    Conformance.io("trellis-ss-flow", "t"),
                    Conformance.io("trellis-ss-flow", "cond"));
            assertThat(Conformance.maxAbsDiff(v, Conformance.io("trellis-ss-flow", "velocity")))
                    .isLessThan(5e-2);
        }
        // a checkpoint of the other model is refused with the mismatch listed
        Path wrong = releasedLike(
                dir,
                "trellis-ss-encoder",
                "ss_enc_as_dec",
                "{\"name\": \"SparseStructureDecoder\"," + " \"args\": " + args + "}");
        assertThatThrownBy(() -> TrellisCheckpoints.decoder(wrong, 16))
                .isInstanceOf(StateDictMismatchException.class)
                .hasMessageContaining("shape");
        assertThatThrownBy(() -> TrellisCheckpoints.encoder(dec, 16)).hasMessageContaining("SparseStructureEncoder");
    }
}
