package dev.tessera.model.sparse.conv;

import java.util.Locale;

/**
 * A sparse convolution was refused before it allocated anything: even its leanest algorithm ({@link
 * SparseConvolution.Algorithm#OUTPUT_GATHER}) is estimated to need more memory than is available. The message gives
 * the estimate, the budget and the ways out.
 */
public final class ConvolutionTooLargeException extends IllegalStateException {
    private final long estimatedBytes;
    private final long budgetBytes;

    public ConvolutionTooLargeException(
            long voxels, long pairs, long channelsIn, long channelsOut, long estimatedBytes, long budgetBytes) {
        super(String.format(
                Locale.ROOT,
                "a sparse convolution of %,d voxels (%,d kernel pairs, %d → %d channels) needs about %.2f GiB, "
                        + "over the %.2f GiB available; use fewer voxels (a lower resolution, a smaller batch), "
                        + "fewer channels, or a machine with more memory",
                voxels,
                pairs,
                channelsIn,
                channelsOut,
                estimatedBytes / (double) (1L << 30),
                budgetBytes / (double) (1L << 30)));
        this.estimatedBytes = estimatedBytes;
        this.budgetBytes = budgetBytes;
    }

    /** The estimate in bytes. */
    public long estimatedBytes() {
        return estimatedBytes;
    }

    /** The memory that was available, in bytes. */
    public long budgetBytes() {
        return budgetBytes;
    }
}
