package dev.tessera.model.sparse.conv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.T_TensorTensorTensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The arithmetic of every sparse convolution, given its {@link KernelMap}, in three formulations ({@link Algorithm}),
 * each built from differentiable libtorch ops so autograd gives the backward pass. They differ in time and, above
 * all, in what autograd keeps for the backward pass: the two gathering ones keep their gathered inputs (about
 * {@code pairs × C_in} floats per convolution), the output gather keeps only the layer input, which exists anyway,
 * and index lists.
 *
 * <p>{@code AUTO} picks by speed, then checks memory before anything is allocated: {@link #estimateBytes} gives each
 * algorithm's peak (result, temporaries, and what autograd keeps when gradients are on); when the fast choice would
 * take more than a quarter of the available memory ({@link #availableBytes}), the output gather runs instead, in
 * offset groups small enough to bound its temporaries; when even that does not fit, the convolution is refused with
 * {@link ConvolutionTooLargeException}, which gives the estimate.
 */
public final class SparseConvolution {
    private SparseConvolution() {}

    /**
     * Applies a convolution.
     *
     * @param feats {@code [N, C_in]}
     * @param map the kernel map from the input's coordinates to the output's
     * @param weight {@code [C_out, k, k, k, C_in]}
     * @param bias {@code [C_out]} or {@code null}
     * @return {@code [M, C_out]} features of the map's output rows
     */
    static Tensor apply(Tensor feats, KernelMap map, Tensor weight, Tensor bias) {
        return apply(feats, map, weight, bias, Algorithm.AUTO);
    }

    /**
     * How the products are formed.
     *
     * <ul>
     *   <li>{@code GATHER_SCATTER}: per kernel offset, gather its pairs' inputs, one GEMM, scatter-add into the
     *       outputs (spconv's "native" algorithm). Work follows the number of pairs exactly; autograd keeps every
     *       offset's gathered inputs ({@code pairs × C_in} floats).
     *   <li>{@code IMPLICIT_GEMM}: (submanifold maps only) gather every output's {@code k³} neighbours at once into a
     *       {@code [N, k³·C_in]} matrix, missing neighbours reading a zero row, and multiply by the whole weight as one
     *       {@code [k³·C_in, C_out]} matrix (the idea of spconv 2's implicit GEMM). One gather and one large GEMM, no
     *       scatter in the forward pass; it wastes the missing neighbours' share, and autograd keeps the
     *       {@code [N, k³·C_in]} matrix (5.8 GB for 3.4 M voxels × 16 channels).
     *   <li>{@code OUTPUT_GATHER}: transform first, then gather: {@code Y = X · [W_0 … W_(k³−1)]}, one GEMM
     *       {@code [N, C_in] × [C_in, k³·C_out]}, then each output sums the rows {@code Y[j, t]} of its pairs
     *       {@code (j, t)} with {@code embedding_bag} (mode sum), which neither materialises the gathered rows nor
     *       keeps {@code Y}: its backward pass needs only the index lists. Autograd keeps the layer input (already
     *       alive) and about 4–8 bytes per pair. {@code Y} is a temporary of {@code N × k³ × C_out} floats, bounded by
     *       running the offsets in groups ({@link #GROUP_BYTES}). Sums run in a fixed order (by output, then
     *       offset), so results do not depend on the thread count.
     *   <li>{@code AUTO}: by speed, implicit GEMM for a submanifold map whose voxels have at least a third of their
     *       neighbours on average (surface bands have about two thirds), gather-scatter otherwise; then by memory, as
     *       in the class comment.
     * </ul>
     */
    enum Algorithm {
        GATHER_SCATTER,
        IMPLICIT_GEMM,
        OUTPUT_GATHER,
        AUTO
    }

    /** The average share of present neighbours above which {@code AUTO} picks the implicit GEMM. */
    static final double IMPLICIT_DENSITY = 1.0 / 3;

    /** The largest temporary {@code Y} of one offset group of the output gather (64 MiB). */
    static final long GROUP_BYTES = 64L << 20;

    /** Estimates at or below this (64 MiB) skip the memory check (reading the available memory costs a file read). */
    static final long CHECK_ABOVE = 64L << 20;

    /** The share of the available memory the fast algorithm may take before {@code AUTO} turns to the output gather. */
    static final double FAST_SHARE = 0.25;

    private static volatile long maxBytes = Long.MAX_VALUE;

    /**
     * Caps the memory a sparse convolution may plan for (the available memory caps it too); {@code Long.MAX_VALUE}
     * (the default) leaves only the machine's limit.
     */
    public static void setMemoryBudget(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("the memory budget must be positive, got " + bytes);
        }
        maxBytes = bytes;
    }

    /** The cap set by {@link #setMemoryBudget}. */
    public static long memoryBudget() {
        return maxBytes;
    }

    /** What {@code AUTO} picks by speed alone for a submanifold map of {@code voxels} outputs and {@code pairs} pairs. */
    static Algorithm choose(long pairs, long voxels, int volume) {
        return voxels > 0 && pairs >= IMPLICIT_DENSITY * volume * voxels
                ? Algorithm.IMPLICIT_GEMM
                : Algorithm.GATHER_SCATTER;
    }

    /**
     * A planned convolution: the algorithm, the offset group size of the output gather (the whole kernel otherwise)
     * and the estimated peak bytes.
     */
    record Plan(Algorithm algorithm, int group, long bytes, long kept) {
        Plan(Algorithm algorithm, int group, long[] parts) {
            this(algorithm, group, parts[0] + parts[1], parts[0]);
        }
    }

    /** The sizes a plan depends on. */
    record Shape(long inputs, long outputs, long pairs, long maxOffsetPairs, int volume, boolean submanifold) {
        static Shape of(KernelMap map) {
            long max = 0;
            for (int t = 0; t < map.volume(); t++) {
                if (t != map.identityOffset() && map.inRows(t) != null) {
                    max = Math.max(max, map.inRows(t).size(0));
                }
            }
            long in = map.inputs() >= 0 ? map.inputs() : map.outputs();
            return new Shape(in, map.outputs(), map.pairs(), max, map.volume(), map.identityOffset() >= 0);
        }
    }

    /** The offset group size of the output gather: as many offsets as keep {@code Y} within {@link #GROUP_BYTES}. */
    static int group(Shape s, long cout) {
        long perOffset = Math.max(1, s.inputs() * cout * Float.BYTES);
        return (int) Math.max(1, Math.min(s.volume(), GROUP_BYTES / perOffset));
    }

    /**
     * The estimated peak bytes of one convolution with {@code algorithm} ({@code AUTO} not allowed): its result, its
     * largest temporaries, and, when {@code grad}, what autograd keeps for the backward pass and the backward pass's
     * largest temporaries. Float32 features; cached index tables (kernel map, neighbour table, gather lists) count
     * in full, as if not built yet.
     */
    static long estimateBytes(Algorithm algorithm, Shape s, long cin, long cout, boolean grad) {
        long[] p = estimateParts(algorithm, s, cin, cout, grad);
        return p[0] + p[1];
    }

    /**
     * {@link #estimateBytes} in two parts: {@code [0]} what stays allocated until the backward pass (the result, what
     * autograd keeps, cached index tables), {@code [1]} the largest temporary of the forward or backward pass.
     */
    static long[] estimateParts(Algorithm algorithm, Shape s, long cin, long cout, boolean grad) {
        long f = Float.BYTES, n = s.inputs(), m = s.outputs(), k = s.volume();
        long out = m * cout * f;
        long offPairs = s.pairs() - (s.submanifold() ? m : 0);
        return switch (algorithm) {
            case GATHER_SCATTER ->
                new long[] {
                    out + (grad ? offPairs * cin * f : 0), s.maxOffsetPairs() * (cin + cout) * f * (grad ? 2 : 1)
                };
            case IMPLICIT_GEMM -> {
                long gathered = n * k * cin * f;
                yield grad
                        ? new long[] {out + n * k * 8 + gathered, n * cin * f + gathered}
                        : new long[] {out + n * k * 8, n * cin * f + gathered};
            }
            case OUTPUT_GATHER -> {
                int g = group(s, cout);
                long groups = (k + g - 1) / g;
                long ib = n * g < Integer.MAX_VALUE && m < Integer.MAX_VALUE ? 4 : 8;
                long lists = s.pairs() * ib + groups * m * ib; // the cached gather lists
                long y = n * g * cout * f; // one group's Y (and its gradient in the backward pass)
                long kept = grad ? s.pairs() * ib + groups * m * ib : 0; // embedding_bag's offset2bag and bag sizes
                long sort = grad ? (s.pairs() / groups + 1) * 16 : 0; // the backward pass sorts a group's indices
                yield new long[] {out + lists + kept, y * (grad ? 2 : 1) + sort};
            }
            case AUTO -> throw new IllegalArgumentException("estimate a concrete algorithm, not AUTO");
        };
    }

    private static volatile boolean lowMemory;

    /**
     * Makes {@code AUTO} take the output gather for every convolution, whatever the memory (for long training runs
     * at 256³ and above, where the gathering algorithms' kept inputs dominate a step's memory); false (the default)
     * chooses by speed, with the memory check.
     */
    public static void setLowMemory(boolean on) {
        lowMemory = on;
    }

    public static boolean lowMemory() {
        return lowMemory;
    }

    /**
     * Adds up, on this thread while open, the estimates of the convolutions that run: what they keep until the
     * backward pass, and the largest temporary of any of them, so {@link #estimateBytes()} estimates the
     * convolutions' share of a training step's peak memory. Not nested.
     */
    public static final class Ledger implements AutoCloseable {
        private static final ThreadLocal<Ledger> OPEN = new ThreadLocal<>();
        private long kept;
        private long transientPeak;
        private final java.util.Map<String, Integer> counts = new java.util.TreeMap<>();

        private Ledger() {}

        /** Opens a ledger on this thread. */
        public static Ledger open() {
            Ledger l = new Ledger();
            OPEN.set(l);
            return l;
        }

        void add(Plan p) {
            kept += p.kept();
            transientPeak = Math.max(transientPeak, p.bytes() - p.kept());
            counts.merge(p.algorithm().name().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum);
        }

        /** Kept bytes of every convolution plus the largest temporary. */
        public long estimateBytes() {
            return kept + transientPeak;
        }

        /** How many convolutions ran with each algorithm, e.g. {@code {gather_scatter=3, implicit_gemm=7}}. */
        public java.util.Map<String, Integer> algorithms() {
            return java.util.Collections.unmodifiableMap(counts);
        }

        @Override
        public void close() {
            if (OPEN.get() == this) {
                OPEN.remove();
            }
        }
    }

    /**
     * Plans a convolution: a concrete {@code requested} algorithm as given (the implicit GEMM only on submanifold
     * maps), {@code AUTO} by speed and then memory against {@code available} bytes (see the class comment).
     *
     * @throws ConvolutionTooLargeException when {@code AUTO} finds no algorithm that fits
     */
    static Plan plan(Algorithm requested, Shape s, long cin, long cout, boolean grad, long available) {
        Algorithm a = requested;
        if (a == Algorithm.IMPLICIT_GEMM && !s.submanifold()) {
            a = Algorithm.GATHER_SCATTER;
        }
        if (a != Algorithm.AUTO) {
            return new Plan(
                    a,
                    a == Algorithm.OUTPUT_GATHER ? group(s, cout) : s.volume(),
                    estimateParts(a, s, cin, cout, grad));
        }
        Algorithm fast = fast(s);
        long[] fastBytes = estimateParts(fast, s, cin, cout, grad);
        if (fast != Algorithm.OUTPUT_GATHER && fastBytes[0] + fastBytes[1] <= FAST_SHARE * available) {
            return new Plan(fast, s.volume(), fastBytes);
        }
        long[] lean = estimateParts(Algorithm.OUTPUT_GATHER, s, cin, cout, grad);
        if (lean[0] + lean[1] > available) {
            throw new ConvolutionTooLargeException(s.outputs(), s.pairs(), cin, cout, lean[0] + lean[1], available);
        }
        return new Plan(Algorithm.OUTPUT_GATHER, group(s, cout), lean);
    }

    /**
     * The memory a convolution may plan for now: the smaller of {@link #memoryBudget()} and the memory the operating
     * system reports available ({@code MemAvailable} of {@code /proc/meminfo}, or the JVM's free physical memory).
     */
    public static long availableBytes() {
        long avail = Long.MAX_VALUE;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    avail = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    instanceof com.sun.management.OperatingSystemMXBean os) {
                avail = os.getFreeMemorySize();
            }
        }
        return Math.min(avail, maxBytes);
    }

    static Tensor apply(Tensor feats, KernelMap map, Tensor weight, Tensor bias, Algorithm algorithm) {
        long cout = weight.size(0), cin = weight.size(4);
        if (feats.size(1) != cin) {
            throw new IllegalArgumentException(
                    "a sparse convolution with " + cin + " input channels got features with " + feats.size(1));
        }
        Plan p = plan(map, cin, cout, grad(feats, weight, bias), algorithm);
        Ledger ledger = Ledger.OPEN.get();
        if (ledger != null) {
            ledger.add(p);
        }
        if (GradMode.is_enabled()) {
            return run(p, feats, map, weight, bias);
        }
        // without gradients nothing needs the gathered matrices afterwards: free them now, not with the caller's
        // scope; the map's lazily built tables are built first, outside, so that they stay cached with the map
        if (p.algorithm() == Algorithm.IMPLICIT_GEMM) {
            map.neighbours();
        } else if (p.algorithm() == Algorithm.OUTPUT_GATHER) {
            map.bags(p.group());
        }
        return dev.tessera.model.StepScope.only(() -> run(p, feats, map, weight, bias), List::of);
    }

    private static Tensor run(Plan p, Tensor feats, KernelMap map, Tensor weight, Tensor bias) {
        return switch (p.algorithm()) {
            case IMPLICIT_GEMM -> implicitGemm(feats, map, weight, bias);
            case OUTPUT_GATHER -> outputGather(feats, map, weight, bias, p.group());
            default -> gatherScatter(feats, map, weight, bias);
        };
    }

    /** {@code AUTO}'s choice by speed (or the output gather for submanifold maps in {@linkplain #setLowMemory low-memory} mode). */
    private static Algorithm fast(Shape s) {
        if (!s.submanifold()) {
            return Algorithm.GATHER_SCATTER;
        }
        return lowMemory ? Algorithm.OUTPUT_GATHER : choose(s.pairs(), s.outputs(), s.volume());
    }

    /** The plan {@link #apply} follows (reads the available memory only when the estimate is large). */
    static Plan plan(KernelMap map, long cin, long cout, boolean grad, Algorithm algorithm) {
        Shape s = Shape.of(map);
        if (algorithm == Algorithm.AUTO) {
            Algorithm fast = fast(s);
            long[] parts = estimateParts(fast, s, cin, cout, grad);
            if (fast != Algorithm.OUTPUT_GATHER && parts[0] + parts[1] <= CHECK_ABOVE && maxBytes == Long.MAX_VALUE) {
                return new Plan(fast, s.volume(), parts);
            }
            return plan(algorithm, s, cin, cout, grad, availableBytes());
        }
        return plan(algorithm, s, cin, cout, grad, Long.MAX_VALUE);
    }

    private static boolean grad(Tensor feats, Tensor weight, Tensor bias) {
        return GradMode.is_enabled()
                && (feats.requires_grad() || weight.requires_grad() || (bias != null && bias.requires_grad()));
    }

    private static Tensor gatherScatter(Tensor feats, KernelMap map, Tensor weight, Tensor bias) {
        long cout = weight.size(0), cin = weight.size(4);
        int volume = map.volume();
        Tensor w = weight.view(cout, volume, cin); // [C_out, K, C_in]; each offset's rows made contiguous when used
        int centre = map.identityOffset();
        Tensor out;
        if (centre >= 0) {
            out = tallMatmul(feats, w.select(1, centre), bias); // [N, C_out]
        } else {
            out = feats.new_zeros(new long[] {map.outputs(), cout}); // [M, C_out]
            if (bias != null) {
                out = out.add(bias); // [M, C_out]
            }
        }
        for (int t = 0; t < volume; t++) {
            Tensor in = map.inRows(t);
            if (t == centre || in == null) {
                continue;
            }
            Tensor g = feats.index_select(0, in); // [P_t, C_in]
            Tensor y = tallMatmul(g, w.select(1, t), null); // [P_t, C_out]
            out.index_add_(0, map.outRows(t), y); // [M, C_out]
            y.close(); // autograd keeps g (for the weight's gradient), not y
            g.close();
        }
        return out;
    }

    private static Tensor implicitGemm(Tensor feats, KernelMap map, Tensor weight, Tensor bias) {
        long cout = weight.size(0), cin = weight.size(4), n = map.outputs();
        int volume = map.volume();
        Tensor zero = feats.new_zeros(new long[] {1, cin}); // [1, C_in]
        Tensor padded = torch.cat(new TensorVector(feats, zero)); // [N + 1, C_in]
        Tensor gathered = padded.index_select(0, map.neighbours().view(-1)); // [N·K, C_in], kept by autograd
        padded.close(); // not needed by the backward pass (the handle would keep it until the scope closes)
        zero.close();
        Tensor g = gathered.view(n, volume * cin); // [N, K·C_in]
        return tallMatmul(g, weight.view(cout, volume * cin), bias); // [N, C_out]
    }

    private static final long[] ONES = {1, 1};
    private static final long[] ZEROS = {0, 0};

    /**
     * {@code x · wRowsᵀ + bias} for a tall {@code x [N, K]} and {@code wRows [C, K]}. Without gradients it is the 1×1
     * convolution of the channels-last image {@code [1, K, N, 1]} that a contiguous {@code x} already is (no copy
     * either way), which libtorch runs in oneDNN on all the threads of its pool, where {@code mm} would run in OpenBLAS,
     * which Tessera keeps single-threaded (docs/libtorch.md): measured on 2 cores for the sparse convolutions' shapes
     * ({@code N} = 10⁴–10⁶ rows, {@code K} = 8–3456, {@code C} = 8–128), 1.2–4× faster than {@code mm}. With gradients
     * it stays {@code mm}: in a 256³ training run the convolution path raised the peak resident memory from 16.4 to
     * 21.8 GB for 10 % less time, and its parameter gradients depend on the thread count in the last bits.
     */
    static Tensor tallMatmul(Tensor x, Tensor wRows, Tensor bias) {
        if ((GradMode.is_enabled() && (x.requires_grad() || wRows.requires_grad()))
                || oneDnnCannotBlock(x.size(1), wRows.size(0))) {
            // a contiguous [K, C] (BLAS then never sees a size-1 dimension with an odd stride, which gave wrong input
            // gradients for C_in = 1)
            Tensor w = wRows.t().contiguous(); // [K, C]
            return bias == null ? x.mm(w) : torch.addmm(bias, x, w); // [N, C]
        }
        long n = x.size(0), k = x.size(1), c = wRows.size(0);
        Tensor image = x.contiguous().view(1, n, 1, k).permute(0, 3, 1, 2); // [1, K, N, 1], channels-last
        Tensor y = torch.conv2d(
                image,
                wRows.contiguous().view(c, k, 1, 1),
                bias == null ? new TensorOptional() : new TensorOptional(bias),
                ONES,
                ZEROS,
                ONES,
                1); // [1, C, N, 1], channels-last
        return y.permute(0, 2, 3, 1).reshape(n, c); // [N, C], a view of y's memory
    }

    /**
     * Whether oneDNN's 1×1 convolution may fail to choose its blocking for {@code k} input and {@code c} output
     * channels. On machines whose CPUID reports no cache sizes (this project's VMs: no {@code
     * /sys/devices/system/cpu/cpu0/cache}), oneDNN 3.x divides by zero in {@code brg_blocking_t::est_eff_1x1} for
     * (k, c) = (256, 1024), (512, 1024), (512, 2048), (1024, 512) and (1024, 2048), whatever the rows, at 2–4 threads:
     * a SIGFPE that kills the JVM. Measured over k = 32–13 824 and c = 32–13 824 (every product the sparse convolutions
     * of channels 32–512 make); the box around those five goes to {@code mm} instead, on every machine, so that the
     * result does not depend on which machine ran it.
     */
    static boolean oneDnnCannotBlock(long k, long c) {
        return k >= 256 && k <= 1024 && c >= 512 && c <= 2048;
    }

    static Tensor outputGather(Tensor feats, KernelMap map, Tensor weight, Tensor bias, int group) {
        long cout = weight.size(0), cin = weight.size(4), n = feats.size(0);
        int volume = map.volume();
        Tensor w = weight.view(cout, volume, cin); // [C_out, K, C_in] (a view)
        Tensor out = null;
        for (KernelMap.Bags b : map.bags(group)) {
            if (b == null) {
                continue;
            }
            Tensor wn = w.narrow(1, b.first(), b.count()).permute(1, 0, 2); // [G, C_out, C_in]
            Tensor wg = wn.reshape((long) b.count() * cout, cin); // [G·C_out, C_in], row (t − first)·C_out + c
            Tensor ym = tallMatmul(feats, wg, null); // [N, G·C_out]
            Tensor y = ym.view(n * b.count(), cout); // [N·G, C_out], row j·G + (t − first)
            T_TensorTensorTensorTensor_T r =
                    torch.embedding_bag(y, b.indices(), b.offsets(), false, 0, false, new TensorOptional(), false);
            Tensor part = new Tensor(r.get0()); // [M, C_out], its own handle (get0 points into the tuple)
            // Release every Java handle now, not when the step's scope closes (a handle keeps its tensor alive):
            // autograd keeps only what the backward pass needs — here the index lists, not Y.
            r.close();
            y.close();
            ym.close();
            wg.close();
            wn.close();
            if (out == null) {
                out = part;
            } else {
                out.add_(part); // (its return value is out itself: not to be closed)
                part.close();
            }
        }
        if (out == null) {
            out = feats.new_zeros(new long[] {map.outputs(), cout}); // [M, C_out]
        }
        return bias == null ? out : out.add_(bias); // [M, C_out]
    }
}
