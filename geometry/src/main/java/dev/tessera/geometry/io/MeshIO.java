package dev.tessera.geometry.io;

import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads and writes triangle meshes in the usual file formats, choosing the format from the file's content.
 *
 * <p>{@link #read(Path)} recognises the format by its first bytes: the GLB magic {@code glTF}, the PLY magic
 * {@code ply}, a binary STL (size {@code 84 + 50 n} for the count {@code n} at byte 80), the OFF header keyword, an
 * ASCII STL's {@code solid} followed by {@code facet} or {@code endsolid}, or OBJ statements ({@code v}, {@code f},
 * {@code o}, {@code g}, {@code mtllib}...). Only when the content says nothing clear does it fall back to the
 * extension. Every reader reports malformed input as a {@link MeshFormatException} naming the file and the line or
 * byte offset. See {@code docs/mesh-formats.md} for what each reader accepts and rejects.
 */
public final class MeshIO {
    private MeshIO() {}

    /** The supported mesh file formats. */
    public enum Format {
        /** Wavefront OBJ (text). */
        OBJ("obj"),
        /** Stanford PLY (ASCII or binary). */
        PLY("ply"),
        /** STL (ASCII or binary). */
        STL("stl"),
        /** Geomview Object File Format (text). */
        OFF("off"),
        /** glTF 2.0 binary. */
        GLB("glb");

        private final String extension;

        Format(String extension) {
            this.extension = extension;
        }

        /** The usual file extension, lower case, without the dot. */
        public String extension() {
            return extension;
        }

        /** The format whose extension the file name has (any case), if any. */
        public static Optional<Format> ofExtension(Path path) {
            String name = path.getFileName() == null ? "" : path.getFileName().toString();
            int dot = name.lastIndexOf('.');
            if (dot < 0) {
                return Optional.empty();
            }
            String ext = name.substring(dot + 1).toLowerCase(Locale.ROOT);
            for (Format f : values()) {
                if (f.extension.equals(ext)) {
                    return Optional.of(f);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * Reads a mesh, detecting the format from the content (see {@link #detect(Path)}).
     *
     * @throws MeshFormatException when the format is unknown, the file is empty or the content is malformed
     * @throws NoSuchFileException when the file does not exist
     */
    public static TriangleMesh read(Path path) throws IOException {
        return read(path, detect(path));
    }

    /** Reads a mesh in a given format. */
    public static TriangleMesh read(Path path, Format format) throws IOException {
        return switch (format) {
            case OBJ -> ObjReader.read(path);
            case PLY -> PlyReader.read(path);
            case STL -> StlReader.read(path);
            case OFF -> OffReader.read(path);
            case GLB -> GlbReader.read(path);
        };
    }

    /**
     * Writes a mesh in the format its file name's extension names ({@code .obj}, {@code .ply} (binary), {@code .stl}
     * (binary), {@code .off}, {@code .glb}). The file is replaced atomically: readers see the old file or the whole
     * new one.
     *
     * @throws IllegalArgumentException when the extension names no supported format
     */
    public static void write(Path path, TriangleMesh mesh) throws IOException {
        Format format = Format.ofExtension(path)
                .orElseThrow(() -> new IllegalArgumentException(path
                        + ": cannot tell the output format from the extension; use .obj, .ply, .stl, .off or .glb"));
        write(path, mesh, format);
    }

    /** Writes a mesh in a given format (PLY and STL binary), atomically. */
    public static void write(Path path, TriangleMesh mesh, Format format) throws IOException {
        switch (format) {
            case OBJ -> ObjWriter.write(path, mesh);
            case PLY -> PlyWriter.write(path, mesh);
            case STL -> StlWriter.write(path, mesh);
            case OFF -> OffWriter.write(path, mesh);
            case GLB -> GlbWriter.write(path, mesh);
        }
    }

    /**
     * The format of a mesh file, from its content, else from its extension.
     *
     * @throws MeshFormatException when the file is empty or neither its content nor its extension names a format
     */
    public static Format detect(Path path) throws IOException {
        byte[] head;
        long size;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            size = ch.size();
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(size, 4096));
            while (b.hasRemaining() && ch.read(b) > 0) {
                // fill the head
            }
            head = new byte[b.position()];
            b.flip().get(head);
        }
        if (size == 0) {
            throw MeshFormatException.inFile(path.toString(), "the file is empty");
        }
        Optional<Format> byContent = detect(head, size);
        if (byContent.isPresent()) {
            return byContent.get();
        }
        String name = String.valueOf(path.getFileName()).toLowerCase(Locale.ROOT);
        if (name.endsWith(".gltf")) {
            throw MeshFormatException.inFile(
                    path.toString(),
                    "glTF JSON (.gltf) is not supported; convert it to binary glTF (.glb), e.g. with gltf-transform");
        }
        return Format.ofExtension(path)
                .orElseThrow(() -> MeshFormatException.inFile(
                        path.toString(),
                        "unknown mesh format: the content is not OBJ, PLY, STL, OFF or GLB and the extension"
                                + " does not name one (first bytes: '" + printable(head) + "')"));
    }

    /** The format the first bytes of a file of the given size show, if they show one clearly. */
    static Optional<Format> detect(byte[] head, long size) {
        if (head.length >= 4
                && ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == GlbReader.MAGIC) {
            return Optional.of(Format.GLB);
        }
        if (head.length >= 4
                && head[0] == 'p'
                && head[1] == 'l'
                && head[2] == 'y'
                && (head[3] == '\n' || head[3] == '\r')) {
            return Optional.of(Format.PLY);
        }
        if (head.length >= 84) {
            long n = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt(80) & 0xffffffffL;
            if (84 + 50 * n == size) {
                return Optional.of(Format.STL);
            }
        }
        String text = new String(head, StandardCharsets.ISO_8859_1);
        // The first meaningful words, skipping blank lines and '#' comments.
        String[] words = firstWords(text, 3);
        if (words.length == 0) {
            return Optional.empty();
        }
        String w = words[0];
        if (w.endsWith("OFF") && w.matches("(ST)?C?N?C?4?n?OFF")) {
            return Optional.of(Format.OFF);
        }
        if (w.equalsIgnoreCase("solid")) {
            // ASCII STL, if the next words are STL's; a binary STL whose header starts with "solid" but whose size
            // is off is read as binary STL by the extension, or reported by the ASCII reader.
            return Optional.of(Format.STL);
        }
        switch (w) {
            case "v", "vt", "vn", "vp", "f", "o", "g", "s", "l", "p", "mtllib", "usemtl", "cstype", "deg" -> {
                return Optional.of(Format.OBJ);
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    private static String[] firstWords(String text, int max) {
        java.util.List<String> words = new java.util.ArrayList<>();
        for (String line : text.split("\n")) {
            int hash = line.indexOf('#');
            String l = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (l.isEmpty()) {
                continue;
            }
            for (String w : l.split("[ \t\r]+")) {
                words.add(w);
                if (words.size() == max) {
                    return words.toArray(String[]::new);
                }
            }
        }
        return words.toArray(String[]::new);
    }

    private static String printable(byte[] head) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(head.length, 16); i++) {
            int c = head[i] & 0xff;
            sb.append(c >= 32 && c < 127 ? (char) c : '.');
        }
        return sb.toString();
    }
}
