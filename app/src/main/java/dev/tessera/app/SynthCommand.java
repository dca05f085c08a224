package dev.tessera.app;

import dev.tessera.data.synth.ShapeClass;
import dev.tessera.data.synth.SyntheticShapes;
import dev.tessera.geometry.io.MeshIO;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera synth}: the procedural dataset of labelled watertight shapes. */
@Command(
        name = "synth",
        mixinStandardHelpOptions = true,
        description = {
            "Generate labelled watertight meshes procedurally: primitives with random proportions, twists and bends,",
            "and compositions (tables, chairs, mugs, lamps). Writes OUTPUT/<class>/<class>-NNNNN.<format> and",
            "OUTPUT/labels.csv, which 'tessera prep' reads for the labels. Same seed, same files."
        })
final class SynthCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--count", required = true, description = "Number of shapes (classes take turns).")
    int count;

    @Option(
            names = {"--output", "-o"},
            required = true,
            description = "Output directory.")
    Path output;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--classes", split = ",", description = "Classes to draw (default: all): ${COMPLETION-CANDIDATES}.")
    List<ShapeClass> classes;

    @Option(
            names = "--resolution",
            defaultValue = "96",
            description = "Meshing grid resolution (default: ${DEFAULT-VALUE}).")
    int resolution;

    @Option(
            names = "--format",
            defaultValue = "PLY",
            description = "Mesh format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    MeshIO.Format format;

    @Override
    public Integer call() throws Exception {
        if (count < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--count must be at least 1");
        }
        List<ShapeClass> cs = classes == null || classes.isEmpty() ? Arrays.asList(ShapeClass.values()) : classes;
        long t0 = System.nanoTime();
        List<SyntheticShapes.Item> items = SyntheticShapes.generate(
                output, count, seed, new ArrayList<>(cs), resolution, format, new ProgressBar(System.err));
        Map<String, Integer> perClass = new TreeMap<>();
        for (SyntheticShapes.Item it : items) {
            perClass.merge(it.label(), 1, Integer::sum);
        }
        var out = spec.commandLine().getOut();
        out.printf(
                "%d shapes in %s (%s): %s%n",
                items.size(), output, Format.seconds((System.nanoTime() - t0) / 1e9), perClass);
        out.flush();
        return Cli.OK;
    }
}
