package dev.tessera.app;

import dev.tessera.geometry.ContactSheet;
import dev.tessera.geometry.InvalidMeshException;
import dev.tessera.geometry.RenderOptions;
import dev.tessera.geometry.RenderOptions.Background;
import dev.tessera.geometry.RenderOptions.NormalSpace;
import dev.tessera.geometry.RenderOptions.Srgb;
import dev.tessera.geometry.Renderer.Output;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.io.MeshIO;
import dev.tessera.geometry.io.Png;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tessera render MESH... --out x.png}: a contact sheet of orbit views, one view, or one view of each mesh. */
@Command(
        name = "render",
        mixinStandardHelpOptions = true,
        description = {
            "Render meshes to a PNG with the built-in software renderer (no GPU needed).",
            "One mesh: a contact sheet of --views orbit views around it (yaw steps of 360/views), or a single"
                    + " image with --views 1. Several meshes: one view of each, in a grid captioned with the file"
                    + " names.",
            "Yaw turns around +Y (0 looks from +Z, 90 from +X), positive pitch looks down; see docs/rendering.md."
        })
final class RenderCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MESH", arity = "1..*", description = "Mesh files (OBJ, PLY, STL, OFF, GLB).")
    List<Path> meshes;

    @Option(names = "--out", required = true, paramLabel = "PNG", description = "The PNG file to write.")
    Path out;

    @Option(
            names = "--views",
            paramLabel = "N",
            description = "Orbit views of one mesh (default 8; 1 for a single image).")
    Integer views;

    @Option(
            names = "--size",
            defaultValue = "512",
            paramLabel = "PX",
            description = "Width and height of each view in pixels (default ${DEFAULT-VALUE}).")
    int size;

    @Option(
            names = "--yaw",
            defaultValue = "30",
            paramLabel = "DEG",
            description = "Yaw of the first view in degrees (default ${DEFAULT-VALUE}).")
    double yaw;

    @Option(
            names = "--pitch",
            defaultValue = "20",
            paramLabel = "DEG",
            description = "Pitch of every view in degrees, positive from above (default ${DEFAULT-VALUE}).")
    double pitch;

    @Option(
            names = "--fov",
            defaultValue = "35",
            paramLabel = "DEG",
            description = "Vertical field of view in degrees (default ${DEFAULT-VALUE}).")
    double fov;

    @Option(
            names = "--background",
            defaultValue = "white",
            paramLabel = "COLOR",
            description = "white, transparent, black, grey, or #rrggbb (default ${DEFAULT-VALUE}).")
    String background;

    @Option(
            names = "--color",
            paramLabel = "COLOR",
            description = "Surface colour, #rrggbb or a name (default: clay; vertex colours win when present).")
    String color;

    @Option(names = "--columns", defaultValue = "0", paramLabel = "N", description = "Grid columns (default: √N).")
    int columns;

    @Option(names = "--no-labels", description = "Leave out the captions under the views.")
    boolean noLabels;

    @Option(names = "--shared-scale", description = "With several meshes, frame them all alike to compare sizes.")
    boolean sharedScale;

    @Option(
            names = "--normal-space",
            defaultValue = "camera",
            paramLabel = "SPACE",
            description = "Frame of --normals: camera or world (default ${DEFAULT-VALUE}).")
    NormalSpace normalSpace;

    @Option(names = "--flat", description = "Flat shading: one normal per triangle.")
    boolean flat;

    @ArgGroup(exclusive = true)
    Image image;

    static final class Image {
        @Option(names = "--normals", description = "Draw normal maps ((n + 1) / 2 as RGB) instead of shading.")
        boolean normals;

        @Option(names = "--depth", description = "Draw depth (near light, far dark) instead of shading.")
        boolean depth;
    }

    @Override
    public Integer call() throws Exception {
        try {
            return render();
        } catch (CommandLine.ParameterException e) {
            // a bad option value found after parsing: report it like picocli's own usage errors (exit 2)
            PrintWriter err = spec.commandLine().getErr();
            err.println("tessera render: " + e.getMessage());
            err.println("Try 'tessera render --help' for more information.");
            err.flush();
            return Cli.USAGE;
        }
    }

    private int render() throws Exception {
        System.setProperty("java.awt.headless", "true");
        PrintWriter o = spec.commandLine().getOut();
        CommandLine cl = spec.commandLine();
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new CommandLine.ParameterException(cl, "--out must name a .png file, got " + out);
        }
        if (views != null && (views < 1 || views > ContactSheet.MAX_CELLS)) {
            throw new CommandLine.ParameterException(
                    cl, "--views must be 1 to " + ContactSheet.MAX_CELLS + ", got " + views);
        }
        if (meshes.size() > 1 && views != null && views != 1) {
            throw new CommandLine.ParameterException(
                    cl, "--views applies to one mesh; with " + meshes.size() + " meshes each gets one view");
        }
        RenderOptions render;
        try {
            RenderOptions.checkSize(size, size);
            render = RenderOptions.of(size, size)
                    .withBackground(Background.parse(background))
                    .withNormalSpace(normalSpace);
            if (color != null) {
                render = render.withBaseColor(Srgb.parse(color));
            }
            if (flat) {
                render = render.withShading(0, false);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage(), e);
        }
        Output output = image == null ? Output.COLOR : image.normals ? Output.NORMALS : Output.DEPTH;
        int n = meshes.size() > 1 ? 1 : views == null ? 8 : views;
        boolean single = meshes.size() == 1 && n == 1;
        ContactSheet.Options sheet;
        try {
            sheet = ContactSheet.Options.of(size)
                    .withRender(render)
                    .withOutput(output)
                    .withColumns(columns)
                    .withLabels(!noLabels && !single)
                    .withFraming(fov, 1.08, sharedScale);
            if (single) {
                sheet = sheet.withGap(0);
            }
            ContactSheet.layout(meshes.size() > 1 ? meshes.size() : n, sheet); // sizes checked before reading
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage(), e);
        }

        long t0 = System.nanoTime();
        List<TriangleMesh> loaded = new ArrayList<>();
        List<String> names = new ArrayList<>();
        long vertices = 0, triangles = 0;
        for (Path p : meshes) {
            TriangleMesh m = MeshIO.read(p);
            if (m.isEmpty() || !(m.area() > 0)) { // a sheet would leave its cell blank; a render of it is a mistake
                throw new InvalidMeshException(p + ": no triangles of positive area to draw");
            }
            loaded.add(m);
            names.add(p.getFileName().toString());
            vertices += m.vertexCount();
            triangles += m.triangleCount();
        }
        BufferedImage img;
        try {
            img = loaded.size() == 1
                    ? ContactSheet.orbit(loaded.get(0), n, yaw, pitch, sheet)
                    : ContactSheet.grid(loaded, names, yaw, pitch, sheet);
        } catch (IllegalArgumentException e) {
            // name the file when a mesh cannot be drawn
            throw new IllegalArgumentException((loaded.size() == 1 ? meshes.get(0) + ": " : "") + e.getMessage(), e);
        }
        Png.write(img, out);
        double seconds = (System.nanoTime() - t0) / 1e9;
        String what = loaded.size() > 1
                ? loaded.size() + " meshes"
                : (n == 1 ? "1 view" : n + " views") + " of " + names.get(0);
        o.printf(
                Locale.ROOT,
                "wrote %s: %d×%d, %s (%s vertices, %s triangles) in %s%n",
                out,
                img.getWidth(),
                img.getHeight(),
                what,
                Format.count(vertices),
                Format.count(triangles),
                Format.seconds(seconds));
        o.flush();
        return Cli.OK;
    }
}
