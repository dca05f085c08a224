package dev.tessera.model.sparse.conv;

import dev.tessera.model.Tensors;
import dev.tessera.model.Torch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A batch of sparse voxel grids: integer coordinates {@code [N, 4]} = (batch, x, y, z), one feature row {@code [N, C]}
 * per voxel, a batch size and a spatial shape {@code D × H × W}. This is the value spconv's {@code SparseConvTensor},
 * torchsparse's {@code SparseTensor} and TRELLIS's {@code sp.SparseTensor} hold, built on plain libtorch tensors so
 * that autograd, the CPU and CUDA come for free.
 *
 * <p><b>Canonical order.</b> Rows are always stored in (batch, x, y, z) lexicographic order, without duplicates. This
 * is what makes every kernel map a sorted-array search, and it keeps each batch item's rows contiguous. {@link #of}
 * accepts rows in any order and sorts them (a documented normalisation: {@link #inputOrder()} tells which input row
 * each stored row came from); it refuses duplicate coordinates and coordinates outside the batch or the spatial shape
 * with an {@link InvalidSparseTensorException} naming the row.
 *
 * <p><b>Empty sets.</b> A tensor with no voxels is valid: convolutions, norms and pruning map it to empty tensors.
 * Models that cannot work on nothing (an encoder) refuse it themselves.
 *
 * <p><b>Caching.</b> Tensors made from one another with the same coordinates ({@link #replace}) share one spatial
 * cache: the coordinate keys and the kernel maps of every convolution applied to that coordinate set, so each map is
 * built once per coordinate set. Cached tensors created inside a {@code StepScope} die with it; the cache notices
 * and rebuilds, so a sparse tensor may outlive the steps that use it.
 */
public final class SparseTensor {
    static {
        Torch.load();
    }

    private final Tensor coords; // [N, 4] int64
    private final Tensor feats; // [N, C]
    private final int batchSize;
    private final int[] shape;
    private final SpatialCache cache;
    private final Tensor inputOrder; // [N] int64 or null (identity)

    private SparseTensor(
            Tensor coords, Tensor feats, int batchSize, int[] shape, SpatialCache cache, Tensor inputOrder) {
        this.coords = coords;
        this.feats = feats;
        this.batchSize = batchSize;
        this.shape = shape;
        this.cache = cache;
        this.inputOrder = inputOrder;
    }

    /**
     * A sparse tensor from user data, validated and put in canonical order.
     *
     * @param coords {@code [N, 4]} integer (int64, int32 or int16) rows (batch, x, y, z), any row order
     * @param feats {@code [N, C]} floating features, one row per coordinate row
     * @param batchSize number of grids; every batch index must be in {@code [0, batchSize)}
     * @param spatialShape {@code D, H, W}; every x must be in {@code [0, D)}, and so on
     * @throws InvalidSparseTensorException on a bad shape or dtype, a coordinate out of range, or a duplicate
     */
    public static SparseTensor of(Tensor coords, Tensor feats, int batchSize, int... spatialShape) {
        VoxelKeys.checkKeySpace(batchSize, spatialShape);
        int[] shape = spatialShape.clone();
        if (coords.dim() != 2 || coords.size(1) != 4) {
            throw new InvalidSparseTensorException("sparse coordinates must be [N, 4] (batch, x, y, z), got "
                    + Arrays.toString(Tensors.shape(coords)));
        }
        ScalarType ct = coords.scalar_type().intern();
        if (ct != ScalarType.Long && ct != ScalarType.Int && ct != ScalarType.Short) {
            throw new InvalidSparseTensorException(
                    "sparse coordinates must be int64, int32 or int16, got " + ct + "; convert them first");
        }
        if (feats.dim() != 2 || feats.size(0) != coords.size(0)) {
            throw new InvalidSparseTensorException("sparse features must be [N, C] with N = " + coords.size(0)
                    + " (one row per coordinate), got " + Arrays.toString(Tensors.shape(feats)));
        }
        if (!feats.is_floating_point()) {
            throw new InvalidSparseTensorException("sparse features must be floating point, got "
                    + feats.scalar_type().intern());
        }
        Tensor c = coords.to(ScalarType.Long).contiguous(); // [N, 4]
        long n = c.size(0);
        if (n == 0) {
            return new SparseTensor(c, feats, batchSize, shape, new SpatialCache(), null);
        }
        checkRange(c, batchSize, shape);
        Tensor keys = VoxelKeys.encode(c, shape); // [N]
        boolean canonical = n == 1
                || keys.narrow(0, 1, n - 1).gt(keys.narrow(0, 0, n - 1)).all().item_bool();
        if (canonical) {
            return new SparseTensor(c, feats, batchSize, shape, new SpatialCache(keys), null);
        }
        var sorted = torch.sort(keys, new org.bytedeco.pytorch.BoolOptional(true), 0, false); // stable
        Tensor sk = sorted.get0(); // [N]
        Tensor order = sorted.get1(); // [N]
        Tensor same = sk.narrow(0, 1, n - 1).eq(sk.narrow(0, 0, n - 1)); // [N - 1]
        if (same.any().item_bool()) {
            long i = torch.nonzero(same).select(1, 0).select(0, 0).item_long();
            long a = order.select(0, i).item_long(), b = order.select(0, i + 1).item_long();
            throw new InvalidSparseTensorException("sparse coordinates: rows " + Math.min(a, b) + " and "
                    + Math.max(a, b) + " are both at " + describe(c, a) + "; merge duplicate voxels first "
                    + "(sum or average their features)");
        }
        return new SparseTensor(
                c.index_select(0, order), feats.index_select(0, order), batchSize, shape, new SpatialCache(sk), order);
    }

    private static void checkRange(Tensor c, int batchSize, int[] shape) {
        Tensor bounds = Tensors.fromLongs(new long[] {batchSize, shape[0], shape[1], shape[2]}, 4)
                .to(c.device(), ScalarType.Long); // [4]
        Tensor bad = c.lt(new Scalar(0)).logical_or(c.ge(bounds)).any(1); // [N]
        if (bad.any().item_bool()) {
            long row = torch.nonzero(bad).select(1, 0).select(0, 0).item_long();
            throw new InvalidSparseTensorException("sparse coordinates: row " + row + " at " + describe(c, row)
                    + " is outside batch size " + batchSize + " × spatial shape " + Arrays.toString(shape)
                    + "; every batch index must be in [0, " + batchSize + ") and every x, y, z in [0, D), [0, H), "
                    + "[0, W)");
        }
    }

    private static String describe(Tensor c, long row) {
        long[] v = Tensors.toLongs(c.select(0, row));
        return "(batch " + v[0] + ", x " + v[1] + ", y " + v[2] + ", z " + v[3] + ")";
    }

    /**
     * The active voxels of a dense grid: {@code dense [B, C, D, H, W]} at the voxels where {@code mask [B, D, H, W]}
     * is true (differentiable in {@code dense}).
     */
    public static SparseTensor fromDense(Tensor dense, Tensor mask) {
        if (dense.dim() != 5 || mask.dim() != 4) {
            throw new InvalidSparseTensorException("fromDense needs dense [B, C, D, H, W] and mask [B, D, H, W], got "
                    + Arrays.toString(Tensors.shape(dense)) + " and " + Arrays.toString(Tensors.shape(mask)));
        }
        int b = (int) dense.size(0);
        int[] shape = {(int) dense.size(2), (int) dense.size(3), (int) dense.size(4)};
        VoxelKeys.checkKeySpace(b, shape);
        Tensor coords = torch.nonzero(mask.to(ScalarType.Bool)); // [N, 4] in lexicographic order
        long c = dense.size(1);
        Tensor flat = dense.permute(0, 2, 3, 4, 1).reshape(-1, c); // [B·D·H·W, C]
        Tensor keys = VoxelKeys.encode(coords, shape); // [N]
        return new SparseTensor(coords, flat.index_select(0, keys), b, shape, new SpatialCache(keys), null);
    }

    /** Internal constructor for coordinates already in canonical order (the results of sparse ops). */
    static SparseTensor canonical(Tensor coords, Tensor keys, Tensor feats, int batchSize, int[] shape) {
        return new SparseTensor(coords, feats, batchSize, shape, new SpatialCache(keys), null);
    }

    /** Internal constructor for canonical coordinates with an existing cache of theirs. */
    static SparseTensor canonical(Tensor coords, SpatialCache cache, Tensor feats, int batchSize, int[] shape) {
        return new SparseTensor(coords, feats, batchSize, shape, cache, null);
    }

    /** The same voxels (and the same cache) with other features {@code [N, C']}. */
    public SparseTensor replace(Tensor newFeats) {
        if (newFeats.dim() != 2 || newFeats.size(0) != coords.size(0)) {
            throw new InvalidSparseTensorException("replacement features must be [" + coords.size(0) + ", C], got "
                    + Arrays.toString(Tensors.shape(newFeats)));
        }
        return new SparseTensor(coords, newFeats, batchSize, shape, cache, null);
    }

    /**
     * The voxels where {@code keep [N]} (bool) is true, with their features, in the same order: a new coordinate set
     * (pruning).
     */
    public SparseTensor select(Tensor keep) {
        if (keep.dim() != 1 || keep.size(0) != coords.size(0)) {
            throw new InvalidSparseTensorException(
                    "a selection mask must be [" + coords.size(0) + "], got " + Arrays.toString(Tensors.shape(keep)));
        }
        Tensor rows = torch.nonzero(keep.to(ScalarType.Bool)).select(1, 0); // [M]
        return canonical(
                coords.index_select(0, rows),
                keys().index_select(0, rows),
                feats.index_select(0, rows),
                batchSize,
                shape);
    }

    /** A dense grid {@code [B, C, D, H, W]} with the features at the active voxels and zeros elsewhere. */
    public Tensor toDense() {
        long voxels = (long) batchSize * shape[0] * shape[1] * shape[2];
        long c = feats.size(1);
        if ((double) voxels * c > Integer.MAX_VALUE) {
            throw new IllegalStateException("a dense copy of " + voxels + " voxels × " + c + " channels is too large; "
                    + "keep the tensor sparse");
        }
        Tensor flat = feats.new_zeros(new long[] {voxels, c}); // [B·D·H·W, C]
        flat = flat.index_copy(0, keys(), feats); // [B·D·H·W, C]
        if (c == 1) {
            // standard strides: the permuted view of a one-channel grid has stride 1 on the channel axis, and
            // libtorch 2.10's conv3d returned wrong input gradients for such a [2, 1, D, H, W] input
            return flat.view(batchSize, 1, shape[0], shape[1], shape[2]); // [B, 1, D, H, W]
        }
        return flat.view(batchSize, shape[0], shape[1], shape[2], c)
                .permute(0, 4, 1, 2, 3)
                .contiguous(); // [B, C, D, H, W]
    }

    /** Coordinates {@code [N, 4]} int64 (batch, x, y, z), canonical order. */
    public Tensor coords() {
        return coords;
    }

    /** Features {@code [N, C]}. */
    public Tensor feats() {
        return feats;
    }

    public int batchSize() {
        return batchSize;
    }

    /** {@code {D, H, W}} (a copy). */
    public int[] spatialShape() {
        return shape.clone();
    }

    /** Number of active voxels. */
    public long size() {
        return coords.size(0);
    }

    /** Feature channels. */
    public long channels() {
        return feats.size(1);
    }

    /**
     * For a tensor made by {@link #of}: the input row of each stored row ({@code [N]} int64), or {@code null} when
     * the input was already in canonical order. Use it to map results back to the caller's row order.
     */
    public Tensor inputOrder() {
        return inputOrder;
    }

    /** The linearised keys {@code [N]} int64 of the coordinates, sorted ({@link VoxelKeys}). */
    public Tensor keys() {
        return cache.get("keys", () -> VoxelKeys.encode(coords, shape));
    }

    /**
     * Keeps this tensor's native memory alive past the {@code StepScope} it was made in: coordinates, features, input
     * order, and its coordinate set's cache as it is now (keys, kernel maps and their gather tables). A loop that
     * runs each layer in its own scope holds the layer's output this way, so every temporary of the layer is freed
     * when its scope closes while the maps are built once per coordinate set. Cache entries built after this call
     * are not held. Close the handle to let go, or {@link Held#handOver()} it to the scope open around the loop.
     */
    public Held hold() {
        keys(); // the keys are part of what later layers need
        List<Tensor> ts = new ArrayList<>();
        ts.add(coords);
        ts.add(feats);
        if (inputOrder != null) {
            ts.add(inputOrder);
        }
        cache.collectTensors(ts);
        return new Held(ts);
    }

    /** Tensors kept alive by {@link #hold()}. */
    public static final class Held implements AutoCloseable {
        private List<Tensor> tensors;

        private Held(List<Tensor> tensors) {
            for (Tensor t : tensors) {
                t.retainReference();
            }
            this.tensors = tensors;
        }

        /** Lets go of the tensors: each is freed unless something else still holds it. */
        @Override
        public void close() {
            if (tensors != null) {
                tensors.forEach(Tensor::releaseReference);
                tensors = null;
            }
        }

        /**
         * Gives the tensors to the innermost {@code PointerScope} open on this thread, which frees them when it
         * closes; with no scope open they stay until the garbage collector's fallback frees them.
         */
        public void handOver() {
            if (tensors != null) {
                dev.tessera.model.StepScope.handOver(tensors);
                tensors = null;
            }
        }
    }

    /** The batch index of each row, {@code [N]} int64. */
    public Tensor batchIndex() {
        return coords.select(1, 0);
    }

    /** Active voxels per batch item, {@code [B]} int64. */
    public Tensor batchCounts() {
        return cache.get(
                "counts",
                () -> size() == 0
                        ? coords.new_zeros(new long[] {batchSize})
                        : torch.bincount(batchIndex(), new org.bytedeco.pytorch.TensorOptional(), batchSize));
    }

    /** The spatial cache shared by every tensor with these coordinates. */
    SpatialCache cache() {
        return cache;
    }

    @Override
    public String toString() {
        return "SparseTensor[" + size() + " voxels × " + channels() + " channels, batch " + batchSize + ", " + shape[0]
                + "×" + shape[1] + "×" + shape[2] + "]";
    }

    /**
     * Derived values of one coordinate set (keys, kernel maps…), built on first use. An entry made of tensors that a
     * closed {@code PointerScope} freed is rebuilt.
     */
    static final class SpatialCache {
        private final Map<String, Object> entries = new HashMap<>();
        Tensor keys;

        SpatialCache() {}

        SpatialCache(Tensor keys) {
            this.keys = keys;
        }

        @SuppressWarnings("unchecked")
        synchronized <T> T get(String name, Supplier<T> build) {
            if (name.equals("keys")) {
                if (keys == null || keys.isNull()) {
                    keys = (Tensor) build.get();
                }
                return (T) keys;
            }
            Object v = entries.get(name);
            if (v == null || !alive(v)) {
                v = build.get();
                entries.put(name, v);
            }
            return (T) v;
        }

        /** Adds the live tensors of every entry (keys included) to {@code into}. */
        synchronized void collectTensors(List<Tensor> into) {
            if (keys != null && !keys.isNull()) {
                into.add(keys);
            }
            for (Object v : entries.values()) {
                if (v instanceof Tensor t && !t.isNull()) {
                    into.add(t);
                } else if (v instanceof KernelMap m) {
                    m.collectTensors(into);
                }
            }
        }

        private static boolean alive(Object v) {
            if (v instanceof Tensor t) {
                return !t.isNull();
            }
            if (v instanceof KernelMap m) {
                return m.alive();
            }
            return true;
        }
    }

    /** {@code [a, b]} concatenated along rows. */
    static Tensor cat(Tensor a, Tensor b) {
        return torch.cat(new TensorVector(a, b));
    }
}
