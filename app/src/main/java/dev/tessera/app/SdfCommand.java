package dev.tessera.app;

import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.safetensors.SafetensorsWriter;
import dev.tessera.data.safetensors.TensorInfo;
import dev.tessera.geometry.Aabb;
import dev.tessera.geometry.DenseGrid;
import dev.tessera.geometry.MeshDistance;
import dev.tessera.geometry.Normalization;
import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tessera sdf MESH (--resolution R | --points FILE) --out F}: signed distances of a mesh. */
@Command(
        name = "sdf",
        mixinStandardHelpOptions = true,
        description = {
            "Signed distance to a mesh, negative inside, on a dense grid or at given points. The magnitude is the"
                    + " exact distance to the nearest triangle; the sign comes from the fast winding number (inside"
                    + " where it is at least 1/2), so meshes with holes, flipped or duplicated faces still get the"
                    + " inside right. Grids are exact within two grid steps of the surface and propagated farther"
                    + " (docs/distance.md).",
            "Output by OUT's extension:",
            "- .safetensors: a grid writes 'sdf' (or 'udf') [R, R, R], x slowest, and 'bounds' [6] (min x y z,"
                    + " max x y z): the layout 'tessera mc' reads. Points write 'sdf' [N] and 'points' [N, 3].",
            "- .npy: the values alone, float32, [R, R, R] or [N].",
            "Points are read from .npy (float32/float64 [N, 3]) or .safetensors ('points' [N, 3], or the only"
                    + " [N, 3] tensor), in the mesh's units (after --normalize, if given).",
            "Files are written atomically (a temporary file, then a rename)."
        })
final class SdfCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MESH", description = "The mesh (OBJ, PLY, STL, OFF, GLB).")
    Path mesh;

    @ArgGroup(multiplicity = "1")
    Where where;

    /** A grid or points: exactly one. */
    static final class Where {
        @Option(
                names = {"-r", "--resolution", "--grid"},
                paramLabel = "R",
                description = "Grid points per axis, 2 to " + MeshDistance.MAX_RESOLUTION + " (memory about 8·R³"
                        + " bytes).")
        Integer resolution;

        @Option(names = "--points", paramLabel = "FILE", description = "Query points, .npy or .safetensors, [N, 3].")
        Path points;
    }

    @Option(
            names = {"-o", "--out"},
            required = true,
            paramLabel = "OUT",
            description = "The file to write: .safetensors or .npy.")
    Path out;

    @Option(
            names = "--normalize",
            paramLabel = "H",
            description = "First map the mesh into [-H, H]³ (centred, longest half-side H); the grid's default"
                    + " box is then [-1, 1]³.")
    Double normalize;

    @Option(
            names = "--bounds",
            split = ",",
            paramLabel = "X0,Y0,Z0,X1,Y1,Z1",
            description =
                    "The grid's box. Default: [-1, 1]³ with --normalize, else a cube around the mesh with a twentieth"
                            + " of its longest side free on each side.")
    List<Double> bounds;

    @Option(names = "--unsigned", description = "Write the unsigned distance ('udf') instead.")
    boolean unsigned;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        boolean npyOut = Npy.hasNpyExtension(out);
        if (!npyOut && !out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
            throw new ParameterException(
                    spec.commandLine(), out + ": cannot tell the output format; use .safetensors or .npy");
        }
        if (normalize != null && !(normalize > 0 && Double.isFinite(normalize))) {
            throw new ParameterException(spec.commandLine(), "--normalize must be a positive number, got " + normalize);
        }
        if (where.resolution != null && (where.resolution < 2 || where.resolution > MeshDistance.MAX_RESOLUTION)) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--resolution must be in [2, " + MeshDistance.MAX_RESOLUTION + "], got " + where.resolution);
        }
        if (where.points != null && bounds != null) {
            throw new ParameterException(spec.commandLine(), "--bounds applies to grids, not to --points");
        }
        Aabb box = bounds == null ? null : parseBounds();
        long t0 = System.nanoTime();
        TriangleMesh m = MeshFiles.readSurface(mesh, "a distance field");
        Normalization norm = null;
        if (normalize != null) {
            norm = m.normalization(normalize);
            m = m.transformed(norm);
        }
        MeshDistance md = MeshDistance.of(m);
        String name = unsigned ? "udf" : "sdf";
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("mesh", mesh.getFileName().toString());
        meta.put(
                "sign",
                unsigned
                        ? "unsigned distance to the nearest triangle"
                        : "negative inside (fast winding number >= 1/2), exact distance to the nearest triangle");
        if (norm != null) {
            meta.put(
                    "normalization",
                    String.format(
                            Locale.ROOT,
                            "p' = (p - (%s, %s, %s)) * %s",
                            norm.centerX(),
                            norm.centerY(),
                            norm.centerZ(),
                            norm.scale()));
        }
        float[] values;
        String what;
        if (where.resolution != null) {
            int r = where.resolution;
            if (box == null) {
                box = normalize != null ? Aabb.cube(1) : around(m.bounds());
            }
            DenseGrid g = unsigned ? md.unsignedGrid(box, r) : md.signedGrid(box, r);
            values = g.values();
            what = String.format(
                    Locale.ROOT,
                    "%d³ grid over [%.4g, %.4g]×[%.4g, %.4g]×[%.4g, %.4g]",
                    r,
                    box.minX(),
                    box.maxX(),
                    box.minY(),
                    box.maxY(),
                    box.minZ(),
                    box.maxZ());
            if (npyOut) {
                Npy.writeFloats(out, values, r, r, r);
            } else {
                new SafetensorsWriter()
                        .metadata(meta)
                        .addFloats(name, values, r, r, r)
                        .addFloats(
                                "bounds",
                                new float[] {
                                    (float) box.minX(),
                                    (float) box.minY(),
                                    (float) box.minZ(),
                                    (float) box.maxX(),
                                    (float) box.maxY(),
                                    (float) box.maxZ()
                                },
                                6)
                        .write(out);
            }
        } else {
            float[] q = readPoints(where.points);
            int n = q.length / 3;
            values = unsigned ? md.unsigned(q) : md.signed(q);
            what = Format.count(n) + " points";
            if (npyOut) {
                Npy.writeFloats(out, values, n);
            } else {
                new SafetensorsWriter()
                        .metadata(meta)
                        .addFloats(name, values, n)
                        .addFloats("points", q, n, 3)
                        .write(out);
            }
        }
        int inside = 0;
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            inside += v < 0 ? 1 : 0;
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        o.printf(
                Locale.ROOT,
                "%s: '%s' of %s (%d triangles) at %s: range [%.6g, %.6g]%s, %.2f s%n",
                out,
                name,
                mesh.getFileName(),
                m.triangleCount(),
                what,
                lo,
                hi,
                unsigned ? "" : String.format(Locale.ROOT, ", %.2f %% inside", 100.0 * inside / values.length),
                (System.nanoTime() - t0) / 1e9);
        o.flush();
        return Cli.OK;
    }

    private Aabb parseBounds() {
        if (bounds.size() != 6) {
            throw new ParameterException(
                    spec.commandLine(), "--bounds needs 6 numbers X0,Y0,Z0,X1,Y1,Z1, got " + bounds.size());
        }
        for (int a = 0; a < 3; a++) {
            double lo = bounds.get(a), hi = bounds.get(a + 3);
            if (!(lo < hi) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
                throw new ParameterException(
                        spec.commandLine(), "--bounds " + bounds + " is not a box (each min must be below its max)");
            }
        }
        return new Aabb(bounds.get(0), bounds.get(1), bounds.get(2), bounds.get(3), bounds.get(4), bounds.get(5));
    }

    /** A cube centred on {@code b} whose side is b's longest side plus 5 % of it on each side. */
    static Aabb around(Aabb b) {
        double s = b.maxSize();
        if (!(s > 0)) {
            throw new IllegalArgumentException(
                    "the mesh has no extent (all its vertices are one point): " + b + "; pass --bounds");
        }
        double h = 0.55 * s;
        return new Aabb(
                b.centerX() - h, b.centerY() - h, b.centerZ() - h, b.centerX() + h, b.centerY() + h, b.centerZ() + h);
    }

    /** Packed {@code xyz} query points from a .npy or .safetensors file, checked. */
    static float[] readPoints(Path p) throws IOException {
        if (Files.isDirectory(p)) {
            throw new IOException(p + ": is a directory, not a points file");
        }
        if (!Files.exists(p)) {
            throw new NoSuchFileException(p + ": no such file");
        }
        float[] q;
        long[] shape;
        if (Npy.isNpy(p)) {
            Npy.Floats f = Npy.readFloats(p);
            q = f.data();
            shape = f.shape();
        } else {
            try (SafetensorsReader r = SafetensorsReader.open(p)) {
                String name = null;
                if (r.contains("points")) {
                    name = "points";
                } else {
                    for (String n : r.names()) {
                        long[] s = r.info(n).shape();
                        if (s.length == 2 && s[1] == 3) {
                            if (name != null) {
                                throw new IOException(p + ": several [N, 3] tensors (" + name + ", " + n
                                        + "); name the points tensor 'points'");
                            }
                            name = n;
                        }
                    }
                }
                if (name == null) {
                    throw new IOException(p + ": no 'points' tensor and no [N, 3] tensor (has " + r.names() + ")");
                }
                TensorInfo t = r.info(name);
                if (!t.dtype().name().startsWith("F") && !t.dtype().name().startsWith("BF")) {
                    throw new IOException(p + ": tensor '" + name + "' is " + t.dtype() + "; points must be floats");
                }
                if (t.numel() > Integer.MAX_VALUE - 8) {
                    throw new IOException(p + ": tensor '" + name + "' is too large for one array");
                }
                shape = t.shape();
                q = r.floats(name);
            }
        }
        if (shape.length != 2 || shape[1] != 3) {
            throw new IOException(p + ": points have shape " + java.util.Arrays.toString(shape) + "; expected [N, 3]");
        }
        if (shape[0] == 0) {
            throw new IOException(p + ": holds no points");
        }
        for (int i = 0; i < q.length; i++) {
            if (!Float.isFinite(q[i])) {
                throw new IOException(
                        String.format(Locale.ROOT, "%s: point %d has a non-finite coordinate (%s)", p, i / 3, q[i]));
            }
        }
        return q;
    }
}
