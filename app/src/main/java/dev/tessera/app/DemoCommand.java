package dev.tessera.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera demo}: the whole pipeline on synthetic shapes (a thin layer over {@link Demo}). */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "The whole pipeline on the CPU, from nothing: synthesise labelled shapes (tori, cones, boxes, spheres),",
            "prepare them, train a tiny vecset VAE, encode the shapes, train a tiny class-conditioned DiT with",
            "rectified flow, and generate shapes of every class. Writes GLB files, a contact sheet (sheet.png) and",
            "a page (index.html) with the pictures, the loss curves and a check of the generated shapes against",
            "the training shapes. About 5 minutes on 2 quiet cores; --quick: 2 classes, a few minutes (a smoke test).",
            "Re-running with the same --out continues where the last run stopped."
        })
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--out",
            defaultValue = "tessera-demo",
            paramLabel = "DIR",
            description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--quick", description = "A small, fast run: 2 classes, few steps (the CI smoke test).")
    boolean quick;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        Demo.Settings s = quick ? Demo.Settings.quick() : Demo.Settings.full();
        o.printf(
                Locale.ROOT,
                "demo%s: %d shapes of %s → %s%n",
                quick ? " (quick)" : "",
                s.shapes(),
                String.join(", ", s.classes()),
                out.toAbsolutePath());
        o.flush();
        Demo.Result r = Demo.run(s, out, new ProgressBar(System.err));
        o.printf(Locale.ROOT, "demo: done in %s%n", Format.seconds(r.seconds()));
        for (Map.Entry<String, Double> e : r.stageSeconds().entrySet()) {
            o.printf(Locale.ROOT, "  %-10s %s%n", e.getKey(), Format.seconds(e.getValue()));
        }
        o.printf(
                Locale.ROOT,
                "nearest training shape has the asked class for %.0f %% of the generated shapes: %s%n",
                100 * r.accuracy(),
                r.confusion());
        o.printf(Locale.ROOT, "open %s%n", r.page().toAbsolutePath());
        o.flush();
        return Cli.OK;
    }
}
