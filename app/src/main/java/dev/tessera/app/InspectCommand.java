package dev.tessera.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.safetensors.ShardedSafetensors;
import dev.tessera.data.safetensors.TensorInfo;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tessera inspect FILE}: the tensors and metadata of a safetensors file or sharded checkpoint. */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = {
            "List the tensors of a safetensors file: name, dtype, shape, byte size, and the metadata.",
            "FILE may be a .safetensors file, a model.safetensors.index.json, or a checkpoint directory.",
            "Exits 1 with the reason when the file is malformed."
        })
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The file, index or directory to inspect.")
    Path file;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            List<String> names = r.names();
            if (json) {
                printJson(out, r, names);
                return Cli.OK;
            }
            long total = 0, elements = 0;
            int nameWidth =
                    Math.max(4, names.stream().mapToInt(String::length).max().orElse(0));
            int shapeWidth = Math.max(
                    5,
                    names.stream()
                            .mapToInt(n -> r.info(n).shapeString().length())
                            .max()
                            .orElse(0));
            out.println(r.path() + describeFiles(r));
            Map<String, String> md = r.metadata();
            if (!md.isEmpty()) {
                out.println("metadata:");
                md.forEach((k, v) -> out.println("  " + k + ": " + abbreviate(v)));
            }
            String fmt = "%-" + nameWidth + "s  %-5s  %-" + shapeWidth + "s  %12s%n";
            out.printf(fmt, "name", "dtype", "shape", "bytes");
            for (String n : names) {
                TensorInfo t = r.info(n);
                out.printf(fmt, n, t.dtype(), t.shapeString(), Format.bytes(t.byteSize()));
                total += t.byteSize();
                elements += t.numel();
            }
            out.println(Format.count(names.size()) + " tensors, " + Format.count(elements) + " elements, "
                    + Format.bytes(total));
        }
        out.flush();
        return Cli.OK;
    }

    private static String describeFiles(SafetensorsReader r) throws java.io.IOException {
        if (r instanceof ShardedSafetensors s) {
            return " (" + s.shardPaths().size() + " shards)";
        }
        return " (" + Format.bytes(Files.size(r.path())) + ")";
    }

    private static String abbreviate(String v) {
        String oneLine = v.replace('\n', ' ');
        return oneLine.length() > 200 ? oneLine.substring(0, 197) + "..." : oneLine;
    }

    private static void printJson(PrintWriter out, SafetensorsReader r, List<String> names) throws Exception {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("path", r.path().toString());
        ObjectNode md = root.putObject("metadata");
        r.metadata().forEach(md::put);
        ArrayNode tensors = root.putArray("tensors");
        for (String n : names) {
            TensorInfo t = r.info(n);
            ObjectNode o = tensors.addObject();
            o.put("name", n);
            o.put("dtype", t.dtype().name());
            ArrayNode shape = o.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            o.put("bytes", t.byteSize());
            o.put("file", r.fileOf(n).getFileName().toString());
        }
        out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }
}
