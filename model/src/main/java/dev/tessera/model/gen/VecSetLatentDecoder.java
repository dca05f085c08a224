package dev.tessera.model.gen;

import dev.tessera.geometry.TriangleMesh;
import dev.tessera.model.latent.LatentKind;
import dev.tessera.model.latent.VaeReference;
import dev.tessera.model.vecset.DenseVolumeDecoder;
import dev.tessera.model.vecset.HierarchicalVolumeDecoder;
import dev.tessera.model.vecset.PointField;
import dev.tessera.model.vecset.ShapeVae;
import dev.tessera.model.vecset.SurfaceExtraction;
import dev.tessera.model.vecset.VecsetField;
import dev.tessera.model.vecset.VecsetReconstruction;
import java.io.IOException;
import java.nio.file.Path;
import org.bytedeco.pytorch.Tensor;

/**
 * The VecSet VAE's decoder ({@link ShapeVae}) as {@code generate} uses it: a latent {@code [L, E]} becomes a {@link
 * VecsetField} (tokens and the geometry decoder's keys and values computed once, points queried in chunks with
 * bounded memory), extracted by the VAE's own {@link SurfaceExtraction} — hierarchically ({@link
 * HierarchicalVolumeDecoder}), on an {@code R}-cell lattice over {@code [-1.01, 1.01]³}, Hunyuan3D-2's box — and
 * cleaned of floaters. One decoding path for {@code generate} and {@code reconstruct}. The field is forced outside
 * on the box's faces ({@link SurfaceExtraction#closedAtFaces}), so the mesh is closed even where the shape reaches
 * the box.
 */
public final class VecSetLatentDecoder implements LatentDecoder {
    /** Half side of the decoding box, as Hunyuan3D-2's {@code bounds = (-1.01, …, 1.01)}. */
    public static final double BOUND = 1.01;

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
        return new VecSetLatentDecoder(VecsetReconstruction.load(dir), VaeReference.of(dir));
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

    /** The extraction settings for a lattice of {@code resolution} cells. */
    public static SurfaceExtraction.Options extraction(int resolution) {
        return SurfaceExtraction.Options.defaults().withResolution(resolution);
    }

    /**
     * The signed field (negative inside) at the {@code r³} lattice points over the box ({@code r - 1} cells), x
     * slowest: a dense decode ({@link DenseVolumeDecoder}), memory checked first.
     */
    public float[] field(Tensor latent, int r) {
        try (VecsetField f = new VecsetField(vae, latent, 0)) {
            return DenseVolumeDecoder.decode(f, extraction(r - 1).lattice(), null)
                    .values();
        }
    }

    /**
     * The clean surface of one latent on a {@code resolution}-cell lattice (at least 8), decoded hierarchically.
     *
     * @throws EmptyShapeException when the field has no surface in the box
     */
    @Override
    public TriangleMesh mesh(Tensor latent, int resolution) {
        SurfaceExtraction.Options o = extraction(Math.max(8, resolution));
        try (VecsetField f = new VecsetField(vae, latent, 0)) {
            boolean[] seen = new boolean[2]; // an inside value, an outside value (the coarse lattice sees every point)
            PointField watched = new PointField() {
                @Override
                public float[] values(float[] xyz) {
                    float[] v = f.values(xyz);
                    for (float x : v) {
                        seen[x < 0 ? 0 : 1] = true;
                    }
                    return v;
                }

                @Override
                public double distancePerUnit() {
                    return f.distancePerUnit();
                }
            };
            PointField closed = SurfaceExtraction.closedAtFaces(watched, o.lattice(), 1e-3f);
            TriangleMesh raw = SurfaceExtraction.surface(closed, o, null);
            if (!seen[0] || !seen[1] || raw.isEmpty()) {
                throw new EmptyShapeException(
                        seen[0]
                                ? "the decoded field is negative (inside) at every lattice point"
                                : "the decoded field is positive (outside) at every lattice point");
            }
            return SurfaceExtraction.clean(raw, o);
        }
    }
}
