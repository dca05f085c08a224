package dev.tessera.model.sparse;

import dev.tessera.model.DiagonalGaussian;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * TRELLIS's sparse-structure VAE for training: an {@code encoder} ({@link SparseStructureEncoder}) and a {@code
 * decoder} ({@link SparseStructureDecoder}) with the loss of TRELLIS's {@code SparseStructureVaeTrainer} — the
 * occupancy term chosen by {@code loss_type} on the decoding of a posterior sample, plus {@code lambda_kl} times the
 * KL divergence averaged over the latent's elements.
 *
 * <p>The released checkpoints hold the encoder and decoder in two files; load them into {@link #encoder()} and
 * {@link #decoder()} separately. This module's own state dict prefixes them with {@code encoder.} and {@code
 * decoder.}.
 */
public final class SparseStructureVae extends Module {
    /** The terms of one training loss: the total, the occupancy term, the KL term, and the decoded logits. */
    public record Losses(Tensor loss, Tensor occupancy, Tensor kl, Tensor logits) {}

    private final SparseStructureVaeConfig config;
    private final SparseStructureEncoder encoder;
    private final SparseStructureDecoder decoder;

    /** A VAE of the given config, initialised from {@code g}. */
    public SparseStructureVae(SparseStructureVaeConfig config, Generator g) {
        super("SparseStructureVae");
        this.config = config;
        this.encoder = register_module("encoder", new SparseStructureEncoder(config, g));
        this.decoder = register_module("decoder", new SparseStructureDecoder(config, g));
    }

    public SparseStructureVaeConfig config() {
        return config;
    }

    public SparseStructureEncoder encoder() {
        return encoder;
    }

    public SparseStructureDecoder decoder() {
        return decoder;
    }

    /**
     * The training loss of a batch of occupancies {@code [B, 1, R, R, R]} (0/1 floats): encode, sample the posterior
     * with noise from {@code g}, decode, compare.
     */
    public Losses losses(Tensor occupancy, Generator g) {
        Tensor target = occupancy.to(ScalarType.Float); // [B, 1, R, R, R]
        DiagonalGaussian posterior = encoder.forward(target); // [B, latent, r, r, r] ×2
        Tensor z = posterior.sample(g); // [B, latent, r, r, r]
        Tensor logits = decoder.forward(z); // [B, 1, R, R, R]
        Tensor occ = occupancyLoss(config.lossType(), logits, target); // []
        Tensor kl = posterior.klMean(); // []
        Tensor loss = config.lambdaKl() == 0 ? occ : occ.add(kl.mul(new Scalar(config.lambdaKl()))); // []
        return new Losses(loss, occ, kl, logits);
    }

    /** Deterministic reconstruction (decode the posterior mean): {@code [B, 1, R, R, R]} → logits, same shape. */
    public Tensor reconstruct(Tensor occupancy) {
        return decoder.forward(encoder.forward(occupancy.to(ScalarType.Float)).mean()); // [B, 1, R, R, R]
    }

    /**
     * An occupancy loss between logits and a 0/1 target of the same shape, as TRELLIS's trainer defines them: {@code
     * "bce"} (binary cross-entropy with logits, mean), {@code "l1"} (mean |σ(logits) − target|), {@code "dice"} (1 −
     * (2 Σ σ·t + 1) / (Σ σ + Σ t + 1) over the whole batch), or {@code "bce_dice"} (their sum).
     */
    public static Tensor occupancyLoss(String type, Tensor logits, Tensor target) {
        return switch (type) {
            case "bce" -> torch.binary_cross_entropy_with_logits(logits, target); // []
            case "l1" -> torch.l1_loss(logits.sigmoid(), target); // []
            case "dice" -> dice(logits, target); // []
            case "bce_dice" ->
                torch.binary_cross_entropy_with_logits(logits, target).add(dice(logits, target));
            default -> throw new IllegalArgumentException("unknown loss_type \"" + type + "\"");
        };
    }

    private static Tensor dice(Tensor logits, Tensor target) {
        Tensor p = logits.sigmoid(); // [B, 1, R, R, R]
        Tensor num = p.mul(target).sum().mul(new Scalar(2.0)).add(new Scalar(1.0)); // []
        Tensor den = p.sum().add(target.sum()).add(new Scalar(1.0)); // []
        return num.div(den).neg().add(new Scalar(1.0)); // []
    }

    /** Intersection over union of the occupied voxels (logit > 0) with a 0/1 target, over the whole batch. */
    public static double iou(Tensor logits, Tensor target) {
        Tensor pred = logits.gt(new Scalar(0.0)); // bool
        Tensor truth = target.gt(new Scalar(0.5)); // bool
        double inter = pred.logical_and(truth).sum().item_double();
        double union = pred.logical_or(truth).sum().item_double();
        return union == 0 ? 1.0 : inter / union;
    }
}
