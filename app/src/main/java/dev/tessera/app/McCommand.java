package dev.tessera.app;

import dev.tessera.data.safetensors.DType;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.safetensors.TensorInfo;
import dev.tessera.geometry.Aabb;
import dev.tessera.geometry.DenseGrid;
import dev.tessera.geometry.MarchingCubes;
import dev.tessera.geometry.TriangleMesh;
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

/** {@code tessera mc GRID.safetensors OUT}: the iso-surface of a distance grid, by marching cubes. */
@Command(
        name = "mc",
        mixinStandardHelpOptions = true,
        description = {
            "Extract the iso-surface of a grid by marching cubes: a closed, welded, outward-oriented mesh with normals.",
            "GRID holds the layout 'tessera sdf' writes: a float tensor 'sdf' (or 'udf') of shape [NX, NY, NZ],"
                    + " samples at the grid points, x slowest, and 'bounds' [6] = min x y z, max x y z"
                    + " (assumed [-1, 1]³ when absent).",
            "OUT's extension picks the format: .obj .ply .stl .off .glb."
        })
final class McCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "GRID", description = "The grid, a .safetensors file.")
    Path grid;

    @Parameters(index = "1", paramLabel = "OUT", description = "The mesh to write.")
    Path out;

    @Option(
            names = "--level",
            paramLabel = "L",
            description = "Iso-value; values below are inside. Default: 0 for 'sdf', one grid step for 'udf'"
                    + " (the offset surface of the watertight recipe; see 'tessera watertight' for its outer shell).")
    Double level;

    @Option(
            names = "--tensor",
            paramLabel = "NAME",
            description = "The tensor to use (default: 'sdf', else 'udf', else the only 3-D tensor).")
    String tensor;

    @Override
    public Integer call() throws IOException {
        if (level != null && !Double.isFinite(level)) {
            throw new ParameterException(spec.commandLine(), "--level must be a finite number, got " + level);
        }
        PrintWriter o = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        DenseGrid g;
        String name;
        try (SafetensorsReader r = SafetensorsReader.open(grid)) {
            name = pickTensor(r);
            g = readGrid(r, name);
        }
        double iso = level != null ? level : name.equals("udf") ? g.bounds().maxSize() / Math.max(g.nx(), 1) : 0;
        TriangleMesh mesh = MarchingCubes.extract(g, (float) iso);
        if (mesh.isEmpty()) {
            throw new IllegalArgumentException(grid + ": no surface at level " + iso + " (values range " + range(g)
                    + "); pick a level inside that range with --level");
        }
        MeshIO.write(out, mesh);
        o.printf(
                Locale.ROOT,
                "%s: %s '%s' %d×%d×%d at level %s → %d vertices, %d triangles in %.2f s%n",
                out,
                grid.getFileName(),
                name,
                g.nx(),
                g.ny(),
                g.nz(),
                iso,
                mesh.vertexCount(),
                mesh.triangleCount(),
                (System.nanoTime() - t0) / 1e9);
        o.flush();
        return Cli.OK;
    }

    private String pickTensor(SafetensorsReader r) {
        if (tensor != null) {
            if (!r.contains(tensor)) {
                throw new IllegalArgumentException(grid + ": no tensor '" + tensor + "' (has " + r.names() + ")");
            }
            return tensor;
        }
        for (String n : new String[] {"sdf", "udf"}) {
            if (r.contains(n)) {
                return n;
            }
        }
        String only = null;
        for (String n : r.names()) {
            if (r.info(n).shape().length == 3) {
                if (only != null) {
                    throw new IllegalArgumentException(
                            grid + ": several 3-D tensors (" + only + ", " + n + ", ...); choose one with --tensor");
                }
                only = n;
            }
        }
        if (only == null) {
            throw new IllegalArgumentException(grid + ": no 'sdf', 'udf' or other 3-D tensor (has " + r.names()
                    + "); write one with 'tessera sdf'");
        }
        return only;
    }

    /** Reads the grid, checking its shape before reading any data. */
    static DenseGrid readGrid(SafetensorsReader r, String name) throws IOException {
        TensorInfo t = r.info(name);
        long[] s = t.shape();
        if (s.length != 3 || s[0] < 2 || s[1] < 2 || s[2] < 2) {
            throw new IllegalArgumentException(r.path() + ": tensor '" + name + "' has shape " + t.shapeString()
                    + "; a grid needs [NX, NY, NZ] with at least 2 samples per axis");
        }
        if (t.numel() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(r.path() + ": tensor '" + name + "' " + t.shapeString() + " has "
                    + t.numel() + " samples, more than one Java array holds (2³¹)");
        }
        if (t.dtype() != DType.F32 && t.dtype() != DType.F16 && t.dtype() != DType.BF16 && t.dtype() != DType.F64) {
            throw new IllegalArgumentException(
                    r.path() + ": tensor '" + name + "' is " + t.dtype() + "; a grid needs floating-point values");
        }
        Aabb box = Aabb.cube(1);
        if (r.contains("bounds")) {
            TensorInfo b = r.info("bounds");
            if (b.numel() != 6) {
                throw new IllegalArgumentException(
                        r.path() + ": 'bounds' has shape " + b.shapeString() + "; expected [6] = min x y z, max x y z");
            }
            double[] v = r.doubles("bounds");
            for (int a = 0; a < 3; a++) {
                if (!(v[a] < v[a + 3]) || !Double.isFinite(v[a]) || !Double.isFinite(v[a + 3])) {
                    throw new IllegalArgumentException(r.path() + ": 'bounds' " + java.util.Arrays.toString(v)
                            + " is not a box (each min must be below its max)");
                }
            }
            box = new Aabb(v[0], v[1], v[2], v[3], v[4], v[5]);
        }
        return DenseGrid.adopt(box, (int) s[0], (int) s[1], (int) s[2], r.floats(name));
    }

    private static String range(DenseGrid g) {
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < g.size(); i++) {
            lo = Math.min(lo, g.get(i));
            hi = Math.max(hi, g.get(i));
        }
        return "[" + lo + ", " + hi + "]";
    }
}
