package dev.tessera.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.bytedeco.javacpp.Loader;

/**
 * The one place libtorch is loaded. Call {@link #load()} before touching any {@code org.bytedeco.pytorch} class;
 * every Tessera entry point (CLI, tests, facade classes) does.
 *
 * <p>Why: JavaCPP extracts and loads {@code libtorch.so} before it has extracted {@code libtorch_cpu.so}. On a machine
 * that also has a system libtorch (Debian's {@code libtorch-dev}, pulled in by {@code python3-torch}), the dynamic
 * linker then picks the system's {@code libtorch_cpu.so} and the JVM dies in {@code pthread_mutex_lock}. Extracting
 * every native library of the three presets first makes {@code $ORIGIN} find ours.
 */
public final class Torch {
    private static final System.Logger LOG = System.getLogger(Torch.class.getName());
    private static volatile boolean loaded;
    private static volatile java.nio.file.Path nativeDir;

    private Torch() {}

    /** Extracts the natives (once per cache directory) and loads libtorch; idempotent and thread-safe. */
    public static void load() {
        if (loaded) {
            return;
        }
        synchronized (Torch.class) {
            if (loaded) {
                return;
            }
            String platform = Loader.getPlatform();
            try {
                for (String lib : new String[] {"javacpp", "openblas", "pytorch"}) {
                    java.io.File[] files = Loader.cacheResources("/org/bytedeco/" + lib + "/" + platform + "/");
                    if (lib.equals("pytorch") && files != null && files.length > 0) {
                        java.io.File f = files[0];
                        nativeDir = (f.isDirectory() ? f : f.getParentFile()).toPath();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot extract libtorch's native libraries to the JavaCPP cache "
                                + "(~/.javacpp/cache; set -Dorg.bytedeco.javacpp.cachedir to a writable directory)",
                        e);
            }
            if (!"PASSIVE".equalsIgnoreCase(System.getenv("OMP_WAIT_POLICY"))
                    && System.getenv("OMP_NUM_THREADS") == null) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "OMP_WAIT_POLICY is not PASSIVE: small libtorch ops can run 30× slower. "
                                + "Run through ./tessera or export OMP_WAIT_POLICY=PASSIVE.");
            }
            Loader.load(org.bytedeco.pytorch.global.torch.class);
            singleThreadedBlas();
            useAllCores();
            checkMalloc();
            checkBlasKernels();
            loaded = true;
        }
    }

    /**
     * Makes OpenBLAS single-threaded unless {@code OPENBLAS_NUM_THREADS} says otherwise. libtorch calls OpenBLAS
     * from inside its own OpenMP-parallel kernels (attention, batched matmul, backward of linear layers); OpenBLAS's
     * pthreads pool then competes with OpenMP's threads for the same cores. Measured on 2 cores: SDPA forward
     * [2, 6, 512, 64] 1262 ms → 88 ms, a grid-DiT training step 24 s → 1.2 s. The parallelism comes from OpenMP.
     */
    private static void singleThreadedBlas() {
        if (System.getenv("OPENBLAS_NUM_THREADS") != null) {
            return;
        }
        try {
            org.bytedeco.openblas.global.openblas_full.openblas_set_num_threads(1);
        } catch (Throwable t) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "could not make OpenBLAS single-threaded (" + t + "); export OPENBLAS_NUM_THREADS=1, or attention"
                            + " and matmul-heavy steps can run 10× slower");
        }
    }

    /**
     * Sets libtorch's intra-op threads to the number of available processors, unless {@code OMP_NUM_THREADS} or
     * {@code TESSERA_THREADS} says otherwise. libtorch's own default counts physical cores through cpuinfo, which on
     * some virtual machines (this project's 2-vCPU machines among them) yields 1 — Python's torch there runs
     * single-threaded too, while a user expects a training step to use the machine. Measured on 2 cores under load:
     * element-wise chains 2× faster, conv3d forward + backward 1.1–1.3× faster, single large matmuls unchanged (they
     * run in single-threaded OpenBLAS, see {@link #singleThreadedBlas}).
     */
    private static void useAllCores() {
        String requested = System.getenv("TESSERA_THREADS");
        int n;
        if (requested != null) {
            try {
                n = Integer.parseInt(requested.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "TESSERA_THREADS must be a positive integer, got '" + requested + "'");
            }
            if (n < 1) {
                throw new IllegalArgumentException("TESSERA_THREADS must be a positive integer, got " + n);
            }
        } else if (System.getenv("OMP_NUM_THREADS") != null) {
            return; // libtorch read it
        } else {
            n = Runtime.getRuntime().availableProcessors();
        }
        org.bytedeco.pytorch.global.torch.set_num_threads(n);
    }

    /** The malloc settings the launcher exports, for the warning's fix. */
    static final String GLIBC_TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456";

    /**
     * Warns when glibc's malloc runs with its dynamic thresholds. They return a thread's freed memory to the kernel
     * once its heap top holds a few MB, so every training step — whose activations are freed at its end — faults
     * them in again, page by page; page faults are costly on this project's virtual machines. Measured on
     * the VecSet DiT bench step's micro-batches ({@code StepPhases}): median 263–297 ms → 247–252 ms, 90th percentile
     * 317–353 ms → 254–265 ms. The launcher and the test runner export {@link #GLIBC_TUNABLES}.
     */
    private static void checkMalloc() {
        if (!System.getProperty("os.name", "")
                .toLowerCase(java.util.Locale.ROOT)
                .contains("linux")) {
            return;
        }
        String t = System.getenv("GLIBC_TUNABLES");
        if (t == null || !t.contains("glibc.malloc.trim_threshold")) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "GLIBC_TUNABLES sets no malloc trim threshold: training steps can run 25 % slower while freed"
                            + " memory is returned to the kernel and faulted in again. Run through ./tessera or export"
                            + " GLIBC_TUNABLES=" + GLIBC_TUNABLES + ".");
        }
    }

    /**
     * Warns when OpenBLAS (libtorch's sgemm) runs AVX2 kernels on a CPU with AVX-512. OpenBLAS picks kernels by CPU
     * model, and a model newer than it knows (AMD Zen 5) gets its Haswell kernels; {@code OPENBLAS_CORETYPE} read at
     * load time chooses others, so the launcher sets it ({@code COOPERLAKE} with AVX-512 BF16, else {@code
     * SKYLAKEX}). Measured: the VecSet DiT bench step 274–311 ms → 161–225 ms, guided sampling 692–713 ms → 456–460 ms.
     */
    private static void checkBlasKernels() {
        if (System.getenv("OPENBLAS_CORETYPE") != null) {
            return;
        }
        String core = corename();
        String wanted = avx512CoreType();
        if (wanted != null && !avx512Kernels(core)) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "OpenBLAS runs its " + core + " kernels on a CPU with AVX-512: matrix products can run 1.5x"
                            + " slower. Run through ./tessera or export OPENBLAS_CORETYPE=" + wanted + ".");
        }
    }

    /** Whether an OpenBLAS core name ({@link #openblasCore()}) is one of its AVX-512 kernel families. */
    static boolean avx512Kernels(String core) {
        return core.toLowerCase(java.util.Locale.ROOT).matches(".*(skylakex|cooperlake|sapphire).*");
    }

    /** The kernel family OpenBLAS chose ({@code Haswell}, {@code SkylakeX}, {@code Cooperlake}...). */
    public static String openblasCore() {
        load();
        return corename();
    }

    private static String corename() {
        try {
            var name = org.bytedeco.openblas.global.openblas_full.openblas_get_corename();
            return name == null ? "unknown" : name.getString().strip();
        } catch (Throwable t) {
            return "unknown";
        }
    }

    /**
     * The OpenBLAS core type of this CPU's AVX-512 kernels ({@code COOPERLAKE} with BF16, else {@code SKYLAKEX}), or
     * {@code null} when the CPU lacks AVX-512 F/CD/BW/DQ/VL or {@code /proc/cpuinfo} cannot be read.
     */
    static String avx512CoreType() {
        java.nio.file.Path info = java.nio.file.Path.of("/proc/cpuinfo");
        String flags;
        try (var lines = java.nio.file.Files.lines(info)) {
            flags = lines.filter(l -> l.startsWith("flags")).findFirst().orElse("");
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
        java.util.Set<String> has = new java.util.HashSet<>(java.util.Arrays.asList(
                flags.substring(flags.indexOf(':') + 1).trim().split("\\s+")));
        for (String f : new String[] {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"}) {
            if (!has.contains(f)) {
                return null;
            }
        }
        return has.contains("avx512_bf16") ? "COOPERLAKE" : "SKYLAKEX";
    }

    /** The directory libtorch's native libraries were extracted to (after {@link #load()}), or {@code null}. */
    public static java.nio.file.Path nativeDirectory() {
        load();
        return nativeDir;
    }
}
