package dev.tessera.data.dataset;

import dev.tessera.data.safetensors.SafetensorsReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * A prepared dataset: a directory with {@code manifest.jsonl} and {@code samples/<id>.safetensors}. Holds only the
 * manifest's records in memory; samples are opened (memory-mapped) on demand, so datasets of any size can be read.
 * Immutable: filters and splits return new views over the same directory.
 */
public final class Dataset {
    /** Directory of sample files inside a dataset. */
    public static final String SAMPLES = "samples";

    private final Path root;
    private final List<ManifestRecord> entries;

    private Dataset(Path root, List<ManifestRecord> entries) {
        this.root = root;
        this.entries = List.copyOf(entries);
    }

    /**
     * Opens a dataset directory with the latest successful record of each id, sorted by id: the manifest's own order is
     * the order in which prep's workers finished, which differs from run to run, and training draws its batches by
     * position, so the same data must read in the same order.
     */
    public static Dataset open(Path root) throws IOException {
        Path manifest = root.resolve(Manifest.FILE);
        if (!Files.exists(manifest)) {
            throw new NoSuchFileException(
                    manifest.toString(), null, "not a dataset directory (run 'tessera prep' first)");
        }
        List<ManifestRecord> ok = new ArrayList<>();
        for (ManifestRecord r : Manifest.read(manifest).latest().values()) {
            if (r.ok()) {
                ok.add(r);
            }
        }
        ok.sort(java.util.Comparator.comparing(ManifestRecord::id));
        return new Dataset(root, ok);
    }

    /** The dataset's directory. */
    public Path root() {
        return root;
    }

    /** Number of samples. */
    public int size() {
        return entries.size();
    }

    /** The records, sorted by id. */
    public List<ManifestRecord> entries() {
        return entries;
    }

    /** The ids, sorted. */
    public List<String> ids() {
        return entries.stream().map(ManifestRecord::id).toList();
    }

    /** The sample file of an id. */
    public Path file(String id) {
        return root.resolve(SAMPLES).resolve(id + ".safetensors");
    }

    /** The record of an id. */
    public ManifestRecord entry(String id) {
        for (ManifestRecord r : entries) {
            if (r.id().equals(id)) {
                return r;
            }
        }
        throw new IllegalArgumentException("no sample '" + id + "' in " + root);
    }

    /** Opens one sample for reading (memory-mapped; close it when done). */
    public SafetensorsReader open(String id) throws IOException {
        return SafetensorsReader.open(file(id));
    }

    /** The samples whose record passes {@code filter}. */
    public Dataset filter(Predicate<ManifestRecord> filter) {
        return new Dataset(root, entries.stream().filter(filter).toList());
    }

    /** The samples with one of the given labels. */
    public Dataset withLabels(Set<String> labels) {
        return filter(r -> r.label() != null && labels.contains(r.label()));
    }

    /** The distinct labels, sorted. */
    public List<String> labels() {
        return entries.stream()
                .map(ManifestRecord::label)
                .filter(l -> l != null)
                .distinct()
                .sorted()
                .toList();
    }

    /**
     * A deterministic split by content hash: a sample goes to validation when its hash, read as a number in [0, 1),
     * is below {@code validationFraction}. The same shape lands on the same side whatever the dataset's order, size or
     * seed, and duplicates of one file never straddle the split.
     */
    public Split split(double validationFraction) {
        if (!(validationFraction >= 0 && validationFraction <= 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1], got " + validationFraction);
        }
        List<ManifestRecord> train = new ArrayList<>(), val = new ArrayList<>();
        for (ManifestRecord r : entries) {
            (hashFraction(r.contentHash()) < validationFraction ? val : train).add(r);
        }
        return new Split(new Dataset(root, train), new Dataset(root, val));
    }

    /** A train/validation pair. */
    /**
     * At most {@code n} of {@code ids}, evenly spaced over the list ({@code ids[⌊(i + ½)·size / n⌋]}): from sorted ids
     * named by class, as {@code synth} names them, every class is represented instead of the alphabetically first.
     * All of them when {@code n ≥ size}.
     */
    public static List<String> spread(List<String> ids, int n) {
        if (n >= ids.size()) {
            return List.copyOf(ids);
        }
        List<String> out = new ArrayList<>(Math.max(0, n));
        for (int i = 0; i < n; i++) {
            out.add(ids.get((int) ((i + 0.5) * ids.size() / n)));
        }
        return out;
    }

    public record Split(Dataset train, Dataset validation) {}

    static double hashFraction(String hex) {
        if (hex == null || hex.length() < 13) {
            return 0.999999;
        }
        return Long.parseLong(hex.substring(0, 13), 16) / (double) (1L << 52);
    }

    /** The ids in a shuffled order that depends only on {@code seed} and {@code epoch}. */
    public List<String> epochOrder(long seed, long epoch) {
        List<String> ids = new ArrayList<>(ids()); // sorted by id
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
        for (int i = ids.size() - 1; i > 0; i--) {
            Collections.swap(ids, i, r.nextInt(i + 1));
        }
        return ids;
    }

    /** Counts per label ({@code "(none)"} for unlabelled). */
    public Map<String, Long> labelCounts() {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (ManifestRecord r : entries) {
            out.merge(r.label() == null ? "(none)" : r.label(), 1L, Long::sum);
        }
        return out;
    }

    @Override
    public String toString() {
        return "Dataset[" + root + ", " + entries.size() + " samples]";
    }
}
