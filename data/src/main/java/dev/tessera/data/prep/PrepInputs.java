package dev.tessera.data.prep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Finds the meshes a {@code prep} run works on. Each {@code --input} is a directory (scanned recursively), a list
 * file ({@code .txt} or {@code .list}, one path per line, relative to the list), a mesh file, or a glob pattern
 * ({@code meshes/**.off}). Files with other extensions are skipped and counted. Labels come from a {@code labels.csv}
 * ({@code file,label}, as {@code tessera synth} writes it) in a scanned directory, or from an explicit label file.
 */
public final class PrepInputs {
    /** Extensions of the mesh formats prep reads. */
    public static final Set<String> MESH_EXTENSIONS = Set.of("obj", "ply", "stl", "off", "glb");

    /** One source mesh: its path, its id (its path relative to the input, without extension), and its label. */
    public record Source(Path path, String id, String label) {}

    /** The sources found and the files skipped because of their format. */
    public record Found(List<Source> sources, List<Path> skipped) {}

    private PrepInputs() {}

    /** Resolves the inputs; labels from {@code labelFile} (may be null) override those of {@code labels.csv} files. */
    public static Found find(List<String> inputs, Path labelFile) throws IOException {
        Map<String, Source> byId = new LinkedHashMap<>();
        List<Path> skipped = new ArrayList<>();
        Map<Path, String> explicit = labelFile == null ? Map.of() : readLabels(labelFile);
        for (String in : inputs) {
            Path p = Path.of(in);
            List<Path[]> files = new ArrayList<>(); // {file, base}
            Map<Path, String> labels = new LinkedHashMap<>();
            if (Files.isDirectory(p)) {
                Path csv = p.resolve("labels.csv");
                if (Files.exists(csv)) {
                    labels.putAll(readLabels(csv));
                }
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(Files::isRegularFile).sorted().forEach(f -> files.add(new Path[] {f, p}));
                }
            } else if (Files.isRegularFile(p) && isList(p)) {
                Path base = p.toAbsolutePath().getParent();
                for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                    String l = line.strip();
                    if (!l.isEmpty() && !l.startsWith("#")) {
                        Path f = base.resolve(l);
                        if (!Files.isRegularFile(f)) {
                            throw new NoSuchFileException(f.toString(), null, "listed in " + p + " but missing");
                        }
                        files.add(new Path[] {f, base});
                    }
                }
            } else if (Files.isRegularFile(p)) {
                files.add(new Path[] {p, p.toAbsolutePath().getParent()});
            } else {
                for (Path f : glob(in)) {
                    files.add(new Path[] {f, Path.of("").toAbsolutePath()});
                }
            }
            for (Path[] fb : files) {
                Path f = fb[0];
                if (f.getFileName().toString().equals("labels.csv")) {
                    continue;
                }
                if (!MESH_EXTENSIONS.contains(extension(f))) {
                    skipped.add(f);
                    continue;
                }
                Path abs = f.toAbsolutePath().normalize();
                String id = idOf(fb[1].toAbsolutePath().normalize().relativize(abs));
                String label = explicit.getOrDefault(abs, labels.get(abs));
                String unique = id;
                for (int k = 2;
                        byId.containsKey(unique) && !byId.get(unique).path().equals(abs);
                        k++) {
                    unique = id + "-" + k;
                }
                byId.putIfAbsent(unique, new Source(abs, unique, label));
            }
        }
        return new Found(List.copyOf(byId.values()), skipped);
    }

    static boolean isList(Path p) {
        String e = extension(p);
        return e.equals("txt") || e.equals("list");
    }

    static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** An id from a relative path: no extension, '/' separators, only safe characters. */
    static String idOf(Path relative) {
        String s = relative.toString().replace('\\', '/');
        int dot = s.lastIndexOf('.');
        if (dot > s.lastIndexOf('/')) {
            s = s.substring(0, dot);
        }
        return s.replaceAll("[^A-Za-z0-9._/-]", "_").replaceAll("^[./]+", "");
    }

    private static List<Path> glob(String pattern) throws IOException {
        String norm = pattern.replace('\\', '/');
        int firstWild = firstWildcard(norm);
        if (firstWild < 0) {
            return List.of();
        }
        int slash = norm.lastIndexOf('/', firstWild);
        Path base = slash < 0 ? Path.of("") : Path.of(norm.substring(0, slash + 1));
        if (!Files.isDirectory(base.toString().isEmpty() ? Path.of(".") : base)) {
            return List.of();
        }
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + norm);
        Set<Path> out = new TreeSet<>();
        try (Stream<Path> s = Files.walk(base.toString().isEmpty() ? Path.of(".") : base)) {
            s.filter(Files::isRegularFile).forEach(f -> {
                Path rel = base.toString().isEmpty() ? Path.of(".").relativize(f) : f;
                if (m.matches(rel)) {
                    out.add(f);
                }
            });
        }
        return new ArrayList<>(out);
    }

    private static int firstWildcard(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '{') {
                return i;
            }
        }
        return -1;
    }

    /** Reads {@code file,label} lines (a header line {@code file,label} is skipped); paths relative to the CSV. */
    public static Map<Path, String> readLabels(Path csv) throws IOException {
        Map<Path, String> out = new LinkedHashMap<>();
        Path base = csv.toAbsolutePath().getParent();
        int n = 0;
        for (String line : Files.readAllLines(csv, StandardCharsets.UTF_8)) {
            n++;
            String l = line.strip();
            if (l.isEmpty() || (n == 1 && l.equalsIgnoreCase("file,label"))) {
                continue;
            }
            int comma = l.lastIndexOf(',');
            if (comma <= 0 || comma == l.length() - 1) {
                throw new IOException(csv + ":" + n + ": expected 'file,label', got '" + l + "'");
            }
            out.put(
                    base.resolve(l.substring(0, comma).strip()).normalize(),
                    l.substring(comma + 1).strip());
        }
        return out;
    }
}
