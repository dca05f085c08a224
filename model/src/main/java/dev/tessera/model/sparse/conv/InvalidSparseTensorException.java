package dev.tessera.model.sparse.conv;

/**
 * A sparse tensor's coordinates or features are not acceptable: wrong shapes or dtypes, a coordinate outside the
 * batch or spatial shape, or two rows at the same voxel. The message names the row, the coordinate and the fix.
 */
public final class InvalidSparseTensorException extends IllegalArgumentException {
    public InvalidSparseTensorException(String message) {
        super(message);
    }
}
