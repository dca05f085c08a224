package dev.tessera.app;

import dev.tessera.model.TorchInfo;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera info}: versions, JDK, libtorch build, devices and threads. */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = "Print versions, the JDK, the libtorch build, available devices, threads and native paths.")
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", description = "Also print libtorch's full build configuration.")
    boolean config;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Runtime rt = Runtime.getRuntime();
        TorchInfo t = TorchInfo.read();
        row(out, "tessera", VersionProvider.version());
        row(
                out,
                "java",
                System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ") at "
                        + System.getProperty("java.home"));
        row(
                out,
                "os",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch") + ", " + rt.availableProcessors() + " cores, max heap "
                        + gib(rt.maxMemory()));
        row(
                out,
                "libtorch",
                t.version() + " (JavaCPP pytorch " + property("pytorch") + ", natives "
                        + property("natives") + (t.cudaBuild() ? ", CUDA build" : ", CPU build")
                        + (t.mkldnn() ? ", oneDNN" : "")
                        + ")");
        row(
                out,
                "devices",
                String.join(", ", t.devices())
                        + (t.cudaBuild()
                                ? (t.cudaDevices() == 0 ? " (CUDA build, but no GPU visible)" : "")
                                : " (cuda: not in this build; see README, GPU)"));
        row(
                out,
                "threads",
                "intra-op " + t.intraOpThreads() + ", inter-op " + t.interOpThreads() + ", backend "
                        + t.parallelBackend() + ", OMP_WAIT_POLICY=" + env("OMP_WAIT_POLICY") + ", OMP_NUM_THREADS="
                        + env("OMP_NUM_THREADS"));
        row(
                out,
                "kernels",
                "OpenBLAS " + t.blasCore() + " (OPENBLAS_CORETYPE=" + env("OPENBLAS_CORETYPE") + "), GLIBC_TUNABLES="
                        + env("GLIBC_TUNABLES"));
        row(out, "natives", t.nativeDirectory());
        if (config) {
            out.println();
            out.println(t.buildConfig().strip());
        }
        out.flush();
        return Cli.OK;
    }

    private static void row(PrintWriter out, String key, String value) {
        out.printf(Locale.ROOT, "%-9s %s%n", key, value);
    }

    private static String env(String name) {
        String v = System.getenv(name);
        return v == null ? "(unset)" : v;
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    private static String property(String key) {
        java.util.Properties p = new java.util.Properties();
        try (var in = InfoCommand.class.getResourceAsStream("/tessera-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (java.io.IOException e) {
            return "unknown";
        }
        return p.getProperty(key, "unknown");
    }
}
