package dev.tessera.model.sparse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.model.Checkpoint;
import dev.tessera.model.Rng;
import dev.tessera.model.StateDict;
import dev.tessera.model.dit.SparseStructureFlowConfig;
import dev.tessera.model.dit.SparseStructureFlowModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.bytedeco.pytorch.Module;

/**
 * Loads TRELLIS's released stage-1 checkpoints as TRELLIS stores them: a pair {@code NAME.json} ({@code {"name": …,
 * "args": {…}}}) and {@code NAME.safetensors}, e.g. {@code ckpts/ss_enc_conv3d_16l8_fp16},
 * {@code ckpts/ss_dec_conv3d_16l8_fp16} and {@code ckpts/ss_flow_img_dit_L_16l8_fp16} of
 * {@code microsoft/TRELLIS-image-large}. Names and shapes must match exactly; half-precision tensors are converted to
 * the model's float32 on load.
 */
public final class TrellisCheckpoints {
    private TrellisCheckpoints() {}

    /** The encoder at {@code base} ({@code base.json} + {@code base.safetensors}) for a {@code resolution}³ grid. */
    public static SparseStructureEncoder encoder(Path base, int resolution) throws IOException {
        JsonNode cfg = config(base, "SparseStructureEncoder");
        SparseStructureEncoder m = new SparseStructureEncoder(
                SparseStructureVaeConfig.fromTrellisArgs(cfg.get("args"), resolution), Rng.cpu(0));
        return weights(base, m);
    }

    /** The decoder at {@code base} producing a {@code resolution}³ grid. */
    public static SparseStructureDecoder decoder(Path base, int resolution) throws IOException {
        JsonNode cfg = config(base, "SparseStructureDecoder");
        SparseStructureDecoder m = new SparseStructureDecoder(
                SparseStructureVaeConfig.fromTrellisArgs(cfg.get("args"), resolution), Rng.cpu(0));
        return weights(base, m);
    }

    /** The sparse-structure flow model at {@code base}. */
    public static SparseStructureFlowModel flow(Path base) throws IOException {
        JsonNode cfg = config(base, "SparseStructureFlowModel");
        SparseStructureFlowModel m =
                new SparseStructureFlowModel(SparseStructureFlowConfig.fromTrellisArgs(cfg), Rng.cpu(0));
        return weights(base, m);
    }

    private static JsonNode config(Path base, String expected) throws IOException {
        Path json = sibling(base, ".json");
        if (!Files.exists(json)) {
            throw new NoSuchFileException(
                    json.toString(), null, "a TRELLIS checkpoint is NAME.json + NAME.safetensors");
        }
        JsonNode cfg = Checkpoint.JSON.readTree(json.toFile());
        String name = cfg.path("name").asText("");
        if (!name.equals(expected) || !cfg.has("args")) {
            throw new IOException(
                    json + ": expected {\"name\": \"" + expected + "\", \"args\": {…}}, found name \"" + name + "\"");
        }
        return cfg;
    }

    private static <M extends Module> M weights(Path base, M module) throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(sibling(base, ".safetensors"))) {
            StateDict.loadCasting(module, r);
        }
        return module;
    }

    private static Path sibling(Path base, String ext) {
        String f = base.getFileName().toString();
        for (String known : new String[] {".json", ".safetensors"}) {
            if (f.endsWith(known)) {
                f = f.substring(0, f.length() - known.length());
            }
        }
        return base.resolveSibling(f + ext);
    }
}
