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

    /** The directory libtorch's native libraries were extracted to (after {@link #load()}), or {@code null}. */
    public static java.nio.file.Path nativeDirectory() {
        load();
        return nativeDir;
    }
}
