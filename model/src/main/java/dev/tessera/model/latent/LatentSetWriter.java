package dev.tessera.model.latent;

import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.safetensors.SafetensorsWriter;
import dev.tessera.geometry.io.AtomicFile;
import dev.tessera.model.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;

/**
 * Writes a {@link LatentSet}: one file per shape, each written atomically (temporary file, fsync, rename), then
 * {@code latents.json} marked complete by {@link #finish()}. Until then the set's header says {@code complete: false}
 * and readers refuse it; an interrupted run continues with {@link #resume}, which keeps the files already written.
 *
 * <pre>{@code
 * var w = LatentSetWriter.create(out, LatentSetInfo.of(LatentKind.VECSET, new long[] {256, 32}, Posterior.MEAN,
 *         VaeReference.of(vaeRun), datasetDir.toString()));
 * for (String id : dataset.ids()) {
 *     if (!w.has(id)) w.write(id, latentOf(id), labelOf(id), hashOf(id));   // latent [256, 32] F32
 * }
 * LatentSet set = w.finish();
 * }</pre>
 *
 * <p>{@link #write} may be called from several threads.
 */
public final class LatentSetWriter {
    private final Path root;
    private final LatentSetInfo header;
    private final Map<String, LatentEntry> entries = new TreeMap<>();
    private boolean finished;

    private LatentSetWriter(Path root, LatentSetInfo header) {
        this.root = root;
        this.header = header.with(List.of(), false);
    }

    /**
     * Starts a new set in {@code root}, which must not hold one already.
     *
     * @throws LatentSetException when {@code root} already holds a latent set (use {@link #resume} or another
     *     directory)
     */
    public static LatentSetWriter create(Path root, LatentSetInfo header) throws IOException {
        if (Files.exists(root.resolve(LatentSet.INFO)) || Files.exists(root.resolve(LatentSet.FILES))) {
            throw new LatentSetException(
                    root, "already holds a latent set: continue it with --resume or choose another output directory");
        }
        LatentSetWriter w = new LatentSetWriter(root, header);
        w.writeInfo();
        return w;
    }

    /**
     * Continues a set in {@code root}: the files already there are checked (shape, dtype, id) and kept; a set that
     * does not exist yet is created.
     *
     * @throws LatentSetException when the existing set holds other latents (kind, shape, posterior or VAE differ), or
     *     a file in it is not a latent of this set
     */
    public static LatentSetWriter resume(Path root, LatentSetInfo header) throws IOException {
        if (!Files.exists(root.resolve(LatentSet.INFO))) {
            if (Files.exists(root.resolve(LatentSet.FILES))) {
                throw new LatentSetException(
                        root,
                        "has a " + LatentSet.FILES + "/ directory but no " + LatentSet.INFO + ": not a latent set");
            }
            return create(root, header);
        }
        LatentSetInfo old = LatentSet.readInfo(root);
        if (!old.sameLatents(header)) {
            throw new LatentSetException(
                    root.resolve(LatentSet.INFO),
                    "holds " + describe(old) + ", this run writes " + describe(header)
                            + ": choose another output directory");
        }
        LatentSetWriter w = new LatentSetWriter(root, header);
        w.scanExisting();
        w.writeInfo();
        return w;
    }

    private static String describe(LatentSetInfo i) {
        return i.kind().id() + " latents " + i.latentShape() + " ("
                + i.posterior().id() + ") of the VAE "
                + (i.vae() == null ? "(unknown)" : i.vae().run());
    }

    private void scanExisting() throws IOException {
        Path dir = root.resolve(LatentSet.FILES);
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors"))
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        }
        for (Path f : files) {
            String rel = dir.relativize(f).toString().replace('\\', '/');
            String id = rel.substring(0, rel.length() - ".safetensors".length());
            try (SafetensorsReader r = SafetensorsReader.open(f)) {
                LatentSet.checkFile(f, r, header.shape());
                Map<String, String> m = r.metadata();
                if (!id.equals(m.get("id"))) {
                    throw new LatentSetException(
                            f, "its metadata id is \"" + m.get("id") + "\", its name says \"" + id + "\": delete it");
                }
                entries.put(id, new LatentEntry(id, m.get("label"), m.get("content_hash")));
            }
        }
    }

    /** The directory being written. */
    public Path root() {
        return root;
    }

    /** True when the latent of {@code id} is already written (by this run or, after {@link #resume}, an earlier one). */
    public synchronized boolean has(String id) {
        return entries.containsKey(id);
    }

    /** The entry of {@code id} written so far (label and content hash as stored), or {@code null}. */
    public synchronized LatentEntry entry(String id) {
        return entries.get(id);
    }

    /**
     * Deletes the latent of {@code id} (after {@link #resume}: a shape no longer in the dataset); nothing when there is
     * none.
     */
    public void remove(String id) throws IOException {
        synchronized (this) {
            if (finished) {
                throw new IllegalStateException("the latent set " + root + " is finished");
            }
            entries.remove(id);
        }
        Files.deleteIfExists(LatentSet.fileOf(root, id));
    }

    /** The ids written so far, sorted. */
    public synchronized List<String> ids() {
        return List.copyOf(entries.keySet());
    }

    /** Number of latents written so far. */
    public synchronized int count() {
        return entries.size();
    }

    /**
     * Writes one shape's latent (any float CPU tensor of the set's latent shape; stored as F32), replacing an earlier
     * one of the same id.
     *
     * @param label the class label, or {@code null}
     * @param contentHash the source mesh's SHA-256, or {@code null}
     */
    public void write(String id, Tensor latent, String label, String contentHash) throws IOException {
        long[] shape = Tensors.shape(latent);
        checkShape(id, shape);
        write(id, Tensors.toFloats(latent), label, contentHash);
    }

    /** The same with the latent as row-major floats. */
    public void write(String id, float[] latent, String label, String contentHash) throws IOException {
        LatentSet.checkId(id);
        if (latent.length != header.elements()) {
            throw new IllegalArgumentException("latent '" + id + "' has " + latent.length + " values, the set's shape "
                    + header.latentShape() + " needs " + header.elements());
        }
        synchronized (this) {
            if (finished) {
                throw new IllegalStateException("the latent set " + root + " is finished");
            }
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("id", id);
        if (label != null) {
            meta.put("label", label);
        }
        if (contentHash != null) {
            meta.put("content_hash", contentHash);
        }
        meta.put("kind", header.kind().id());
        new SafetensorsWriter()
                .metadata(meta)
                .addFloats(LatentSet.TENSOR, latent, header.shape())
                .write(LatentSet.fileOf(root, id));
        synchronized (this) {
            entries.put(id, new LatentEntry(id, label, contentHash));
        }
    }

    private void checkShape(String id, long[] shape) {
        if (!Arrays.equals(shape, header.shape())) {
            throw new IllegalArgumentException(
                    "latent '" + id + "' has shape " + Arrays.toString(shape) + ", the set's is " + header.latentShape()
                            + " (" + header.kind().id() + ")");
        }
    }

    /**
     * Writes {@code latents.json} with every entry and {@code complete: true}; returns the set opened for reading.
     */
    public synchronized LatentSet finish() throws IOException {
        finished = true;
        AtomicFile.write(
                root.resolve(LatentSet.INFO),
                LatentSet.JSON.writeValueAsBytes(header.with(new ArrayList<>(entries.values()), true)));
        return LatentSet.open(root);
    }

    private void writeInfo() throws IOException {
        Files.createDirectories(root.resolve(LatentSet.FILES));
        AtomicFile.write(
                root.resolve(LatentSet.INFO),
                LatentSet.JSON.writeValueAsBytes(header.with(new ArrayList<>(entries.values()), false)));
    }
}
