package dev.tessera.data.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint split over several safetensors files, described by a Hugging Face
 * {@code model.safetensors.index.json}: {@code {"metadata": {...}, "weight_map": {tensor: shard file}}}. Every shard
 * is opened and validated up front, and the index is checked against the shards: a tensor the index names must be in
 * its shard, and a shard may hold no tensor the index does not list.
 */
public final class ShardedSafetensors implements SafetensorsReader {
    private final Path index;
    private final Map<String, String> metadata;
    private final Map<String, SafetensorsFile> owner;
    private final List<SafetensorsFile> shards;

    private ShardedSafetensors(
            Path index,
            Map<String, String> metadata,
            Map<String, SafetensorsFile> owner,
            List<SafetensorsFile> shards) {
        this.index = index;
        this.metadata = metadata;
        this.owner = owner;
        this.shards = shards;
    }

    /** Opens an index file and all its shards. */
    public static ShardedSafetensors open(Path index) throws IOException {
        JsonNode root;
        try {
            root = SafetensorsFile.JSON.readTree(Files.readString(index));
        } catch (JsonProcessingException e) {
            throw new SafetensorsFormatException(
                    index, null, "index is not well-formed JSON: " + e.getOriginalMessage());
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new SafetensorsFormatException(index, null, "index has no \"weight_map\" object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode md = root.get("metadata");
        if (md != null && md.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = md.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                metadata.put(
                        e.getKey(),
                        e.getValue().isTextual()
                                ? e.getValue().textValue()
                                : e.getValue().toString());
            }
        }
        Path dir = index.toAbsolutePath().getParent();
        Map<String, SafetensorsFile> files = new LinkedHashMap<>();
        Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
        try {
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new SafetensorsFormatException(index, e.getKey(), "weight_map value is not a file name");
                }
                String shardName = e.getValue().textValue();
                Path shard = dir.resolve(shardName).normalize();
                if (!shard.startsWith(dir)) {
                    throw new SafetensorsFormatException(
                            index, e.getKey(), "shard '" + shardName + "' lies outside " + dir);
                }
                SafetensorsFile f = files.get(shardName);
                if (f == null) {
                    if (!Files.exists(shard)) {
                        throw new NoSuchFileException(
                                shard.toString(), null, "shard named by " + index + " is missing");
                    }
                    f = SafetensorsFile.open(shard);
                    files.put(shardName, f);
                }
                if (!f.contains(e.getKey())) {
                    throw new SafetensorsFormatException(
                            index, e.getKey(), "the index puts it in " + shardName + ", which does not hold it");
                }
                owner.put(e.getKey(), f);
            }
            for (SafetensorsFile f : files.values()) {
                for (String n : f.names()) {
                    if (owner.get(n) != f) {
                        throw new SafetensorsFormatException(
                                f.path(),
                                n,
                                "tensor is in the shard but not in the index " + index.getFileName()
                                        + (owner.containsKey(n) ? " (the index maps it to another shard)" : ""));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            for (SafetensorsFile f : files.values()) {
                f.close();
            }
            throw e;
        }
        return new ShardedSafetensors(index, Collections.unmodifiableMap(metadata), owner, List.copyOf(files.values()));
    }

    /** The shard files, in the order the index first names them. */
    public List<Path> shardPaths() {
        List<Path> out = new ArrayList<>();
        for (SafetensorsFile f : shards) {
            out.add(f.path());
        }
        return out;
    }

    @Override
    public Path path() {
        return index;
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public List<String> names() {
        List<String> out = new ArrayList<>();
        for (SafetensorsFile f : shards) {
            out.addAll(f.names());
        }
        return out;
    }

    @Override
    public boolean contains(String name) {
        return owner.containsKey(name);
    }

    private SafetensorsFile shard(String name) {
        SafetensorsFile f = owner.get(name);
        if (f == null) {
            throw new IllegalArgumentException(
                    index + ": no tensor named '" + name + "'" + Names.suggest(name, owner.keySet()));
        }
        return f;
    }

    @Override
    public TensorInfo info(String name) {
        return shard(name).info(name);
    }

    @Override
    public Path fileOf(String name) {
        return shard(name).path();
    }

    @Override
    public ByteBuffer buffer(String name) throws IOException {
        return shard(name).buffer(name);
    }

    @Override
    public void read(String name, long offset, ByteBuffer dst) throws IOException {
        shard(name).read(name, offset, dst);
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (SafetensorsFile f : shards) {
            try {
                f.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
