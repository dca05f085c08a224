package dev.tessera.data.synth;

import dev.tessera.data.Progress;
import dev.tessera.geometry.Aabb;
import dev.tessera.geometry.DenseGrid;
import dev.tessera.geometry.MarchingCubes;
import dev.tessera.geometry.ScalarField;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.io.AtomicFile;
import dev.tessera.geometry.io.MeshIO;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * The procedural dataset: watertight meshes of labelled {@link ShapeClass}es, drawn from a seed. Each shape's
 * signed distance function is sampled on a grid over {@code [-1, 1]³} and meshed by marching cubes, so every mesh is
 * closed and outward-oriented, compositions included. The same seed, count and resolution give the same files.
 */
public final class SyntheticShapes {
    /** Default grid resolution for meshing. */
    public static final int DEFAULT_RESOLUTION = 96;
    /** Name of the label file written beside the meshes. */
    public static final String LABELS = "labels.csv";

    private SyntheticShapes() {}

    /** One generated shape: its file (relative to the output directory) and label. */
    public record Item(String file, String label) {}

    /** The seed of shape {@code index} of a run with seed {@code seed}. */
    public static long shapeSeed(long seed, int index) {
        return new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (index + 1))).nextLong();
    }

    /** The signed distance function of one random shape of class {@code c}. */
    public static ScalarField field(ShapeClass c, long shapeSeed) {
        return c.draw(new SplittableRandom(shapeSeed));
    }

    /** Meshes one random shape of class {@code c} at the given grid resolution. */
    public static TriangleMesh mesh(ShapeClass c, long shapeSeed, int resolution) {
        if (resolution < 16 || resolution > 512) {
            throw new IllegalArgumentException("synthetic mesh resolution must be in [16, 512], got " + resolution);
        }
        DenseGrid grid = DenseGrid.sample(Aabb.cube(1.0), resolution, field(c, shapeSeed));
        return MarchingCubes.extract(grid, 0f);
    }

    /**
     * Generates {@code count} shapes, classes in turn (balanced), into {@code out/<label>/<label>-NNNNN.<ext>}, and
     * writes {@code out/labels.csv} ({@code file,label}). Runs on all cores.
     */
    public static List<Item> generate(
            Path out,
            int count,
            long seed,
            List<ShapeClass> classes,
            int resolution,
            MeshIO.Format format,
            Progress progress)
            throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("--count must be at least 1, got " + count);
        }
        if (classes.isEmpty()) {
            throw new IllegalArgumentException("no shape classes selected");
        }
        Files.createDirectories(out);
        Item[] items = new Item[count];
        AtomicInteger done = new AtomicInteger();
        progress.start("synth", count);
        try {
            IntStream.range(0, count).parallel().forEach(i -> {
                ShapeClass c = classes.get(i % classes.size());
                String file = c.label() + "/" + c.label() + "-" + String.format("%05d", i) + "." + format.extension();
                TriangleMesh m = mesh(c, shapeSeed(seed, i), resolution);
                try {
                    Path target = out.resolve(file);
                    Files.createDirectories(target.getParent());
                    MeshIO.write(target, m);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                items[i] = new Item(file, c.label());
                progress.advance(done.incrementAndGet(), null);
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            progress.finish();
        }
        StringBuilder csv = new StringBuilder("file,label\n");
        List<Item> list = new ArrayList<>();
        for (Item it : items) {
            csv.append(it.file()).append(',').append(it.label()).append('\n');
            list.add(it);
        }
        AtomicFile.write(out.resolve(LABELS), csv.toString().getBytes(StandardCharsets.UTF_8));
        return list;
    }
}
