package dev.tessera.app;

import dev.tessera.data.prep.MeshSampleBuilder;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.io.MeshIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Mesh reading for the CLI commands: clear one-line errors for missing files and directories. */
final class MeshFiles {
    private MeshFiles() {}

    /**
     * Reads a mesh that must have triangles: a file of vertices only (a point cloud) is refused with its path, its
     * vertex count and what {@code needs} a surface.
     */
    static TriangleMesh readSurface(Path path, String needs) throws IOException {
        TriangleMesh m = read(path);
        if (m.isEmpty()) {
            throw new IllegalArgumentException(path + ": " + MeshSampleBuilder.noSurface(m, needs));
        }
        return m;
    }

    /** Reads a mesh, naming the file in every failure. */
    static TriangleMesh read(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            throw new IOException(path + ": is a directory, not a mesh file");
        }
        try {
            return MeshIO.read(path);
        } catch (NoSuchFileException e) {
            throw new IOException(path + ": no such file", e);
        }
    }
}
