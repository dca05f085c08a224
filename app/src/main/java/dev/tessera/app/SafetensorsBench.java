package dev.tessera.app;

import dev.tessera.data.safetensors.DType;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.safetensors.SafetensorsWriter;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import dev.tessera.model.Torch;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera bench safetensors}: write and read a large safetensors file into libtorch tensors. */
@Command(
        name = "safetensors",
        mixinStandardHelpOptions = true,
        description = {
            "Write a safetensors file of --size-mib MiB (64 F32 tensors), then read it into libtorch tensors:",
            "owned copies (one memcpy from the mapping) and zero-copy views (each summed so every byte is read).",
            "Reports GB/s and the Java heap growth (none: the bytes never touch the heap).",
            "The peer reads the same file into torch tensors with numpy (Debian has no python3-safetensors)."
        })
final class SafetensorsBench implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--size-mib", defaultValue = "1024", description = "File size in MiB (default: ${DEFAULT-VALUE}).")
    int sizeMib;

    @Option(names = "--dir", description = "Where to write the file (default: the system temp directory).")
    Path dir;

    @Option(
            names = "--reps",
            defaultValue = "3",
            description = "Repetitions; the best is reported (default: ${DEFAULT-VALUE}).")
    int reps;

    @Option(names = "--no-peers", negatable = true, defaultValue = "true", description = "Run the Python peer.")
    boolean peers;

    @Override
    public Integer call() throws Exception {
        Torch.load();
        PrintWriter out = spec.commandLine().getOut();
        if (sizeMib < 64) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--size-mib must be at least 64");
        }
        Path d = dir != null ? dir : Path.of(System.getProperty("java.io.tmpdir"));
        Files.createDirectories(d);
        Path file = d.resolve("tessera-bench-" + ProcessHandle.current().pid() + ".safetensors");
        int tensors = 64;
        long perTensor = (long) sizeMib * 1024 * 1024 / tensors / 4; // floats
        long bytes = perTensor * 4 * tensors;
        try {
            ByteBuffer pattern =
                    ByteBuffer.allocateDirect((int) (perTensor * 4)).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < perTensor; i++) {
                pattern.putFloat(i * 4, (i % 1000) * 0.001f);
            }
            double write = Double.MAX_VALUE;
            for (int r = 0; r < reps; r++) {
                SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
                for (int t = 0; t < tensors; t++) {
                    w.add("layers." + t + ".weight", DType.F32, new long[] {perTensor}, pattern);
                }
                long t0 = System.nanoTime();
                w.write(file);
                write = Math.min(write, (System.nanoTime() - t0) / 1e9);
            }
            long heapBefore = usedHeap();
            double read = Double.MAX_VALUE;
            double view = Double.MAX_VALUE;
            double checksum = 0;
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                try (SafetensorsReader reader = SafetensorsReader.open(file)) {
                    List<String> names = reader.names();
                    for (String n : names) {
                        try (StepScope s = new StepScope()) {
                            Tensor t = Tensors.read(reader, n);
                            checksum += t.numel();
                        }
                    }
                }
                read = Math.min(read, (System.nanoTime() - t0) / 1e9);
                t0 = System.nanoTime();
                try (SafetensorsReader reader = SafetensorsReader.open(file)) {
                    for (String n : reader.names()) {
                        try (StepScope s = new StepScope()) {
                            checksum += Tensors.view(reader, n).sum().item_double();
                        }
                    }
                }
                view = Math.min(view, (System.nanoTime() - t0) / 1e9);
            }
            long heapGrowth = usedHeap() - heapBefore;
            String size = sizeMib + "MiB";
            line(out, "safetensors_write_" + size, write, bytes);
            line(out, "safetensors_read_" + size, read, bytes);
            line(out, "safetensors_view_sum_" + size, view, bytes);
            out.printf(
                    Locale.ROOT,
                    "java_heap_growth_bytes %d (file %d bytes; checksum %.0f)%n",
                    heapGrowth,
                    bytes,
                    checksum);
            if (peers) {
                Peers.Result peer = Peers.run("safetensors_peer.py", 2, List.of(file.toString()), 600);
                if (!peer.ok()) {
                    out.println("peer: " + peer.failure());
                } else {
                    Double p = peer.values().get("safetensors_read");
                    if (p != null) {
                        line(out, "peer_numpy_torch_read_" + size, p, bytes);
                        out.printf(
                                Locale.ROOT, "ratio read tessera/peer time %.2f (%.1f× faster)%n", read / p, p / read);
                    }
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
        out.flush();
        return Cli.OK;
    }

    private static void line(PrintWriter out, String name, double seconds, long bytes) {
        out.printf(Locale.ROOT, "%s %.3f %.2f GB/s%n", name, seconds, bytes / seconds / 1e9);
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
