package dev.tessera.app;

import dev.tessera.geometry.MeshCheck;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.Watertight;
import dev.tessera.geometry.WatertightOptions;
import dev.tessera.geometry.io.MeshIO;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tessera watertight IN OUT}: the closed outer shell of any mesh. */
@Command(
        name = "watertight",
        mixinStandardHelpOptions = true,
        description = {
            "Make a mesh watertight: the outer shell of its offset surface at one grid step, from its unsigned distance"
                    + " on an R³ grid. Every outer part is kept, inner sheets and inner parts are removed; the result"
                    + " is closed, oriented outward and free of degenerate faces (see docs/marching-cubes.md).",
            "IN is any mesh Tessera reads (OBJ, PLY, STL, OFF, GLB); OUT's extension picks the output format."
        })
final class WatertightCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "The mesh to repair.")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The watertight mesh to write.")
    Path out;

    @Option(
            names = {"-r", "--resolution"},
            paramLabel = "R",
            description = "Grid points per axis (default ${DEFAULT-VALUE}); detail and the widest hole sealed are"
                    + " about 2/R of the shape's size; memory about 8·R³ bytes.")
    int resolution = WatertightOptions.DEFAULT.resolution();

    @Option(
            names = "--margin",
            paramLabel = "M",
            description = "Free space around the shape, as a fraction of its longest side (default ${DEFAULT-VALUE}).")
    double margin = WatertightOptions.DEFAULT.margin();

    @Option(
            names = "--shrink",
            description = "Move the surface back by the offset onto the input (thin parts become two facing sheets).")
    boolean shrink;

    @Override
    public Integer call() throws IOException {
        if (MeshIO.Format.ofExtension(out).isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(), out + ": cannot tell the output format; use .obj, .ply, .stl, .off or .glb");
        }
        PrintWriter o = spec.commandLine().getOut();
        if (resolution < 16 || resolution > 1024) {
            throw new ParameterException(spec.commandLine(), "--resolution must be in [16, 1024], got " + resolution);
        }
        if (!(margin >= 0 && margin <= 10)) {
            throw new ParameterException(spec.commandLine(), "--margin must be in [0, 10], got " + margin);
        }
        WatertightOptions options = new WatertightOptions(resolution, margin, shrink);
        long t0 = System.nanoTime();
        TriangleMesh mesh = MeshFiles.readSurface(in, "watertight remeshing");
        long t1 = System.nanoTime();
        TriangleMesh closed = Watertight.remesh(mesh, options);
        long t2 = System.nanoTime();
        MeshIO.write(out, closed);
        long t3 = System.nanoTime();
        MeshCheck check = MeshCheck.of(closed);
        o.printf(
                Locale.ROOT,
                "%s: %d vertices, %d triangles, %d component%s, genus %d, %s%n",
                out,
                closed.vertexCount(),
                closed.triangleCount(),
                check.components(),
                check.components() == 1 ? "" : "s",
                check.genus(),
                check.isWatertight() ? "watertight" : "NOT watertight: " + check);
        o.printf(
                Locale.ROOT,
                "  from %s (%d triangles) at %d³%s: read %.2f s, remesh %.2f s, write %.2f s%n",
                in.getFileName(),
                mesh.triangleCount(),
                resolution,
                shrink ? ", shrunk" : "",
                (t1 - t0) / 1e9,
                (t2 - t1) / 1e9,
                (t3 - t2) / 1e9);
        o.flush();
        return check.isWatertight() ? Cli.OK : Cli.FAILED;
    }
}
