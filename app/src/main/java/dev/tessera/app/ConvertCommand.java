package dev.tessera.app;

import dev.tessera.geometry.CleanupOptions;
import dev.tessera.geometry.MeshCleanup;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.io.MeshIO;
import dev.tessera.geometry.io.PlyWriter;
import dev.tessera.geometry.io.StlWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tessera convert IN OUT}: any mesh reader to any writer, optionally cleaning on the way. */
@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        description = {
            "Convert a mesh between formats. The input format is detected from the content (OBJ, PLY, STL, OFF,"
                    + " GLB); the output format from OUT's extension (.obj, .ply, .stl, .off, .glb) or --to.",
            "PLY and STL are written binary unless --ascii. The output file is replaced atomically."
        })
final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "The mesh to read.")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The file to write.")
    Path out;

    @Option(
            names = "--to",
            paramLabel = "FORMAT",
            description = "Output format, when OUT's extension does not say: ${COMPLETION-CANDIDATES}.")
    MeshIO.Format to;

    @Option(names = "--ascii", description = "Write PLY or STL as text instead of binary.")
    boolean ascii;

    @Option(
            names = "--clean",
            description = "Clean the mesh before writing: merge near vertices, drop degenerate and duplicate faces,"
                    + " small components (see --min-component) and unreferenced vertices.")
    boolean clean;

    @Option(
            names = "--merge-tolerance",
            paramLabel = "FRACTION",
            defaultValue = "1e-6",
            description = "With --clean: merge vertices closer than this fraction of the bounding-box diagonal"
                    + " (default ${DEFAULT-VALUE}; 0 merges exact duplicates only).")
    double mergeTolerance;

    @Option(
            names = "--min-component",
            paramLabel = "FRACTION",
            defaultValue = "0",
            description = "With --clean: drop components with less than this fraction of the total area"
                    + " (default ${DEFAULT-VALUE}: keep all).")
    double minComponent;

    @Override
    public Integer call() throws IOException {
        MeshIO.Format format = to != null
                ? to
                : MeshIO.Format.ofExtension(out)
                        .orElseThrow(() -> new ParameterException(
                                spec.commandLine(),
                                "cannot tell the output format from '" + out
                                        + "'; use an extension .obj, .ply, .stl, .off or .glb, or --to"));
        if (ascii && format != MeshIO.Format.PLY && format != MeshIO.Format.STL) {
            throw new ParameterException(spec.commandLine(), "--ascii applies to PLY and STL output only");
        }
        if (!(minComponent >= 0 && minComponent < 1)) {
            throw new ParameterException(spec.commandLine(), "--min-component must be in [0, 1)");
        }
        if (!(mergeTolerance >= 0) || Double.isInfinite(mergeTolerance)) {
            throw new ParameterException(spec.commandLine(), "--merge-tolerance must be a finite number >= 0");
        }
        PrintWriter o = spec.commandLine().getOut();
        TriangleMesh mesh = MeshFiles.read(in);
        String cleaned = "";
        if (clean) {
            MeshCleanup.Result r = MeshCleanup.cleanWithReport(mesh, new CleanupOptions(mergeTolerance, minComponent));
            mesh = r.mesh();
            cleaned = " (" + r.summary() + ")";
        }
        if (ascii && format == MeshIO.Format.PLY) {
            PlyWriter.write(out, mesh, PlyWriter.Encoding.ASCII);
        } else if (ascii) {
            StlWriter.writeAscii(out, mesh);
        } else {
            MeshIO.write(out, mesh, format);
        }
        o.println("wrote " + out + ": " + mesh.vertexCount() + " vertices, " + mesh.triangleCount() + " triangles"
                + cleaned);
        o.flush();
        return Cli.OK;
    }
}
