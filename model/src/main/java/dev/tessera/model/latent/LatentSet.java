package dev.tessera.model.latent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tessera.data.safetensors.DType;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.safetensors.TensorInfo;
import dev.tessera.model.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.bytedeco.pytorch.Tensor;

/**
 * A directory of VAE latents, one safetensors file per shape, read by id.
 *
 * <pre>
 * LATENTS/
 *   latents.json                  kind, latent shape, posterior, the VAE (run, config, weights hash), entries
 *   latents/&lt;id&gt;.safetensors      tensor "latent" F32 [N, C] (vecset) or [C, D, H, W] (sparse structure);
 *                                 metadata id, label (when known), content_hash
 * </pre>
 *
 * <p>{@code tessera encode} writes it ({@link LatentSetWriter}); {@code tessera train-dit} reads it. Only the entries
 * live in memory; latents are read from their files on demand ({@link #read}), or all at once for small sets
 * ({@link #load}). The format is documented in {@code docs/latents.md}; Python reads it with {@code json} and
 * {@code safetensors}.
 */
public final class LatentSet {
    /** The header file of a latent set. */
    public static final String INFO = "latents.json";
    /** The directory of per-shape files. */
    public static final String FILES = "latents";
    /** The tensor name inside each file. */
    public static final String TENSOR = "latent";

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._/-]+");

    private final Path root;
    private final LatentSetInfo info;
    private final Map<String, LatentEntry> byId;
    private final List<String> labels;

    private LatentSet(Path root, LatentSetInfo info) {
        this.root = root;
        this.info = info;
        this.byId = new LinkedHashMap<>();
        for (LatentEntry e : info.entries()) {
            byId.put(e.id(), e);
        }
        this.labels = info.entries().stream()
                .map(LatentEntry::label)
                .filter(l -> l != null)
                .distinct()
                .sorted()
                .toList();
    }

    /**
     * Opens a complete latent set.
     *
     * @throws LatentSetException when {@code latents.json} is missing, malformed, incomplete (an interrupted encode),
     *     or lists a shape whose file is missing
     */
    public static LatentSet open(Path root) throws IOException {
        LatentSetInfo info = readInfo(root);
        if (!info.complete()) {
            throw new LatentSetException(
                    root.resolve(INFO),
                    "the latent set is incomplete (its encode was interrupted): run 'tessera encode' again with"
                            + " --resume");
        }
        LatentSet set = new LatentSet(root, info);
        for (String id : set.byId.keySet()) {
            if (!Files.isRegularFile(set.file(id))) {
                throw new LatentSetException(
                        set.file(id), "listed in " + INFO + " but missing: re-encode the set (tessera encode)");
            }
        }
        return set;
    }

    /** Reads and checks {@code latents.json} (complete or not). */
    static LatentSetInfo readInfo(Path root) throws IOException {
        Path file = root.resolve(INFO);
        if (!Files.exists(file)) {
            throw new NoSuchFileException(
                    file.toString(), null, "not a latent set (no " + INFO + "); write one with 'tessera encode'");
        }
        LatentSetInfo info;
        try {
            info = JSON.readValue(file.toFile(), LatentSetInfo.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new LatentSetException(file, "not a valid " + INFO + ": " + e.getOriginalMessage());
        }
        if (!LatentSetInfo.FORMAT.equals(info.format())) {
            throw new LatentSetException(file, "format is \"" + info.format() + "\", not " + LatentSetInfo.FORMAT);
        }
        if (info.version() > LatentSetInfo.VERSION) {
            throw new LatentSetException(
                    file,
                    "format version " + info.version() + " is newer than this Tessera reads (" + LatentSetInfo.VERSION
                            + "): update Tessera");
        }
        return info;
    }

    /** Checks that an id is a safe relative file name: {@code [A-Za-z0-9._/-]}, no empty, {@code .} or {@code ..} part. */
    public static String checkId(String id) {
        if (id == null || id.isEmpty() || id.length() > 400 || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException(
                    "bad latent id \"" + id + "\": use letters, digits and . _ - / (a dataset sample id)");
        }
        for (String part : id.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException(
                        "bad latent id \"" + id + "\": empty, '.' or '..' path parts are not allowed");
            }
        }
        return id;
    }

    /** The set's directory. */
    public Path root() {
        return root;
    }

    /** The header: kind, latent shape, posterior, VAE, entries. */
    public LatentSetInfo info() {
        return info;
    }

    /** Number of shapes. */
    public int size() {
        return byId.size();
    }

    /** The ids, sorted. */
    public List<String> ids() {
        return List.copyOf(byId.keySet());
    }

    /** True when the set holds this id. */
    public boolean contains(String id) {
        return byId.containsKey(id);
    }

    /** The entry of an id. */
    public LatentEntry entry(String id) {
        LatentEntry e = byId.get(id);
        if (e == null) {
            throw new IllegalArgumentException("no latent '" + id + "' in " + root);
        }
        return e;
    }

    /** The label of an id, or {@code null}. */
    public String label(String id) {
        return entry(id).label();
    }

    /** The distinct labels, sorted. */
    public List<String> labels() {
        return labels;
    }

    /** The file of an id: {@code latents/<id>.safetensors}. */
    public Path file(String id) {
        return fileOf(root, id);
    }

    static Path fileOf(Path root, String id) {
        return root.resolve(FILES).resolve(checkId(id) + ".safetensors");
    }

    /** The ids in a shuffled order that depends only on {@code seed} and {@code epoch} (not on the listing order). */
    public List<String> order(long seed, long epoch) {
        List<String> ids = new ArrayList<>(byId.keySet());
        Collections.sort(ids);
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
        for (int i = ids.size() - 1; i > 0; i--) {
            Collections.swap(ids, i, r.nextInt(i + 1));
        }
        return ids;
    }

    /** One latent as an owned float32 tensor of {@link LatentSetInfo#shape()}. */
    public Tensor read(String id) throws IOException {
        try (SafetensorsReader r = openChecked(id)) {
            return Tensors.read(r, TENSOR);
        }
    }

    /** One latent as floats, row-major. */
    public float[] floats(String id) throws IOException {
        try (SafetensorsReader r = openChecked(id)) {
            return r.floats(TENSOR);
        }
    }

    private SafetensorsReader openChecked(String id) throws IOException {
        entry(id);
        Path f = file(id);
        SafetensorsReader r = SafetensorsReader.open(f);
        try {
            checkFile(f, r, info.shape());
            return r;
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    /** Checks that a file holds one F32 {@code latent} of the expected shape; returns its tensor info. */
    static TensorInfo checkFile(Path f, SafetensorsReader r, long[] shape) throws LatentSetException {
        if (!r.contains(TENSOR)) {
            throw new LatentSetException(f, "no tensor \"" + TENSOR + "\" (found " + r.names() + ")");
        }
        TensorInfo t = r.info(TENSOR);
        if (t.dtype() != DType.F32 || !Arrays.equals(t.shape(), shape)) {
            throw new LatentSetException(
                    f,
                    "tensor \"" + TENSOR + "\" is " + t.dtype() + " " + Arrays.toString(t.shape()) + ", the set's "
                            + INFO + " says F32 " + Arrays.toString(shape) + ": re-encode it");
        }
        return t;
    }

    /**
     * Reads the given ids into one tensor in memory, for sets small enough to batch from memory.
     *
     * @throws IllegalArgumentException when the latents would take more than {@code maxBytes}
     */
    public InMemoryLatents load(List<String> ids, long maxBytes) throws IOException {
        long bytes = 4L * info.elements() * ids.size();
        if (bytes > maxBytes) {
            throw new IllegalArgumentException(root + ": " + ids.size() + " latents take " + bytes
                    + " bytes, more than the in-memory limit of " + maxBytes + "; read them one by one (read(id))");
        }
        long per = info.elements();
        float[] all = new float[Math.toIntExact(per * ids.size())];
        int[] labelIndex = new int[ids.size()];
        for (int i = 0; i < ids.size(); i++) {
            float[] f = floats(ids.get(i));
            System.arraycopy(f, 0, all, Math.toIntExact(i * per), f.length);
            String l = label(ids.get(i));
            labelIndex[i] = l == null ? -1 : labels.indexOf(l);
        }
        long[] shape = new long[info.latentShape().size() + 1];
        shape[0] = ids.size();
        System.arraycopy(info.shape(), 0, shape, 1, shape.length - 1);
        return new InMemoryLatents(Tensors.fromFloats(all, shape), ids, labelIndex, labels);
    }

    /** Every latent of the set in memory (limit 2 GiB), in id order. */
    public InMemoryLatents load() throws IOException {
        return load(ids(), 1L << 31);
    }

    /**
     * Mean and standard deviation of every latent value, over the whole set and per channel (in doubles, reading each
     * file once).
     */
    public LatentStatistics statistics() throws IOException {
        return LatentStatistics.of(this);
    }

    @Override
    public String toString() {
        return "LatentSet[" + root + ", " + info.kind().id() + " " + info.latentShape() + " × " + size() + "]";
    }
}
