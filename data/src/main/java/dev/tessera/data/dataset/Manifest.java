package dev.tessera.data.dataset;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dataset's {@code manifest.jsonl}: one JSON record per line, appended as each shape finishes and never rewritten,
 * so a crash loses at most the line being written. Reading is recoverable: a line that does not parse (the torn last
 * line of a killed run) is skipped and counted; {@link #repair(Path)} cuts a torn tail before appending again.
 */
public final class Manifest {
    static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** File name of the manifest inside a dataset directory. */
    public static final String FILE = "manifest.jsonl";

    /** What a manifest holds: every parsed record in file order, and how many lines were unreadable. */
    public record Contents(List<ManifestRecord> records, int skippedLines) {
        /** The last record per id, in order of first appearance. */
        public Map<String, ManifestRecord> latest() {
            Map<String, ManifestRecord> out = new LinkedHashMap<>();
            for (ManifestRecord r : records) {
                out.put(r.id(), r);
            }
            return out;
        }
    }

    private Manifest() {}

    /** Reads a manifest; a missing file is an empty manifest. */
    public static Contents read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new Contents(List.of(), 0);
        }
        List<ManifestRecord> out = new ArrayList<>();
        int skipped = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            try {
                ManifestRecord r = JSON.readValue(line, ManifestRecord.class);
                if (r.id() == null || r.status() == null) {
                    skipped++;
                } else {
                    out.add(r);
                }
            } catch (IOException e) {
                skipped++;
            }
        }
        return new Contents(out, skipped);
    }

    /**
     * Cuts a torn last line (bytes after the last newline) left by a killed writer, so new records start on a line of
     * their own. Returns the number of bytes removed.
     */
    public static long repair(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long pos = size;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (pos > 0) {
                one.clear();
                ch.read(one, pos - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                pos--;
            }
            if (pos < size) {
                ch.truncate(pos);
                ch.force(true);
            }
            return size - pos;
        }
    }

    /** Appends one record as one line and forces it to disk. Safe to call from several threads. */
    public static synchronized void append(Path file, ManifestRecord record) throws IOException {
        byte[] line = (JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(false);
        }
    }
}
