package dev.tessera.app;

import dev.tessera.data.Progress;
import dev.tessera.data.prep.MeshSampleBuilder;
import dev.tessera.data.prep.PrepInputs;
import dev.tessera.data.prep.PrepJob;
import dev.tessera.data.prep.PrepOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera bench prep}: shapes per minute and peak memory of {@code prep} with 1, 2… workers. */
@Command(
        name = "prep",
        mixinStandardHelpOptions = true,
        description = {
            "Run 'prep' on a folder of meshes (default: the repository's testdata/meshes) into a temporary dataset,",
            "once per worker count, and print shapes per minute, the peak resident memory of the process and the",
            "peak Java heap of each run. No peer: no other tool does this job end to end."
        })
final class PrepBench implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = {"--input", "-i"},
            paramLabel = "DIR",
            description = "Meshes to prep (default: testdata/meshes of the repository).")
    Path input;

    @Option(
            names = "--workers",
            split = ",",
            defaultValue = "1,2",
            description = "Worker counts to run, in order (default: ${DEFAULT-VALUE}).")
    List<Integer> workers;

    @Option(names = "--small", description = "The --small sample sizes instead of the defaults.")
    boolean small;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path in = input != null ? input : repositoryMeshes();
        PrepInputs.Found found = PrepInputs.find(List.of(in.toString()), null);
        if (found.sources().isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--input " + in + " holds no mesh file");
        }
        PrepOptions options = small ? PrepOptions.small() : PrepOptions.defaults();
        out.printf(
                "# prep of %d meshes from %s, %s settings, %d cores%n",
                found.sources().size(),
                in,
                small ? "--small" : "default",
                Runtime.getRuntime().availableProcessors());
        out.flush();
        for (int w : workers) {
            if (w < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--workers must be at least 1, got " + w);
            }
            Path dir = Files.createTempDirectory("tessera-bench-prep");
            try {
                System.gc();
                resetPeaks();
                PrepJob.Summary s =
                        new PrepJob(dir, options, new MeshSampleBuilder(), w, false, "bench").run(found, Progress.NONE);
                int ok = s.written();
                out.printf(
                        "prep_workers_%d %.3f s  %d shapes (%d failed)  %.1f shapes/min  peak_rss %d MiB  peak_heap %d"
                                + " MiB%n",
                        w,
                        s.seconds(),
                        ok,
                        s.failed(),
                        ok * 60.0 / s.seconds(),
                        peakRssKib() / 1024,
                        peakHeapBytes() >> 20);
                out.flush();
            } finally {
                deleteTree(dir);
            }
        }
        return Cli.OK;
    }

    /** {@code testdata/meshes} under the launcher's root or the working directory. */
    private static Path repositoryMeshes() {
        String root = System.getenv("TESSERA_HOME");
        Path p = Path.of(root != null ? root : ".", "testdata", "meshes");
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("no testdata/meshes under "
                    + p.getParent().getParent() + "; run from the repository or pass --input DIR");
        }
        return p;
    }

    /** Resets the kernel's peak-RSS counter (Linux: {@code clear_refs} 5) and the heap pools' peaks. */
    private static void resetPeaks() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | UnsupportedOperationException e) {
            // not Linux: the peak is the process's since start
        }
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
    }

    /** Peak resident set size since the last reset, KiB ({@code VmHWM}), or -1 when unknown. */
    private static long peakRssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return -1;
    }

    /** Sum of the heap pools' peak usage since the last reset. */
    private static long peakHeapBytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
