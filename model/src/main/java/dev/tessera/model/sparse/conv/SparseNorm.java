package dev.tessera.model.sparse.conv;

/** A normalisation of a sparse tensor's features: {@link SparseGroupNorm} or {@link SparseLayerNorm}. */
public sealed interface SparseNorm permits SparseGroupNorm, SparseLayerNorm {
    /** {@code x [N, C]} → same voxels, same shape. */
    SparseTensor forward(SparseTensor x);

    /** {@code "layer"} (per-voxel LayerNorm over channels) or {@code "group"} (GroupNorm, min(32, C) groups). */
    static SparseNorm of(String type, long channels) {
        return switch (type) {
            case "layer" -> new SparseLayerNorm(channels);
            case "group" -> new SparseGroupNorm(Math.min(32, channels), channels);
            default ->
                throw new IllegalArgumentException("norm_type must be \"layer\" or \"group\", got \"" + type + "\"");
        };
    }
}
