package dev.tessera.model.sparse.conv;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The rule book of a sparse convolution (spconv's "indice pairs", torchsparse's "kernel map"): for each of the
 * {@code k³} kernel offsets, the pairs (input row, output row) it connects. A convolution then computes, per offset
 * {@code t}, {@code out[outRows_t] += feats[inRows_t] · W_t} — gather, GEMM, scatter-add.
 *
 * <p>Offset {@code t = (i·k + j)·k + l} connects output voxel {@code o} with input voxel {@code s·o − p + (i, j, l)}
 * (stride {@code s}, padding {@code p}), exactly the taps of a dense {@code conv3d} with those settings, so the
 * kernel's weight {@code [C_out, k, k, k, C_in]} at {@code [:, i, j, l, :]} is the dense weight at
 * {@code [:, :, i, j, l]}.
 *
 * <p><b>How it is built.</b> With libtorch ops only, so it runs on CUDA as well as on the CPU: the input keys are
 * sorted (the canonical order of {@link SparseTensor}); a submanifold map adds the linear key offset of each kernel
 * offset to every key (masking neighbours outside the grid) and finds the results with {@code searchsorted}. A
 * submanifold map only searches half of the offsets: offset {@code −d}'s pairs are offset {@code d}'s pairs swapped,
 * and the centre offset is the identity, which the convolution applies without a gather. A strided map computes
 * every input's candidate outputs per offset, takes their sorted unique keys as the output coordinate set, and
 * finds each candidate in it.
 */
public final class KernelMap {
    private final int kernel;
    private final int stride;
    private final int padding;
    private final Tensor[] inRows; // per offset [P_t] int64, null when the offset has no pairs
    private final Tensor[] outRows; // per offset [P_t] int64
    private final int identityOffset; // offset whose pairs are (i, i) for every row, or -1
    private final long outputs;
    private final Tensor outCoords; // [M, 4] (strided maps) or null
    private final Tensor outKeys; // [M] (strided maps) or null
    private final int[] outShape;
    private final SparseTensor.SpatialCache outCache; // the output coordinate set's cache (strided maps)
    // the device as values, not a Device pointer: a map outlives the scope it was built in (SparseTensor.hold)
    private torch.DeviceType deviceType = torch.DeviceType.CPU;
    private byte deviceIndex = -1;

    private KernelMap(
            int kernel,
            int stride,
            int padding,
            Tensor[] inRows,
            Tensor[] outRows,
            int identityOffset,
            long outputs,
            Tensor outCoords,
            Tensor outKeys,
            int[] outShape) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.inRows = inRows;
        this.outRows = outRows;
        this.identityOffset = identityOffset;
        this.outputs = outputs;
        this.outCoords = outCoords;
        this.outKeys = outKeys;
        this.outShape = outShape;
        this.outCache = outKeys == null ? null : new SparseTensor.SpatialCache(outKeys);
    }

    /**
     * The submanifold map of an odd {@code kernel}: the outputs are the inputs (same coordinates), and output
     * {@code o} sees input {@code o + d} for every offset {@code d ∈ [−k/2, k/2]³} that is active. Cached on the
     * tensor's coordinate set.
     */
    public static KernelMap submanifold(SparseTensor x, int kernel) {
        if (kernel < 1 || kernel % 2 == 0) {
            throw new IllegalArgumentException("a submanifold convolution needs an odd kernel size, got " + kernel);
        }
        return x.cache().get("subm" + kernel, () -> lean(() -> buildSubmanifold(x, kernel)));
    }

    /**
     * The map of a strided (generalised) sparse convolution: output voxel {@code o} of the grid of side
     * {@code ⌊(S + 2p − k)/s⌋ + 1} is active when any input in its window is, as in spconv's {@code SparseConv3d}.
     * Cached on the input's coordinate set.
     */
    public static KernelMap strided(SparseTensor x, int kernel, int stride, int padding) {
        if (kernel < 1 || stride < 1 || padding < 0 || padding >= kernel) {
            throw new IllegalArgumentException("bad sparse convolution: kernel " + kernel + ", stride " + stride
                    + ", padding " + padding + " (need kernel ≥ 1, stride ≥ 1, 0 ≤ padding < kernel)");
        }
        return x.cache()
                .get(
                        "conv" + kernel + "s" + stride + "p" + padding,
                        () -> lean(() -> buildStrided(x, kernel, stride, padding)));
    }

    /**
     * Builds a map in a scope of its own and keeps only the map's tensors, handed to the scope open around the call:
     * the lookups of the build (several {@code [N]} int64 tensors per offset, about 1 KB per voxel for a 3³ kernel)
     * are freed at once instead of living as long as the layer's scope.
     */
    private static KernelMap lean(java.util.function.Supplier<KernelMap> build) {
        return dev.tessera.model.StepScope.only(build, m -> {
            List<Tensor> kept = new ArrayList<>();
            m.collectTensors(kept);
            return kept;
        });
    }

    private static KernelMap buildSubmanifold(SparseTensor x, int k) {
        int volume = k * k * k, half = k / 2, centre = volume / 2;
        Tensor[] in = new Tensor[volume], out = new Tensor[volume];
        long n = x.size();
        int[] shape = x.spatialShape();
        if (n > 0) {
            Tensor keys = x.keys(); // [N]
            Tensor c = x.coords(); // [N, 4]
            long[] st = VoxelKeys.strides(shape);
            for (int t = 0; t < centre; t++) {
                int dx = t / (k * k) - half, dy = t / k % k - half, dz = t % k - half;
                Tensor valid = inside(c, 1, dx, shape[0])
                        .logical_and(inside(c, 2, dy, shape[1]))
                        .logical_and(inside(c, 3, dz, shape[2])); // [N] bool
                Tensor q = keys.add(new Scalar(dx * st[1] + dy * st[2] + dz)); // [N]
                Tensor[] f = VoxelKeys.find(keys, q); // pos [N], hit [N]
                Tensor both = f[1].logical_and(valid); // [N] bool
                Tensor rows = torch.nonzero(both).select(1, 0); // [P] outputs with that neighbour
                // close the [N]-sized temporaries now: their handles would keep them until the step's scope closes
                // (about 1.4 GB over the 13 searched offsets of 3.4 M voxels)
                q.close();
                f[1].close();
                both.close();
                valid.close();
                if (rows.size(0) == 0) {
                    f[0].close();
                    continue;
                }
                Tensor nb = f[0].index_select(0, rows); // [P] the neighbours' rows
                f[0].close();
                in[t] = nb;
                out[t] = rows;
                in[volume - 1 - t] = rows; // offset −d: the neighbour sees this row
                out[volume - 1 - t] = nb;
            }
        }
        KernelMap m = new KernelMap(k, 1, half, in, out, n > 0 ? centre : -1, n, null, null, shape);
        m.setDevice(x.coords().device());
        m.inputs = n;
        return m;
    }

    private static Tensor inside(Tensor coords, int axis, int d, int size) {
        if (d == 0) {
            return torch.ones(new long[] {coords.size(0)}, VoxelKeys.bools(coords.device()));
        }
        Tensor v = coords.select(1, axis); // [N]
        return d < 0 ? v.ge(new Scalar(-d)) : v.lt(new Scalar(size - d)); // [N] bool
    }

    private static KernelMap buildStrided(SparseTensor x, int k, int s, int p) {
        int[] shape = x.spatialShape();
        int[] os = new int[3];
        for (int a = 0; a < 3; a++) {
            os[a] = Math.floorDiv(shape[a] + 2 * p - k, s) + 1;
            if (os[a] < 1) {
                throw new IllegalArgumentException("a sparse convolution with kernel " + k + ", stride " + s
                        + ", padding " + p + " leaves no output of a grid of side " + shape[a]);
            }
        }
        int volume = k * k * k;
        Device device = x.coords().device();
        long n = x.size();
        Tensor[] candRows = new Tensor[volume], candKeys = new Tensor[volume];
        if (n > 0) {
            Tensor c = x.coords(); // [N, 4]
            long[] ost = VoxelKeys.strides(os);
            // per axis and tap: the output coordinate and whether this input reaches it
            Tensor[][] q = new Tensor[3][k], ok = new Tensor[3][k];
            for (int a = 0; a < 3; a++) {
                Tensor v = c.select(1, a + 1); // [N]
                for (int tap = 0; tap < k; tap++) {
                    Tensor[] dm = VoxelKeys.divmod(v.add(new Scalar(p - tap)), s); // (v + p − tap) / s
                    q[a][tap] = dm[0]; // [N]
                    ok[a][tap] = dm[1].eq(new Scalar(0))
                            .logical_and(dm[0].ge(new Scalar(0)))
                            .logical_and(dm[0].lt(new Scalar(os[a]))); // [N] bool
                }
            }
            Tensor batchKey = c.select(1, 0).mul(new Scalar(ost[0])); // [N]
            for (int t = 0; t < volume; t++) {
                int i = t / (k * k), j = t / k % k, l = t % k;
                Tensor valid = ok[0][i].logical_and(ok[1][j]).logical_and(ok[2][l]); // [N] bool
                Tensor rows = torch.nonzero(valid).select(1, 0); // [P]
                if (rows.size(0) == 0) {
                    continue;
                }
                Tensor key = batchKey.add(q[0][i].mul(new Scalar(ost[1])))
                        .add(q[1][j].mul(new Scalar(ost[2])))
                        .add(q[2][l]); // [N]
                candRows[t] = rows;
                candKeys[t] = key.index_select(0, rows); // [P]
            }
        }
        TensorVector all = new TensorVector();
        for (Tensor t : candKeys) {
            if (t != null) {
                all.push_back(t);
            }
        }
        Tensor outKeys = all.size() == 0
                ? torch.empty(new long[] {0}, VoxelKeys.longs(device), new org.bytedeco.pytorch.MemoryFormatOptional())
                : VoxelKeys.sortedUnique(torch.cat(all)); // [M]
        Tensor[] in = new Tensor[volume], out = new Tensor[volume];
        for (int t = 0; t < volume; t++) {
            if (candKeys[t] != null) {
                in[t] = candRows[t];
                out[t] = VoxelKeys.find(outKeys, candKeys[t])[0]; // every candidate is present
            }
        }
        KernelMap m = new KernelMap(k, s, p, in, out, -1, outKeys.size(0), VoxelKeys.decode(outKeys, os), outKeys, os);
        m.setDevice(device);
        m.inputs = n;
        return m;
    }

    /** Kernel side. */
    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }

    /** Number of kernel offsets, {@code k³}. */
    public int volume() {
        return inRows.length;
    }

    /** Input rows of offset {@code t}'s pairs ({@code [P_t]} int64), or {@code null} when it has none. */
    public Tensor inRows(int t) {
        return inRows[t];
    }

    /** Output rows of offset {@code t}'s pairs ({@code [P_t]} int64), or {@code null} when it has none. */
    public Tensor outRows(int t) {
        return outRows[t];
    }

    /** The offset whose pairs are every row with itself (the submanifold centre), or −1. */
    public int identityOffset() {
        return identityOffset;
    }

    /** Number of output rows. */
    public long outputs() {
        return outputs;
    }

    /** Output coordinates {@code [M, 4]} of a strided map (canonical order), or {@code null} for a submanifold one. */
    public Tensor outCoords() {
        return outCoords;
    }

    /** Output keys {@code [M]} of a strided map, or {@code null}. */
    Tensor outKeys() {
        return outKeys;
    }

    /** The spatial cache of a strided map's output coordinates, shared by every convolution with this map. */
    SparseTensor.SpatialCache outCache() {
        return outCache;
    }

    /** Spatial shape of the output grid. */
    public int[] outShape() {
        return outShape.clone();
    }

    /** Total number of (input, output) pairs, the identity offset included. */
    public long pairs() {
        long p = identityOffset >= 0 ? outputs : 0;
        for (int t = 0; t < inRows.length; t++) {
            if (t != identityOffset && inRows[t] != null) {
                p += inRows[t].size(0);
            }
        }
        return p;
    }

    private Tensor neighbours; // [N, K] int64, built on first use

    /**
     * For a submanifold map: the row of each output's neighbour at each offset, {@code [N, k³]} int64, {@code N} where
     * the neighbour is missing (the implicit GEMM's gather table). Built from the pairs on first use.
     */
    synchronized Tensor neighbours() {
        if (identityOffset < 0) {
            throw new IllegalStateException("a neighbour table exists for submanifold maps only");
        }
        if (neighbours == null || neighbours.isNull()) {
            int volume = inRows.length;
            Tensor table =
                    torch.full(new long[] {outputs * volume}, new Scalar(outputs), VoxelKeys.longs(device())); // [N·K]
            for (int t = 0; t < volume; t++) {
                if (t == identityOffset) {
                    Tensor rows = VoxelKeys.arange(outputs, table.device());
                    table.index_copy_(0, rows.mul(new Scalar(volume)).add(new Scalar(t)), rows);
                } else if (inRows[t] != null) {
                    table.index_copy_(0, outRows[t].mul(new Scalar(volume)).add(new Scalar(t)), inRows[t]);
                }
            }
            neighbours = table.view(outputs, volume);
        }
        return neighbours;
    }

    /**
     * The gather lists of the output-gather convolution for the offsets {@code [first, first + count)}: with
     * {@code Y = X · [W_first … W_(first+count−1)]} viewed as {@code [N_in · count, C_out]}, output row {@code o} is
     * the sum of {@code Y[j · count + (t − first)]} over its pairs {@code (j, o)} of offset {@code t} — a bag of
     * {@code embedding_bag}. {@code indices} holds the bags one after the other, each in increasing offset order
     * (so the summation order is fixed by the map alone, not by threads), {@code offsets [M]} where each bag starts.
     * Both int32 when the rows fit, int64 otherwise.
     */
    record Bags(int first, int count, Tensor indices, Tensor offsets) {
        boolean alive() {
            return !indices.isNull() && !offsets.isNull();
        }

        long bytes() {
            return indices.nbytes() + offsets.nbytes();
        }
    }

    private final java.util.Map<Integer, Bags[]> bags = new java.util.HashMap<>();

    /** Number of input rows the map reads ({@code N_in}); −1 when unknown (a map built before this was recorded). */
    private long inputs = -1;

    long inputs() {
        return inputs;
    }

    /**
     * The output-gather lists (see {@link Bags}) of every group of {@code group} consecutive offsets, built on first
     * use and cached per group size; a group with no pairs is {@code null}.
     */
    synchronized Bags[] bags(int group) {
        Bags[] b = bags.get(group);
        if (b != null && java.util.Arrays.stream(b).allMatch(x -> x == null || x.alive())) {
            return b;
        }
        int volume = inRows.length;
        b = new Bags[(volume + group - 1) / group];
        boolean narrow = inputs >= 0 && inputs * group < Integer.MAX_VALUE && outputs < Integer.MAX_VALUE;
        for (int gi = 0; gi < b.length; gi++) {
            int first = gi * group, count = Math.min(group, volume - first);
            // every temporary's handle is closed as soon as it is used: handles keep their tensors until the
            // step's scope closes, and these are int64 arrays of the pairs' size (about 0.5 GB at 128³, 20 %)
            List<Tensor> temps = new ArrayList<>();
            TensorVector keys = new TensorVector(), rows = new TensorVector();
            for (int t = first; t < first + count; t++) {
                Tensor in = inRows[t], out = outRows[t];
                if (t == identityOffset) {
                    in = out = temp(temps, VoxelKeys.arange(outputs, device()));
                }
                if (in == null) {
                    continue;
                }
                Tensor scaledOut = temp(temps, out.mul(new Scalar(count)));
                Tensor scaledIn = temp(temps, in.mul(new Scalar(count)));
                keys.push_back(temp(temps, scaledOut.add(new Scalar(t - first)))); // [P_t] unique per pair
                rows.push_back(temp(temps, scaledIn.add(new Scalar(t - first)))); // [P_t] rows of Y
            }
            if (keys.size() == 0) {
                keys.close();
                rows.close();
                temps.forEach(Tensor::close);
                continue;
            }
            Tensor key = temp(temps, torch.cat(keys)); // [P]
            Tensor allRows = temp(temps, torch.cat(rows)); // [P]
            keys.close();
            rows.close();
            Tensor order = temp(temps, torch.argsort(key)); // [P] by output, then offset (keys are distinct)
            Tensor indices = allRows.index_select(0, order); // [P]
            Tensor sortedKey = temp(temps, key.index_select(0, order)); // [P]
            Tensor bagOf = temp(temps, sortedKey.floor_divide(new Scalar(count))); // [P] sorted output rows
            Tensor arange = temp(temps, VoxelKeys.arange(outputs, device())); // [M]
            Tensor offsets = torch.searchsorted(bagOf, arange); // [M]
            if (narrow) {
                temps.add(indices);
                temps.add(offsets);
                indices = indices.to(torch.ScalarType.Int);
                offsets = offsets.to(torch.ScalarType.Int);
            }
            temps.forEach(Tensor::close);
            b[gi] = new Bags(first, count, indices, offsets);
        }
        bags.put(group, b);
        return b;
    }

    private static Tensor temp(List<Tensor> temps, Tensor t) {
        temps.add(t);
        return t;
    }

    /** Every tensor the map holds now (pairs, output coordinates, and the gather tables built so far). */
    synchronized void collectTensors(List<Tensor> into) {
        for (Tensor t : inRows) {
            live(into, t);
        }
        for (Tensor t : outRows) {
            live(into, t);
        }
        live(into, outCoords);
        live(into, outKeys);
        live(into, neighbours);
        for (Bags[] group : bags.values()) {
            for (Bags b : group) {
                if (b != null) {
                    live(into, b.indices());
                    live(into, b.offsets());
                }
            }
        }
    }

    private static void live(List<Tensor> into, Tensor t) {
        if (t != null && !t.isNull()) {
            into.add(t);
        }
    }

    private void setDevice(Device d) {
        deviceType = d.type();
        deviceIndex = d.index();
    }

    /** The device of the map's tensors (a new handle, owned by the scope open now). */
    private Device device() {
        return new Device(deviceType, deviceIndex);
    }

    /** Whether no tensor of the map has been freed by a closed scope. */
    boolean alive() {
        for (Tensor t : inRows) {
            if (t != null && t.isNull()) {
                return false;
            }
        }
        for (Tensor t : outRows) {
            if (t != null && t.isNull()) {
                return false;
            }
        }
        return (outCoords == null || !outCoords.isNull()) && (outKeys == null || !outKeys.isNull());
    }
}
