package dev.tessera.model.sparse;

import dev.tessera.model.DiagonalGaussian;
import dev.tessera.model.Tensors;
import dev.tessera.model.sparse.conv.DecodeTooLargeException;
import dev.tessera.model.sparse.conv.SparseTensor;
import dev.tessera.model.sparse.conv.SparseUpsampleBlock3d;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The sparse SDF VAE: an {@code encoder} ({@link SparseSdfEncoder}) from the truncated signed distance at the active
 * voxels of a {@code resolution³} grid over {@code [-1, 1]³} to a Gaussian latent at the active voxels of the coarsest
 * level, and a {@code decoder} ({@link SparseSdfDecoder}) that upsamples and prunes back to the input resolution and
 * predicts the truncated SDF at every kept voxel.
 *
 * <p>Units: the samples store the SDF in the normalised frame ({@code docs/sample-format.md}); the model sees
 * {@code clamp(sdf / (truncation · h), −1, 1)} with the voxel size {@code h = 2 / resolution}, and {@link
 * #toDistance} maps its output back.
 *
 * <p>Training ({@link #losses}) decodes a posterior sample with teacher forcing — every upsampling keeps the
 * children that are in the input — so the SDF loss compares the prediction with the target row for row, and each
 * level's occupancy head learns the true children by binary cross-entropy (the pruning loss). Reconstruction
 * ({@link #reconstruct}) decodes the posterior mean and keeps the predicted children.
 */
public final class SparseSdfVae extends Module {
    /** The terms of one training loss, and what the model predicted. */
    public record Losses(
            Tensor loss, Tensor sdf, Tensor prune, Tensor kl, Tensor pruneAccuracy, SparseTensor prediction) {}

    private final SparseSdfVaeConfig config;
    private final SparseSdfEncoder encoder;
    private final SparseSdfDecoder decoder;
    private long maxDecodeBytes = defaultDecodeBudget();

    public SparseSdfVae(SparseSdfVaeConfig config, Generator g) {
        super("SparseSdfVae");
        this.config = config;
        this.encoder = register_module("encoder", new SparseSdfEncoder(config, g));
        this.decoder = register_module("decoder", new SparseSdfDecoder(config, g));
    }

    /** Half of the machine's physical memory (the JVM's view), the default budget of a guide-less decode. */
    public static long defaultDecodeBudget() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize() / 2;
        }
        return 8L << 30;
    }

    /** Sets the memory budget of a guide-less decode (see {@link DecodeTooLargeException}); returns this. */
    public SparseSdfVae withMaxDecodeBytes(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("the decode budget must be positive, got " + bytes);
        }
        this.maxDecodeBytes = bytes;
        return this;
    }

    public long maxDecodeBytes() {
        return maxDecodeBytes;
    }

    public SparseSdfVaeConfig config() {
        return config;
    }

    public SparseSdfEncoder encoder() {
        return encoder;
    }

    public SparseSdfDecoder decoder() {
        return decoder;
    }

    /** The voxel size of the input grid over {@code [-1, 1]³}. */
    public double voxelSize() {
        return 2.0 / config.resolution();
    }

    /** Signed distances {@code [N, 1]} in the normalised frame → the model's truncated, scaled input {@code [N, 1]}. */
    public Tensor toTsdf(Tensor sdf) {
        double scale = 1.0 / (config.truncation() * voxelSize());
        return sdf.mul(new Scalar(scale))
                .clamp(new ScalarOptional(new Scalar(-1.0)), new ScalarOptional(new Scalar(1.0))); // [N, 1]
    }

    /** The model's output {@code [N, 1]} → signed distances in the normalised frame (within the truncation band). */
    public Tensor toDistance(Tensor tsdf) {
        return tsdf.mul(new Scalar(config.truncation() * voxelSize())); // [N, 1]
    }

    /**
     * A batch of samples' sparse SDF as a sparse tensor {@code [N, 1]} (distances in the normalised frame).
     *
     * @param coords per item, {@code [N_b · 3]} voxel coordinates (the samples' {@code sparse.coords})
     * @param sdf per item, {@code [N_b]} signed distances (the samples' {@code sparse.sdf})
     * @throws IllegalArgumentException when an item is empty
     */
    public SparseTensor batch(List<int[]> coords, List<float[]> sdf) {
        int b = coords.size();
        long total = 0;
        for (int i = 0; i < b; i++) {
            if (coords.get(i).length == 0) {
                throw new IllegalArgumentException("batch item " + i + " has no sparse voxels; the sparse SDF VAE "
                        + "needs the band around a surface (prep with --sparse-resolution " + config.resolution()
                        + ")");
            }
            if (coords.get(i).length != 3 * sdf.get(i).length) {
                throw new IllegalArgumentException("batch item " + i + ": " + coords.get(i).length / 3
                        + " coordinates but " + sdf.get(i).length + " SDF values");
            }
            total += sdf.get(i).length;
        }
        long[] c = new long[Math.toIntExact(4 * total)];
        float[] v = new float[Math.toIntExact(total)];
        int o = 0;
        for (int i = 0; i < b; i++) {
            int[] ci = coords.get(i);
            float[] si = sdf.get(i);
            for (int k = 0; k < si.length; k++, o++) {
                c[4 * o] = i;
                c[4 * o + 1] = ci[3 * k];
                c[4 * o + 2] = ci[3 * k + 1];
                c[4 * o + 3] = ci[3 * k + 2];
                v[o] = si[k];
            }
        }
        int r = config.resolution();
        return SparseTensor.of(Tensors.fromLongs(c, total, 4), Tensors.fromFloats(v, total, 1), b, r, r, r);
    }

    /**
     * The training loss of a batch {@code sdf [N, 1]} (signed distances at the active voxels of the input grid): encode,
     * sample the posterior with noise from {@code g}, decode with teacher forcing, compare.
     */
    public Losses losses(SparseTensor sdf, Generator g) {
        checkInput(sdf);
        SparseTensor tsdf = sdf.replace(toTsdf(sdf.feats())); // [N, 1]
        List<SparseTensor> levels = new ArrayList<>();
        SparseSdfEncoder.Posterior post = encoder.forward(tsdf, levels);
        DiagonalGaussian q = post.gaussian();
        Tensor z = q.sample(g); // [N_L, latent]
        List<SparseTensor> guides = new ArrayList<>();
        for (int l = levels.size() - 2; l >= 0; l--) {
            guides.add(levels.get(l)); // coarsest first, the latent level excluded
        }
        SparseSdfDecoder.Output out = decoder.forward(post.latent(z), guides, Long.MAX_VALUE);
        Tensor pred = out.sdf().feats(); // [N, 1], the input's voxels in the input's order
        if (pred.size(0) != tsdf.size()) {
            throw new IllegalStateException(
                    "teacher-forced decode kept " + pred.size(0) + " voxels for " + tsdf.size() + " inputs");
        }
        Tensor sdfLoss = config.sdfLoss().equals("l1")
                ? torch.l1_loss(pred, tsdf.feats())
                : torch.mse_loss(pred, tsdf.feats()); // []
        Tensor prune = null, correct = null;
        long children = 0;
        for (SparseUpsampleBlock3d.Output o : out.levels()) {
            Tensor target = o.keep().to(ScalarType.Float); // [8N]
            Tensor bce = torch.binary_cross_entropy_with_logits(o.logits(), target); // []
            prune = prune == null ? bce : prune.add(bce);
            Tensor right = o.logits().gt(new Scalar(0)).eq(o.keep()).sum(); // []
            correct = correct == null ? right : correct.add(right);
            children += o.logits().size(0);
        }
        prune = prune.div(new Scalar(out.levels().size())); // []
        Tensor kl = q.klMean(); // []
        Tensor loss = sdfLoss.add(prune.mul(new Scalar(config.lambdaPrune())))
                .add(kl.mul(new Scalar(config.lambdaKl()))); // []
        Tensor accuracy = correct.to(ScalarType.Float).div(new Scalar((double) children)); // []
        return new Losses(loss, sdfLoss, prune, kl, accuracy, out.sdf());
    }

    /** Encodes to the posterior at the latent voxels. */
    public SparseSdfEncoder.Posterior encode(SparseTensor sdf) {
        checkInput(sdf);
        return encoder.forward(sdf.replace(toTsdf(sdf.feats())), null);
    }

    /**
     * Decodes latents {@code z [N_L, latent]} at their voxels, keeping the predicted children: signed distances
     * {@code [N, 1]} in the normalised frame at the predicted voxels of the input grid.
     *
     * @throws DecodeTooLargeException when an upsampling would exceed {@link #maxDecodeBytes()}
     */
    public SparseTensor decode(SparseTensor z) {
        SparseTensor out = decoder.forward(z, null, maxDecodeBytes).sdf();
        return out.replace(toDistance(out.feats()));
    }

    /** Encode (posterior mean) and decode without guidance: the reconstruction a user gets. */
    public SparseTensor reconstruct(SparseTensor sdf) {
        SparseSdfEncoder.Posterior p = encode(sdf);
        return decode(p.latent(p.gaussian().mean()));
    }

    private void checkInput(SparseTensor sdf) {
        int r = config.resolution();
        int[] s = sdf.spatialShape();
        if (s[0] != r || s[1] != r || s[2] != r) {
            throw new IllegalArgumentException("the model takes " + r + "³ voxels, got " + s[0] + "×" + s[1] + "×"
                    + s[2] + "; prep the samples with --sparse-resolution " + r + " or use a config of that size");
        }
        if (sdf.channels() != 1) {
            throw new IllegalArgumentException("the model takes one SDF value per voxel, got " + sdf.channels());
        }
        long[] counts = Tensors.toLongs(sdf.batchCounts());
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) {
                throw new IllegalArgumentException("batch item " + i + " has no active voxels: the sparse SDF VAE "
                        + "encodes the band around a surface and an empty set has none");
            }
        }
    }

    /**
     * Intersection over union of the inside band voxels (SDF &lt; 0) of a prediction and a target on the same grid:
     * a voxel counts when it is active in a set and negative there, so missing, extra and wrongly signed voxels all
     * lower it. Over the whole batch.
     */
    public static double iou(SparseTensor prediction, SparseTensor target) {
        Tensor a =
                prediction.keys().masked_select(prediction.feats().select(1, 0).lt(new Scalar(0))); // [A]
        Tensor b = target.keys().masked_select(target.feats().select(1, 0).lt(new Scalar(0))); // [B]
        long inter = a.size(0) == 0 || b.size(0) == 0
                ? 0
                : torch.isin(a, b, true, false).sum().item_long();
        long union = a.size(0) + b.size(0) - inter;
        return union == 0 ? 1.0 : (double) inter / union;
    }
}
