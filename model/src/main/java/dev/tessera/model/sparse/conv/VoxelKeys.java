package dev.tessera.model.sparse.conv;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Linearised voxel coordinates: {@code key = ((b·D + x)·H + y)·W + z} for a batch of {@code D × H × W} grids, so the
 * (batch, x, y, z) lexicographic order is the order of the keys and a sorted key array answers membership queries
 * by binary search ({@code searchsorted}). Every function here is built on libtorch ops and runs on the device of
 * its inputs.
 */
final class VoxelKeys {
    private VoxelKeys() {}

    /** The largest number of keys ({@code B·D·H·W}) an int64 key space accepts here. */
    static final long MAX_KEYS = 1L << 62;

    /** The key strides {@code [D·H·W, H·W, W, 1]} of a batch of grids of the given shape. */
    static long[] strides(int[] shape) {
        long w = shape[2], hw = (long) shape[1] * w, dhw = (long) shape[0] * hw;
        return new long[] {dhw, hw, w, 1};
    }

    /** Checks that {@code batch × shape} fits the key space. */
    static void checkKeySpace(int batch, int[] shape) {
        if (batch < 1 || shape.length != 3 || shape[0] < 1 || shape[1] < 1 || shape[2] < 1) {
            throw new InvalidSparseTensorException(
                    "a sparse tensor needs a batch size ≥ 1 and three spatial sizes ≥ 1, " + "got batch " + batch
                            + " and shape " + java.util.Arrays.toString(shape));
        }
        double n = (double) batch * shape[0] * shape[1] * shape[2];
        if (n >= MAX_KEYS) {
            throw new InvalidSparseTensorException("batch " + batch + " × " + java.util.Arrays.toString(shape)
                    + " voxels exceed the 2^62 keys a sparse tensor can address; split the batch");
        }
    }

    /** {@code coords [N, 4]} int64 → keys {@code [N]} int64. */
    static Tensor encode(Tensor coords, int[] shape) {
        long[] s = strides(shape);
        Tensor k = coords.select(1, 0).mul(new Scalar(s[0])); // [N]
        k = k.add(coords.select(1, 1).mul(new Scalar(s[1]))); // [N]
        k = k.add(coords.select(1, 2).mul(new Scalar(s[2]))); // [N]
        return k.add(coords.select(1, 3)); // [N]
    }

    /** Keys {@code [N]} → coordinates {@code [N, 4]} int64 (batch, x, y, z). */
    static Tensor decode(Tensor keys, int[] shape) {
        long[] s = strides(shape);
        Tensor b = keys.floor_divide(new Scalar(s[0])); // [N]
        Tensor rest = keys.remainder(new Scalar(s[0])); // [N]
        Tensor x = rest.floor_divide(new Scalar(s[1])); // [N]
        rest = rest.remainder(new Scalar(s[1])); // [N]
        Tensor y = rest.floor_divide(new Scalar(s[2])); // [N]
        Tensor z = rest.remainder(new Scalar(s[2])); // [N]
        return torch.stack(new org.bytedeco.pytorch.TensorVector(b, x, y, z), 1); // [N, 4]
    }

    /**
     * Where each query sits in a sorted, duplicate-free key array: {@code [0]} the position (clamped into range, so
     * it can always be used as an index), {@code [1]} whether the key there equals the query (bool).
     */
    static Tensor[] find(Tensor sortedKeys, Tensor queries) {
        long n = sortedKeys.size(0);
        if (n == 0) {
            Tensor pos = queries.new_zeros(new long[] {queries.size(0)}); // [Q]
            return new Tensor[] {pos, pos.to(ScalarType.Bool)};
        }
        Tensor pos = torch.searchsorted(sortedKeys, queries); // [Q]
        pos.clamp_max_(new Scalar(n - 1)); // in place: no second [Q] int64 held until the scope closes
        Tensor found = sortedKeys.index_select(0, pos); // [Q]
        Tensor hit = found.eq(queries); // [Q] bool
        found.close();
        return new Tensor[] {pos, hit};
    }

    /** Sorted unique values of an int64 tensor {@code [M]} (sort, then drop equal neighbours). */
    static Tensor sortedUnique(Tensor values) {
        if (values.size(0) <= 1) {
            return values;
        }
        Tensor s = torch.sort(values).get0(); // [M]
        long m = s.size(0);
        Tensor differs = s.narrow(0, 1, m - 1).ne(s.narrow(0, 0, m - 1)); // [M - 1]
        Tensor keep = torch.cat(
                new org.bytedeco.pytorch.TensorVector(torch.ones(new long[] {1}, bools(s.device())), differs)); // [M]
        return s.masked_select(keep); // [U]
    }

    /** {@code 0..n-1} as int64 on {@code device}. */
    static Tensor arange(long n, Device device) {
        return torch.arange(new Scalar(n), longs(device));
    }

    static TensorOptions longs(Device device) {
        return new TensorOptions(ScalarType.Long).device(new DeviceOptional(device));
    }

    static TensorOptions bools(Device device) {
        return new TensorOptions(ScalarType.Bool).device(new DeviceOptional(device));
    }

    /** Integer division rounding towards −∞, and whether it was exact, for a non-negative divisor. */
    static Tensor[] divmod(Tensor a, long d) {
        Tensor q = a.floor_divide(new Scalar(d)); // [N]
        Tensor r = a.sub(q.mul(new Scalar(d))); // [N]
        return new Tensor[] {q, r};
    }

    static ScalarOptional max(long v) {
        return new ScalarOptional(new Scalar(v));
    }
}
