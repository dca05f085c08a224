package dev.tessera.model.sparse;

import dev.tessera.data.prep.MeshSampleBuilder;
import dev.tessera.data.prep.PrepException;
import dev.tessera.data.prep.PrepOptions;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.sample.Sample;
import dev.tessera.geometry.Aabb;
import dev.tessera.geometry.DenseGrid;
import dev.tessera.geometry.MarchingCubes;
import dev.tessera.geometry.MeshDistance;
import dev.tessera.geometry.MetricsOptions;
import dev.tessera.geometry.Normalization;
import dev.tessera.geometry.SparseGrid;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.Voxelizer;
import dev.tessera.model.Checkpoint;
import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import dev.tessera.model.sparse.conv.SparseTensor;
import dev.tessera.model.vecset.SurfaceExtraction;
import dev.tessera.model.vecset.VecsetReconstruction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * A mesh through a trained sparse VAE and back ({@code tessera reconstruct} for the sparse families): normalised and
 * made watertight as {@code tessera prep} does, voxelised as the samples are, encoded (posterior mean), decoded, and
 * turned into a mesh.
 *
 * <ul>
 *   <li>Sparse SDF VAE: the sparse SDF band at the model's resolution → decoded with predicted pruning → the surface
 *       of the decoded SDF by sparse marching cubes ({@link SparseSdfMesh}).
 *   <li>Sparse-structure VAE: the surface-voxel occupancy (64³, max-pooled to the model's grid) → the decoded
 *       occupancy (logit &gt; 0) → its outside found by flood fill from the border, and marching cubes of the field
 *       +1 outside, −1 enclosed, ≈0 on the occupied voxels: a closed surface through the occupied voxels' centres.
 * </ul>
 *
 * <p>Besides the mesh metrics against the watertight input ({@code docs/metrics.md}), both report {@code voxel_iou}
 * of the decoded voxels with the input's (for the SDF VAE: inside band voxels, {@link SparseSdfVae#iou}).
 */
public final class SparseReconstruction {
    private SparseReconstruction() {}

    /**
     * What a reconstruction gives.
     *
     * @param mesh the reconstruction (in the source frame when asked for)
     * @param reference the watertight normalised input surface
     * @param normalization the transform from the source frame to the sample frame
     * @param inputVoxels active (occupied or band) voxels of the input
     * @param outputVoxels active voxels of the decoding
     * @param metrics {@code voxel_iou}, and the mesh metrics when asked for
     * @param seconds wall time of each stage
     */
    public record Result(
            TriangleMesh mesh,
            TriangleMesh reference,
            Normalization normalization,
            long inputVoxels,
            long outputVoxels,
            Map<String, Double> metrics,
            Map<String, Double> seconds) {}

    /** Whether the checkpoint in {@code dir} holds a sparse VAE (by its weights' {@code config_class}). */
    public static boolean isSparse(Path dir) throws IOException {
        String cls = configClass(dir);
        return SparseStructureVaeConfig.class.getName().equals(cls)
                || SparseSdfVaeConfig.class.getName().equals(cls);
    }

    private static String configClass(Path dir) throws IOException {
        Path w = dir.resolve(Checkpoint.WEIGHTS);
        if (!Files.exists(w)) {
            throw new java.nio.file.NoSuchFileException(
                    w.toString(), null, "not a checkpoint directory (config.json + model.safetensors)");
        }
        try (SafetensorsReader r = SafetensorsReader.open(w)) {
            return r.metadata().get("config_class");
        }
    }

    /** Loads a sparse VAE checkpoint in eval mode: a {@link SparseStructureVae} or a {@link SparseSdfVae}. */
    public static Module load(Path dir) throws IOException {
        String cls = configClass(dir);
        Module m;
        if (SparseStructureVaeConfig.class.getName().equals(cls)) {
            m = new SparseStructureVae(Checkpoint.config(dir, SparseStructureVaeConfig.class), Rng.cpu(0));
        } else if (SparseSdfVaeConfig.class.getName().equals(cls)) {
            m = new SparseSdfVae(Checkpoint.config(dir, SparseSdfVaeConfig.class), Rng.cpu(0));
        } else {
            throw new IllegalArgumentException(dir + ": not a sparse VAE checkpoint (config_class " + cls + ")");
        }
        Checkpoint.load(dir, m);
        m.eval();
        return m;
    }

    /**
     * Reconstructs {@code source} with a sparse VAE from {@link #load}.
     *
     * @param prep the normalisation, watertight and sparse-band settings (those the training set was prepared with)
     * @param sourceFrame map the result back to the source mesh's frame (else keep the normalised sample frame)
     * @param metrics compare the result with the watertight input, or null for the voxel IoU only
     * @param minComponentArea drop parts with less than this share of the surface's area, as the vecset
     *     reconstruction does ({@link SurfaceExtraction#clean(TriangleMesh, double, int)}; 0 keeps all)
     * @param targetFaces decimate to at most this many triangles (0: keep all)
     * @throws PrepException when the mesh has no area or encloses no volume
     */
    public static Result reconstruct(
            Module vae,
            TriangleMesh source,
            PrepOptions prep,
            boolean sourceFrame,
            MetricsOptions metrics,
            double minComponentArea,
            int targetFaces)
            throws PrepException {
        Map<String, Double> seconds = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        MeshSampleBuilder.Normalized n = MeshSampleBuilder.normalize(source, prep);
        TriangleMesh wt = MeshSampleBuilder.watertight(n.mesh(), prep);
        t0 = lap(seconds, "prepare", t0);
        Map<String, Double> m = new LinkedHashMap<>();
        TriangleMesh mesh;
        long in, out;
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            if (vae instanceof SparseSdfVae sdfVae) {
                int r = sdfVae.config().resolution();
                SparseGrid g = Voxelizer.sparseSdf(
                        wt,
                        Aabb.cube(1),
                        r,
                        (int) Math.ceil(prep.sparseBand()),
                        Voxelizer.SdfAt.CENTERS,
                        MeshDistance.of(wt)::signed);
                SparseTensor x = sdfVae.batch(List.of(g.coords()), List.of(g.values()));
                t0 = lap(seconds, "voxelize", t0);
                SparseTensor y = sdfVae.reconstruct(x);
                t0 = lap(seconds, "encode+decode", t0);
                m.put("voxel_iou", SparseSdfVae.iou(y, x));
                in = x.size();
                out = y.size();
                mesh = SparseSdfMesh.extract(y, 0, 0f);
            } else if (vae instanceof SparseStructureVae ssVae) {
                int r = ssVae.config().resolution();
                float[] occ = occupancy(wt, r);
                Tensor x = Tensors.fromFloats(occ, 1, 1, r, r, r);
                t0 = lap(seconds, "voxelize", t0);
                Tensor logits = ssVae.reconstruct(x); // [1, 1, R, R, R]
                t0 = lap(seconds, "encode+decode", t0);
                m.put("voxel_iou", SparseStructureVae.iou(logits, x));
                float[] l = Tensors.toFloats(logits.contiguous().view(-1));
                boolean[] occupied = new boolean[l.length];
                long k = 0, ki = 0;
                for (int i = 0; i < l.length; i++) {
                    occupied[i] = l[i] > 0;
                    k += occupied[i] ? 1 : 0;
                    ki += occ[i] > 0.5f ? 1 : 0;
                }
                in = ki;
                out = k;
                mesh = occupancyMesh(occupied, r);
            } else {
                throw new IllegalArgumentException(
                        "not a sparse VAE: " + vae.getClass().getSimpleName());
            }
        }
        mesh = SurfaceExtraction.clean(mesh, minComponentArea, targetFaces);
        t0 = lap(seconds, "mesh", t0);
        if (metrics != null) {
            m.putAll(VecsetReconstruction.compare(wt, mesh, metrics));
            t0 = lap(seconds, "metrics", t0);
        }
        TriangleMesh result = sourceFrame ? VecsetReconstruction.inverse(mesh, n.normalization()) : mesh;
        return new Result(result, wt, n.normalization(), in, out, m, seconds);
    }

    /** The surface-voxel occupancy of a normalised watertight mesh at {@code r³} (64³ max-pooled), as prep builds it. */
    static float[] occupancy(TriangleMesh wt, int r) {
        SparseSamples.checkResolution(r);
        int n = Sample.VOXEL_RESOLUTION;
        return SparseSamples.pool(Voxelizer.dense(Voxelizer.surface(wt, Aabb.cube(1), n)), (byte) 1, r);
    }

    /**
     * A closed surface around occupied voxels of an {@code r³} grid over {@code [-1, 1]³} (row-major x, y, z): the
     * voxels reachable from outside the grid through unoccupied face neighbours are outside (+1), the occupied ones
     * ≈0 (−0.02), the rest enclosed (−1); marching cubes at 0 over the voxel centres, padded by one outside layer.
     */
    public static TriangleMesh occupancyMesh(boolean[] occupied, int r) {
        int p = r + 2;
        float[] f = new float[p * p * p];
        java.util.Arrays.fill(f, -1f);
        boolean[] outside = new boolean[p * p * p];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                for (int k = 0; k < p; k++) {
                    if (i == 0 || j == 0 || k == 0 || i == p - 1 || j == p - 1 || k == p - 1) {
                        int q = (i * p + j) * p + k;
                        outside[q] = true;
                        queue.add(q);
                    } else if (occupied[((i - 1) * r + j - 1) * r + k - 1]) {
                        f[(i * p + j) * p + k] = -0.02f;
                    }
                }
            }
        }
        int[] step = {p * p, -p * p, p, -p, 1, -1};
        while (!queue.isEmpty()) {
            int q = queue.poll();
            int i = q / (p * p), j = q / p % p, k = q % p;
            for (int d = 0; d < 6; d++) {
                int ni = i + (d == 0 ? 1 : d == 1 ? -1 : 0), nj = j + (d == 2 ? 1 : d == 3 ? -1 : 0);
                int nk = k + (d == 4 ? 1 : d == 5 ? -1 : 0);
                if (ni < 0 || nj < 0 || nk < 0 || ni >= p || nj >= p || nk >= p) {
                    continue;
                }
                int nq = q + step[d];
                if (outside[nq] || occupied[((ni - 1) * r + nj - 1) * r + nk - 1]) {
                    continue;
                }
                outside[nq] = true;
                queue.add(nq);
            }
        }
        for (int q = 0; q < f.length; q++) {
            if (outside[q]) {
                f[q] = 1f;
            }
        }
        double h = 2.0 / r;
        double lo = -1 - h / 2, hi = 1 + h / 2;
        return MarchingCubes.extract(DenseGrid.adopt(new Aabb(lo, lo, lo, hi, hi, hi), p, f), 0f);
    }

    private static long lap(Map<String, Double> seconds, String stage, long t0) {
        long t = System.nanoTime();
        seconds.put(stage, (t - t0) / 1e9);
        return t;
    }
}
