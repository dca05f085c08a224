package dev.tessera.model.gen;

import dev.tessera.geometry.Aabb;
import dev.tessera.geometry.DenseGrid;
import dev.tessera.geometry.MarchingCubes;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.model.Checkpoint;
import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import dev.tessera.model.latent.LatentKind;
import dev.tessera.model.latent.VaeReference;
import dev.tessera.model.sparse.SparseStructureVae;
import dev.tessera.model.sparse.SparseStructureVaeConfig;
import java.io.IOException;
import java.nio.file.Path;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The sparse-structure VAE's decoder ({@link SparseStructureVae}): a latent grid {@code [C, r, r, r]} to occupancy
 * logits on the {@code R³} voxel grid over {@code [-1, 1]³}, then the surface where the logit crosses 0 (TRELLIS's
 * {@code decoder(z) > 0}), by marching cubes on the voxel centres. The grid is padded with one layer of empty voxels so
 * the mesh is closed.
 */
public final class SparseStructureLatentDecoder implements LatentDecoder {
    private final SparseStructureVae vae;
    private final VaeReference reference;

    /** Wraps a loaded VAE. */
    public SparseStructureLatentDecoder(SparseStructureVae vae, VaeReference reference) {
        this.vae = vae;
        this.reference = reference;
        vae.eval();
    }

    /** Loads a sparse-structure VAE checkpoint directory ({@code config.json} + {@code model.safetensors}). */
    public static SparseStructureLatentDecoder open(Path dir) throws IOException {
        SparseStructureVaeConfig config = Checkpoint.config(dir, SparseStructureVaeConfig.class);
        SparseStructureVae vae = new SparseStructureVae(config, Rng.cpu(0));
        Checkpoint.load(dir, vae);
        return new SparseStructureLatentDecoder(vae, VaeReference.of(dir));
    }

    @Override
    public LatentKind kind() {
        return LatentKind.SPARSE_STRUCTURE;
    }

    @Override
    public long[] latentShape() {
        long r = vae.config().latentResolution();
        return new long[] {vae.config().latentChannels(), r, r, r};
    }

    @Override
    public VaeReference reference() {
        return reference;
    }

    /** Occupancy logits {@code [R, R, R]} of one latent, as floats (x slowest). */
    public float[] logits(Tensor latent) {
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            Tensor l = vae.decoder().forward(latent.unsqueeze(0)); // [1, 1, R, R, R]
            return Tensors.toFloats(l);
        }
    }

    /** The occupancy surface; {@code resolution} is ignored (the VAE's grid is fixed). */
    @Override
    public TriangleMesh mesh(Tensor latent, int resolution) {
        int r = vae.config().resolution();
        float[] logits = logits(latent);
        int n = r + 2;
        float[] padded = new float[n * n * n];
        java.util.Arrays.fill(padded, 1f); // outside: −logit > 0
        int inside = 0;
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < r; j++) {
                for (int k = 0; k < r; k++) {
                    float v = -logits[(i * r + j) * r + k]; // marching cubes: values ≥ level are outside
                    padded[((i + 1) * n + (j + 1)) * n + (k + 1)] = v;
                    if (v < 0) {
                        inside++;
                    }
                }
            }
        }
        if (inside == 0) {
            throw new EmptyShapeException("the decoded occupancy has no occupied voxel");
        }
        double h = 2.0 / r; // voxel size; centres at −1 + (i + ½)·h, padding one voxel further out
        double lo = -1 - h / 2, hi = 1 + h / 2;
        DenseGrid grid = DenseGrid.adopt(new Aabb(lo, lo, lo, hi, hi, hi), n, padded);
        return MarchingCubes.extract(grid, 0f);
    }
}
