package dev.tessera.app;

import dev.tessera.geometry.MeshCheck;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.io.MeshIO;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tessera check MESH}: the closedness and manifoldness report of a mesh file. */
@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        description = {
            "Read a mesh (OBJ, PLY, STL, OFF or GLB, detected from the content) and print its check report:"
                    + " counts, boundary and non-manifold edges, degenerate and duplicate faces, components,"
                    + " Euler characteristic, genus, orientation and closedness.",
            "Exit 0 when the file is readable (whatever the report says), 1 with a one-line reason when it is not."
        })
final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MESH", description = "The mesh file.")
    Path mesh;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    @Option(
            names = "--strict",
            description = "Exit 1 unless the mesh is watertight (closed, oriented and manifold), for scripts.")
    boolean strict;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        TriangleMesh m = MeshFiles.read(mesh);
        MeshIO.Format format = MeshIO.detect(mesh);
        MeshCheck c = MeshCheck.of(m);
        if (json) {
            String body = c.toJson();
            out.println("{\"file\":" + quote(mesh.toString()) + ",\"format\":\"" + format.extension() + "\","
                    + body.substring(1));
        } else {
            out.printf("%-22s %s%n", "file", mesh);
            out.printf("%-22s %s%n", "format", format.extension());
            out.print(c);
        }
        out.flush();
        if (strict && !c.isWatertight()) {
            spec.commandLine()
                    .getErr()
                    .println("tessera check: " + mesh + " is not watertight ("
                            + (!c.isClosed() ? c.boundaryEdges() + " boundary edges, " : "")
                            + c.nonManifoldEdges() + " non-manifold edges, "
                            + (c.isOriented() ? "oriented" : "not oriented") + ")");
            return Cli.FAILED;
        }
        return Cli.OK;
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            if (ch == '"' || ch == '\\') {
                sb.append('\\').append(ch);
            } else if (ch < 0x20) {
                sb.append(String.format("\\u%04x", (int) ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.append('"').toString();
    }
}
