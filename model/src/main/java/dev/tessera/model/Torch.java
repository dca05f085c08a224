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
            loaded = true;
        }
    }

    /** The directory libtorch's native libraries were extracted to (after {@link #load()}), or {@code null}. */
    public static java.nio.file.Path nativeDirectory() {
        load();
        return nativeDir;
    }
}
