package dev.tessera.app;

import dev.tessera.data.prep.PrepOptions;
import dev.tessera.geometry.MetricsOptions;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.io.MeshIO;
import dev.tessera.model.Torch;
import dev.tessera.model.sparse.SparseReconstruction;
import dev.tessera.model.vecset.ShapeVae;
import dev.tessera.model.vecset.SurfaceExtraction;
import dev.tessera.model.vecset.VecsetReconstruction;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tessera reconstruct}: a mesh through a trained VAE and back (a thin layer over VecsetReconstruction). */
@Command(
        name = "reconstruct",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Reconstruct a mesh with a trained VAE and write OUT (GLB, OBJ, PLY, STL or OFF by its extension)",
            "atomically. All families normalise and make the mesh watertight as prep does, and encode the",
            "posterior mean.",
            "vecset: sample the surface, decode the field coarse to fine near the surface (hierarchically;",
            "--dense for every lattice point), marching cubes, drop floaters, optionally decimate; prints the",
            "decoder queries made against a dense decode's (docs/vecset-vae.md).",
            "sparse-sdf: the sparse SDF band at the model's grid, decoded with predicted pruning, sparse",
            "marching cubes (docs/sparse-sdf-vae.md). sparse-structure: the 64³ surface voxels, the decoded",
            "occupancy, a closed surface through the occupied voxels (docs/sparse-structure.md). Both print",
            "the voxel IoU of the decoding with the input."
        })
final class ReconstructCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--ckpt", required = true, paramLabel = "RUN", description = "A train-vae run or checkpoint.")
    Path ckpt;

    @Option(names = "--mesh", required = true, paramLabel = "MESH", description = "The mesh to reconstruct.")
    Path mesh;

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "Output mesh (.glb .obj .ply ...).")
    Path out;

    @Option(names = "--resolution", description = "Vecset: decoding lattice cells per axis (default: 256).")
    Integer resolution;

    @Option(names = "--dense", description = "Vecset: decode every lattice point instead of hierarchically.")
    boolean dense;

    @Option(names = "--decimate", paramLabel = "FACES", description = "Decimate to at most FACES triangles.")
    Integer decimate;

    @Option(
            names = "--min-component",
            paramLabel = "FRACTION",
            description = "Drop parts under this share of the area (default: 0.01; 0 keeps all).")
    Double minComponent;

    @Option(
            names = "--watertight-resolution",
            defaultValue = "256",
            description = "Watertight remeshing grid, as prep's --resolution (default: ${DEFAULT-VALUE}).")
    int watertightResolution;

    @Option(
            names = "--max-memory",
            paramLabel = "GiB",
            description = "Sparse SDF: refuse a decode estimated to need more than this (default: half the RAM).")
    Double maxMemory;

    @Option(names = "--normalized", description = "Keep the result in the normalised sample frame.")
    boolean normalized;

    @Option(names = "--metrics", description = "Compare with the watertight input: IoU, Chamfer, F-score.")
    boolean metrics;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the surface samples (default: 0).")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (decimate != null && decimate < 4) {
            throw new ParameterException(spec.commandLine(), "--decimate needs at least 4 faces, got " + decimate);
        }
        if (minComponent != null && !(minComponent >= 0 && minComponent < 1)) {
            throw new ParameterException(
                    spec.commandLine(), "--min-component is a share of the area in [0, 1), got " + minComponent);
        }
        if (Files.isDirectory(ckpt) && SparseReconstruction.isSparse(ckpt)) {
            return sparse();
        }
        VecsetReconstruction.Options o;
        try {
            SurfaceExtraction.Options e = SurfaceExtraction.Options.defaults()
                    .withResolution(resolution == null ? 256 : resolution)
                    .withHierarchical(!dense)
                    .withMinComponentArea(minComponentArea())
                    .withTargetFaces(decimate == null ? 0 : decimate);
            PrepOptions prep = PrepOptions.defaults().toBuilder()
                    .watertightResolution(watertightResolution)
                    .build();
            o = VecsetReconstruction.Options.defaults()
                    .withPrep(prep)
                    .withExtraction(e)
                    .withSeed(seed)
                    .withSourceFrame(!normalized)
                    .withMetrics(metrics ? MetricsOptions.defaults() : null);
            if (MeshIO.Format.ofExtension(out).isEmpty()) {
                throw new IllegalArgumentException(
                        out + ": cannot tell the output format; use .glb, .obj, .ply, .stl or .off");
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (!Files.isDirectory(ckpt)) {
            throw new java.io.IOException(ckpt + ": not a checkpoint directory (config.json + model.safetensors)");
        }
        TriangleMesh source = MeshFiles.readSurface(mesh, "reconstruct");
        Torch.load();
        ShapeVae vae = VecsetReconstruction.load(ckpt);
        VecsetReconstruction.Result r = VecsetReconstruction.reconstruct(vae, source, o);
        if (r.mesh().isEmpty()) {
            throw new IllegalStateException("the decoded field has no surface in the box; nothing written");
        }
        PrintWriter p = writeMesh(r.mesh());
        p.printf(
                Locale.ROOT,
                "  decoder queries %,d at %s (%s), %.1f× fewer than dense %,d%n",
                r.queries(),
                VecsetReconstruction.levels(r.decode().resolutions()),
                r.decode().queriesPerLevel(),
                r.denseQueries() / (double) Math.max(1, r.queries()),
                r.denseQueries());
        StringBuilder t = new StringBuilder();
        for (Map.Entry<String, Double> e : r.seconds().entrySet()) {
            t.append(String.format(Locale.ROOT, " %s %.2f s", e.getKey(), e.getValue()));
        }
        p.println("  time:" + t);
        printMetrics(p, r.metrics());
        return Cli.OK;
    }

    /** Writes the reconstruction to {@code out}, prints its one-line summary and returns the writer for the rest. */
    private PrintWriter writeMesh(TriangleMesh m) throws java.io.IOException {
        MeshIO.write(out, m);
        PrintWriter p = spec.commandLine().getOut();
        p.printf(
                Locale.ROOT,
                "reconstruct: %s → %s: %d vertices, %d triangles%n",
                mesh,
                out,
                m.vertexCount(),
                m.triangleCount());
        return p;
    }

    private static void printMetrics(PrintWriter p, Map<String, Double> metrics) {
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            p.printf(Locale.ROOT, "  %-18s %.4f%n", e.getKey(), e.getValue());
        }
        p.flush();
    }

    /** {@code --min-component}, or the extraction's default share (1 %). */
    private double minComponentArea() {
        return minComponent == null ? SurfaceExtraction.Options.defaults().minComponentArea() : minComponent;
    }

    /** A sparse VAE's reconstruction. */
    private Integer sparse() throws Exception {
        java.util.List<String> vecsetOnly = new java.util.ArrayList<>();
        if (resolution != null) {
            vecsetOnly.add("--resolution");
        }
        if (dense) {
            vecsetOnly.add("--dense");
        }
        if (!vecsetOnly.isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(),
                    String.join(", ", vecsetOnly) + " apply to vecset VAEs; " + ckpt + " is a sparse VAE");
        }
        if (MeshIO.Format.ofExtension(out).isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(), out + ": cannot tell the output format; use .glb, .obj, .ply, .stl or .off");
        }
        TriangleMesh source = MeshFiles.readSurface(mesh, "reconstruct");
        Torch.load();
        if (maxMemory != null && !(maxMemory > 0)) {
            throw new ParameterException(spec.commandLine(), "--max-memory must be positive, got " + maxMemory);
        }
        org.bytedeco.pytorch.Module vae = SparseReconstruction.load(ckpt);
        if (maxMemory != null) {
            if (!(vae instanceof dev.tessera.model.sparse.SparseSdfVae sdf)) {
                throw new ParameterException(
                        spec.commandLine(), "--max-memory applies to sparse SDF VAEs; " + ckpt + " is not one");
            }
            sdf.withMaxDecodeBytes((long) (maxMemory * (1L << 30)));
        }
        PrepOptions prep = PrepOptions.defaults().toBuilder()
                .watertightResolution(watertightResolution)
                .build();
        SparseReconstruction.Result r = SparseReconstruction.reconstruct(
                vae,
                source,
                prep,
                !normalized,
                metrics ? MetricsOptions.defaults() : null,
                minComponentArea(),
                decimate == null ? 0 : decimate);
        if (r.mesh().isEmpty()) {
            throw new IllegalStateException("the decoding has no surface (voxel IoU "
                    + String.format(Locale.ROOT, "%.4f", r.metrics().get("voxel_iou")) + "); nothing written");
        }
        PrintWriter p = writeMesh(r.mesh());
        p.printf(Locale.ROOT, "  voxels: %,d in, %,d decoded%n", r.inputVoxels(), r.outputVoxels());
        StringBuilder t = new StringBuilder();
        for (Map.Entry<String, Double> e : r.seconds().entrySet()) {
            t.append(String.format(Locale.ROOT, " %s %.2f s", e.getKey(), e.getValue()));
        }
        p.println("  time:" + t);
        printMetrics(p, r.metrics());
        return Cli.OK;
    }
}
