package dev.tessera.data.prep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.data.Progress;
import dev.tessera.data.dataset.Dataset;
import dev.tessera.data.dataset.Manifest;
import dev.tessera.data.dataset.ManifestRecord;
import dev.tessera.data.sample.Sample;
import dev.tessera.data.sample.SampleSchema;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.io.MeshIO;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code prep} job: for each source mesh, read → build a sample → write {@code samples/<id>.safetensors}
 * atomically → append a line to {@code manifest.jsonl}, on {@code workers} threads.
 *
 * <p>Resumable: a source whose latest manifest record is {@code ok} with the same content hash and settings hash, and
 * whose sample file exists, is skipped; so is one that failed with the same hashes (unless {@code retryFailed}). A
 * kill leaves at worst a temporary file (removed on the next run) and a torn last manifest line (cut on the next
 * run); samples depend only on the source's bytes, the settings and the seed, so a resumed run ends with the same
 * files as an uninterrupted one. A failing source is recorded with its one-line reason and the run goes on.
 */
public final class PrepJob {
    private static final System.Logger LOG = System.getLogger(PrepJob.class.getName());

    /** What a run did. */
    public record Summary(
            int total,
            int written,
            int skipped,
            int failed,
            int previouslyFailed,
            List<Path> unknownFormat,
            double seconds) {}

    private final Path output;
    private final PrepOptions options;
    private final SampleBuilder builder;
    private final int workers;
    private final boolean retryFailed;
    private final String toolVersion;

    public PrepJob(
            Path output,
            PrepOptions options,
            SampleBuilder builder,
            int workers,
            boolean retryFailed,
            String toolVersion) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        this.output = output;
        this.options = options;
        this.builder = builder;
        this.workers = workers;
        this.retryFailed = retryFailed;
        this.toolVersion = toolVersion;
    }

    /** The settings as canonical JSON. */
    public static String settingsJson(PrepOptions options) {
        try {
            return new ObjectMapper().writeValueAsString(options);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs the job over {@code found}. */
    public Summary run(PrepInputs.Found found, Progress progress) throws IOException {
        long t0 = System.nanoTime();
        Path samples = output.resolve(Dataset.SAMPLES);
        Files.createDirectories(samples);
        removeTemporaries(samples);
        Path manifestFile = output.resolve(Manifest.FILE);
        long cut = Manifest.repair(manifestFile);
        if (cut > 0) {
            LOG.log(System.Logger.Level.WARNING, "cut a torn last line of " + cut + " bytes from " + manifestFile);
        }
        Map<String, ManifestRecord> latest = Manifest.read(manifestFile).latest();
        String settings = settingsJson(options);
        String settingsHash = sha256(settings.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (Path p : found.skipped()) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "skipping " + p + ": not a mesh format prep reads (obj ply stl off glb)");
        }
        AtomicInteger written = new AtomicInteger(), skipped = new AtomicInteger(), failed = new AtomicInteger();
        AtomicInteger previouslyFailed = new AtomicInteger(), done = new AtomicInteger();
        List<PrepInputs.Source> sources = found.sources();
        progress.start("prep", sources.size());
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "prep-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (PrepInputs.Source s : sources) {
                futures.add(pool.submit(() -> {
                    String outcome = process(s, latest.get(s.id()), settings, settingsHash, manifestFile);
                    switch (outcome) {
                        case "written" -> written.incrementAndGet();
                        case "skipped" -> skipped.incrementAndGet();
                        case "previously-failed" -> previouslyFailed.incrementAndGet();
                        default -> failed.incrementAndGet();
                    }
                    progress.advance(done.incrementAndGet(), failed.get() > 0 ? failed.get() + " failed" : null);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof IOException io) {
                        throw io; // the dataset itself cannot be written: stop
                    }
                    throw new IllegalStateException(c);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        } finally {
            pool.shutdownNow();
            progress.finish();
        }
        return new Summary(
                sources.size(),
                written.get(),
                skipped.get(),
                failed.get(),
                previouslyFailed.get(),
                found.skipped(),
                (System.nanoTime() - t0) / 1e9);
    }

    /** Processes one source; returns "written", "skipped", "previously-failed" or "failed". IO errors of the output propagate. */
    private String process(
            PrepInputs.Source s, ManifestRecord previous, String settings, String settingsHash, Path manifestFile)
            throws IOException {
        Path sampleFile = output.resolve(Dataset.SAMPLES).resolve(s.id() + ".safetensors");
        String contentHash;
        try {
            contentHash = sha256(s.path());
        } catch (IOException e) {
            Manifest.append(manifestFile, failure(s, null, settingsHash, "cannot read: " + e.getMessage()));
            return "failed";
        }
        if (previous != null
                && contentHash.equals(previous.contentHash())
                && settingsHash.equals(previous.settingsHash())) {
            if (previous.ok() && Files.exists(sampleFile)) {
                return "skipped";
            }
            if (!previous.ok() && !retryFailed) {
                return "previously-failed";
            }
        }
        Map<String, Double> timings = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        TriangleMesh mesh;
        Sample sample;
        try {
            mesh = readChecked(s.path());
            timings.put("read", (System.nanoTime() - t0) / 1e9);
            Map<String, String> md = new LinkedHashMap<>();
            md.put(SampleSchema.META_SOURCE, s.path().toString());
            md.put(SampleSchema.META_CONTENT_HASH, contentHash);
            md.put(SampleSchema.META_SETTINGS_HASH, settingsHash);
            md.put(SampleSchema.META_SETTINGS, settings);
            md.put(SampleSchema.META_TOOL_VERSION, toolVersion);
            if (s.label() != null) {
                md.put(SampleSchema.META_LABEL, s.label());
            }
            long seed = options.seed() ^ Long.parseUnsignedLong(contentHash.substring(0, 15), 16);
            sample = builder.build(mesh, options, seed, md, timings);
        } catch (PrepException | IOException | RuntimeException | OutOfMemoryError e) {
            // a problem of this source: record it and go on
            String reason = oneLine(e);
            Manifest.append(manifestFile, failure(s, contentHash, settingsHash, reason));
            LOG.log(System.Logger.Level.WARNING, s.path() + ": " + reason);
            return "failed";
        }
        // a problem writing the dataset stops the run (IOException propagates)
        long tw = System.nanoTime();
        Files.createDirectories(sampleFile.getParent());
        sample.write(sampleFile);
        timings.put("write", (System.nanoTime() - tw) / 1e9);
        timings.put("total", (System.nanoTime() - t0) / 1e9);
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("surface", (long) sample.surfacePoints().length / 3);
        counts.put("sharp", (long) sample.sharpPoints().length / 3);
        counts.put(
                "queries", (long) sample.nearSdf().length + sample.nearSharpSdf().length + sample.volumeSdf().length);
        counts.put("sparse", sample.sparseSdf() == null ? 0L : sample.sparseSdf().length);
        counts.put("views", sample.views() == null ? 0L : sample.views().count());
        counts.put("source_triangles", (long) mesh.triangleCount());
        Manifest.append(
                manifestFile,
                new ManifestRecord(
                        s.id(),
                        s.path().toString(),
                        contentHash,
                        settingsHash,
                        ManifestRecord.OK,
                        null,
                        s.label(),
                        counts,
                        timings));
        return "written";
    }

    /** Reads a source, refusing files too large for the face limit before reading them, and empty meshes. */
    private TriangleMesh readChecked(Path path) throws IOException, PrepException {
        long size = Files.size(path);
        long limit = (long) options.maxFaces() * 120L + (1 << 20);
        if (size > limit) {
            throw new PrepException("file is " + size + " bytes, too large for the face limit of " + options.maxFaces()
                    + " (raise --max-faces)");
        }
        TriangleMesh mesh = MeshIO.read(path);
        if (mesh.triangleCount() > options.maxFaces()) {
            throw new PrepException(mesh.triangleCount() + " triangles exceed the face limit of " + options.maxFaces()
                    + " (raise --max-faces)");
        }
        if (mesh.isEmpty()) {
            throw new PrepException(MeshSampleBuilder.noSurface(mesh, "prep"));
        }
        return mesh;
    }

    private static ManifestRecord failure(PrepInputs.Source s, String contentHash, String settingsHash, String reason) {
        return new ManifestRecord(
                s.id(),
                s.path().toString(),
                contentHash,
                settingsHash,
                ManifestRecord.FAILED,
                reason,
                s.label(),
                null,
                null);
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        if (e instanceof OutOfMemoryError) {
            m = "out of memory (" + m + "); lower --resolution or --workers";
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static void removeTemporaries(Path samples) throws IOException {
        try (var s = Files.walk(samples)) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".tmp")
                            && f.getFileName().toString().startsWith("."))
                    .toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** SHA-256 of a file's bytes, hex. */
    public static String sha256(Path file) throws IOException {
        MessageDigest d = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
