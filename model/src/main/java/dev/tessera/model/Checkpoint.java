package dev.tessera.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.geometry.io.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.pytorch.Module;

/**
 * A model checkpoint in the Hugging Face layout: a directory with {@code config.json} (the model's config record) and
 * {@code model.safetensors} (its state dict). Both files are written atomically.
 */
public final class Checkpoint {
    /** Name of the weights file in a checkpoint directory. */
    public static final String WEIGHTS = "model.safetensors";
    /** Name of the config file in a checkpoint directory. */
    public static final String CONFIG = "config.json";

    /** The JSON mapper used for configs: records, pretty-printed, unknown fields refused. */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Checkpoint() {}

    /** Writes {@code config.json} and {@code model.safetensors} into {@code dir} (created if needed). */
    public static void save(Path dir, Object config, Module module) throws IOException {
        Files.createDirectories(dir);
        writeConfig(dir, config);
        StateDict.save(
                module,
                dir.resolve(WEIGHTS),
                Map.of("config_class", config.getClass().getName()));
    }

    /** Writes {@code config.json} into {@code dir}. */
    public static void writeConfig(Path dir, Object config) throws IOException {
        byte[] json = JSON.writeValueAsBytes(config);
        AtomicFile.write(dir.resolve(CONFIG), json);
    }

    /** Reads {@code dir/config.json} as {@code type}; the message names the file and the field on failure. */
    public static <T> T config(Path dir, Class<T> type) throws IOException {
        Path file = dir.resolve(CONFIG);
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "not a checkpoint directory (no " + CONFIG + ")");
        }
        try {
            return JSON.readValue(file.toFile(), type);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(
                    file + ": not a valid " + type.getSimpleName() + " config: " + e.getOriginalMessage(), e);
        }
    }

    /** Loads {@code dir/model.safetensors} into {@code module}, strictly. */
    public static LoadReport load(Path dir, Module module) throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve(WEIGHTS))) {
            return StateDict.load(module, r);
        }
    }
}
