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
import dev.tessera.model.vecset.ShapeVae;
import dev.tessera.model.vecset.ShapeVaeConfig;
import java.io.IOException;
import java.nio.file.Path;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The VecSet VAE's decoder ({@link ShapeVae}): a latent {@code [L, E]} to decoded tokens once, then the signed field
 * (negative inside) at the points of an {@code R³} lattice over {@code [-1.01, 1.01]³} in chunks, then marching cubes
 * at 0. The lattice is padded with one layer of outside values, so the mesh is closed even where the field is
 * negative at the box's faces.
 *
 * <p>This evaluates every lattice point. Hierarchical (coarse-to-fine) decoding belongs to the VAE's own {@code
 * reconstruct}; when it is on main, this decoder should call it.
 */
public final class VecSetLatentDecoder implements LatentDecoder {
    /** Half side of the decoding box, as Hunyuan3D-2's {@code bounds = (-1.01, …, 1.01)}. */
    public static final double BOUND = 1.01;

    private static final int CHUNK = 32768;

    private final ShapeVae vae;
    private final VaeReference reference;

    /** Wraps a loaded VAE. */
    public VecSetLatentDecoder(ShapeVae vae, VaeReference reference) {
        this.vae = vae;
        this.reference = reference;
        vae.eval();
    }

    /** Loads a VecSet VAE checkpoint directory ({@code config.json} + {@code model.safetensors}). */
    public static VecSetLatentDecoder open(Path dir) throws IOException {
        ShapeVaeConfig config = Checkpoint.config(dir, ShapeVaeConfig.class);
        ShapeVae vae = new ShapeVae(config, Rng.cpu(0));
        Checkpoint.load(dir, vae);
        return new VecSetLatentDecoder(vae, VaeReference.of(dir));
    }

    @Override
    public LatentKind kind() {
        return LatentKind.VECSET;
    }

    @Override
    public long[] latentShape() {
        return new long[] {vae.config().numLatents(), vae.config().embedDim()};
    }

    @Override
    public VaeReference reference() {
        return reference;
    }

    /** The signed field (negative inside) at the {@code r³} lattice points over the box, x slowest. */
    public float[] field(Tensor latent, int r) {
        float[] out = new float[r * r * r];
        double h = 2 * BOUND / (r - 1);
        try (NoGradGuard ng = new NoGradGuard();
                StepScope s = new StepScope()) {
            Tensor tokens = vae.decode(latent.unsqueeze(0)); // [1, L, W]
            Tensor kv = vae.queryKeysValues(tokens); // [1, L, 2w]
            float[] xyz = new float[3 * CHUNK];
            for (int start = 0; start < out.length; start += CHUNK) {
                int n = Math.min(CHUNK, out.length - start);
                for (int p = 0; p < n; p++) {
                    int idx = start + p;
                    int i = idx / (r * r), j = (idx / r) % r, k = idx % r;
                    xyz[3 * p] = (float) (-BOUND + i * h);
                    xyz[3 * p + 1] = (float) (-BOUND + j * h);
                    xyz[3 * p + 2] = (float) (-BOUND + k * h);
                }
                try (StepScope c = new StepScope()) {
                    Tensor pts = Tensors.fromFloats(java.util.Arrays.copyOf(xyz, 3 * n), 1, n, 3); // [1, n, 3]
                    Tensor v = vae.signedField(vae.queryCached(pts, kv)); // [1, n]
                    System.arraycopy(Tensors.toFloats(v), 0, out, start, n);
                }
            }
        }
        return out;
    }

    @Override
    public TriangleMesh mesh(Tensor latent, int resolution) {
        int r = Math.max(8, resolution);
        float[] f = field(latent, r);
        int n = r + 2;
        float[] padded = new float[n * n * n];
        java.util.Arrays.fill(padded, 1f);
        int inside = 0;
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < r; j++) {
                for (int k = 0; k < r; k++) {
                    float v = f[(i * r + j) * r + k];
                    padded[((i + 1) * n + (j + 1)) * n + (k + 1)] = v;
                    if (v < 0) {
                        inside++;
                    }
                }
            }
        }
        if (inside == 0) {
            throw new EmptyShapeException("the decoded field is positive (outside) at every lattice point");
        }
        if (inside == r * r * r) {
            throw new EmptyShapeException("the decoded field is negative (inside) at every lattice point");
        }
        double h = 2 * BOUND / (r - 1);
        double lo = -BOUND - h, hi = BOUND + h;
        return MarchingCubes.extract(DenseGrid.adopt(new Aabb(lo, lo, lo, hi, hi, hi), n, padded), 0f);
    }
}
