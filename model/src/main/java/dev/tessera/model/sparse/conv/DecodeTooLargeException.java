package dev.tessera.model.sparse.conv;

import java.util.Locale;

/**
 * A sparse decode was refused before it ran: an upsampling would keep more voxels than the memory budget allows. The message
 * gives the estimate, the budget and the ways out.
 */
public final class DecodeTooLargeException extends IllegalStateException {
    private final double estimatedBytes;
    private final long budgetBytes;

    public DecodeTooLargeException(long voxels, int resolution, double estimatedBytes, long budgetBytes) {
        super(String.format(
                Locale.ROOT,
                "decoding would keep %,d voxels of the %d³ grid, about %.2f GiB, over the %.2f GiB budget; "
                        + "the latent predicts far more surface than a shape has (an untrained or diverged model?) — "
                        + "decode at a lower resolution, or raise the budget (--max-memory, "
                        + "SparseSdfVae.withMaxDecodeBytes) if the machine has the memory",
                voxels,
                resolution,
                estimatedBytes / (1L << 30),
                (double) budgetBytes / (1L << 30)));
        this.estimatedBytes = estimatedBytes;
        this.budgetBytes = budgetBytes;
    }

    /** The estimate in bytes. */
    public double estimatedBytes() {
        return estimatedBytes;
    }

    /** The budget in bytes. */
    public long budgetBytes() {
        return budgetBytes;
    }
}
