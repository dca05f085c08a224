package dev.tessera.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tessera.data.safetensors.SafetensorsReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** Access to the recorded reference vectors in {@code testdata/conformance/<folder>}. */
public final class Conformance {
    private Conformance() {}

    /** {@code testdata/conformance/<name>}, resolved through {@code tessera.testdata} (Surefire) or {@code ../testdata}. */
    public static Path folder(String name) {
        String root = System.getProperty("tessera.testdata", "../testdata");
        Path p = Path.of(root, "conformance", name);
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("conformance folder " + p.toAbsolutePath() + " not found");
        }
        return p;
    }

    /** The folder's {@code config.json}. */
    public static JsonNode config(String name) throws IOException {
        return Checkpoint.JSON.readTree(folder(name).resolve("config.json").toFile());
    }

    /** Loads the folder's {@code weights.safetensors} into {@code module}, strictly. */
    public static LoadReport loadWeights(String name, Module module) throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(folder(name).resolve("weights.safetensors"))) {
            return StateDict.load(module, r);
        }
    }

    /** An owned copy of tensor {@code key} of the folder's {@code io.safetensors}. */
    public static Tensor io(String name, String key) throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(folder(name).resolve("io.safetensors"))) {
            return Tensors.read(r, key);
        }
    }

    /** max |a − b| over all elements. */
    public static double maxAbsDiff(Tensor a, Tensor b) {
        return a.sub(b).abs().max().item_double();
    }
}
