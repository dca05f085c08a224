package dev.tessera.geometry;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository's test fixtures ({@code testdata/}). */
public final class TestMeshes {
    private TestMeshes() {}

    /** The {@code testdata} directory: the {@code tessera.testdata} property, else {@code ../testdata}. */
    public static Path testdata() {
        String p = System.getProperty("tessera.testdata");
        Path dir = p != null ? Path.of(p) : Path.of("..", "testdata");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("test data not found at " + dir.toAbsolutePath());
        }
        return dir;
    }

    /** A mesh file of {@code testdata/meshes}. */
    public static Path mesh(String name) {
        return testdata().resolve("meshes").resolve(name);
    }
}
