package dev.tessera.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Python peer benchmark script from {@code bench/peers} with Debian's {@code python3} and parses its
 * {@code name value ...} lines.
 */
final class Peers {
    private Peers() {}

    /** What to do when a peer lacks a Python module. */
    private static final String INSTALL_HINT = " — install the peers with bench/peers/install.sh (Debian's"
            + " python3-torch, python3-open3d, python3-skimage and python3-scipy)";

    /** The repository's {@code bench/peers} directory, found from the working directory or the launcher's root. */
    static Path dir() {
        String root = System.getenv("TESSERA_HOME");
        for (Path p : new Path[] {root == null ? null : Path.of(root, "bench", "peers"), Path.of("bench", "peers")}) {
            if (p != null && Files.isDirectory(p)) {
                return p;
            }
        }
        return Path.of("bench", "peers");
    }

    /** The Python interpreter: {@code TESSERA_PYTHON}, else Debian's {@code /usr/bin/python3}, else {@code python3}. */
    static String python() {
        String p = System.getenv("TESSERA_PYTHON");
        if (p != null) {
            return p;
        }
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /**
     * A peer run's output: the value column by name, every whitespace-separated column of each result line by name,
     * or the reason it could not run.
     */
    record Result(Map<String, Double> values, Map<String, List<String>> columns, String failure) {
        Result(Map<String, Double> values, String failure) {
            this(values, Map.of(), failure);
        }

        boolean ok() {
            return failure == null;
        }

        /** Column {@code index} (0 is the name) of line {@code name} as a number, or NaN when absent. */
        double number(String name, int index) {
            List<String> c = columns.get(name);
            if (c == null || c.size() <= index) {
                return Double.NaN;
            }
            try {
                return Double.parseDouble(c.get(index));
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
    }

    /**
     * Runs {@code script args...} with {@code threads} threads and returns its lines {@code name value} (the first two
     * columns in {@code values}, every column in {@code columns}).
     */
    static Result run(String script, int threads, List<String> args, long timeoutSeconds) {
        Path s = dir().resolve(script);
        if (!Files.exists(s)) {
            return new Result(Map.of(), "peer script " + s + " not found (run from the repository root)");
        }
        List<String> cmd = command(s, args);
        ProcessBuilder pb = builder(cmd, threads);
        try {
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(Map.of(), "peer timed out after " + timeoutSeconds + " s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                String last = text.strip().lines().reduce((a, b) -> b).orElse("");
                if (last.contains("ModuleNotFoundError")) {
                    return new Result(Map.of(), last + INSTALL_HINT);
                }
                return new Result(Map.of(), "peer failed: " + last);
            }
            Map<String, Double> values = new LinkedHashMap<>();
            Map<String, List<String>> columns = new LinkedHashMap<>();
            for (String line : text.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 2) {
                    try {
                        values.put(f[0], Double.parseDouble(f[1]));
                        columns.put(f[0], List.of(f));
                    } catch (NumberFormatException e) {
                        // not a result line
                    }
                }
            }
            return new Result(values, columns, null);
        } catch (IOException e) {
            return new Result(Map.of(), "cannot run " + cmd.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(Map.of(), "interrupted");
        }
    }

    private static List<String> command(Path script, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(python(), script.toString()));
        cmd.addAll(args);
        return cmd;
    }

    private static ProcessBuilder builder(List<String> cmd, int threads) {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        return pb;
    }

    /**
     * A peer script started with {@code --serve}: it sets its cases up once, then runs one repetition of a case each
     * time it is asked ({@link #step}), so that the caller can interleave its own steps with the peer's.
     */
    static final class Server implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;
        private final Writer in;

        private Server(Process process) {
            this.process = process;
            this.out = process.inputReader(StandardCharsets.UTF_8);
            this.in = process.outputWriter(StandardCharsets.UTF_8);
        }

        /**
         * Starts {@code script threads --serve cases...} and waits for its {@code ready}.
         *
         * @throws IOException when the script is missing or stops before it is ready (with its last output line)
         */
        static Server start(String script, int threads, List<String> cases) throws IOException {
            Path s = dir().resolve(script);
            if (!Files.exists(s)) {
                throw new IOException("peer script " + s + " not found (run from the repository root)");
            }
            List<String> args = new ArrayList<>(List.of(Integer.toString(threads), "--serve"));
            args.addAll(cases);
            return start(command(s, args), threads);
        }

        /** Starts {@code command} and waits for its {@code ready} line. */
        static Server start(List<String> command, int threads) throws IOException {
            Server server = new Server(builder(command, threads).start());
            String last = "";
            for (String line; (line = server.out.readLine()) != null; ) {
                if (line.equals("ready")) {
                    return server;
                }
                last = line;
            }
            server.close();
            throw new IOException("peer " + String.join(" ", command) + " stopped before it was ready: " + last
                    + (last.contains("ModuleNotFoundError") ? INSTALL_HINT : ""));
        }

        /** Runs one repetition of {@code name} in the peer and returns its time in ms, as the peer measured it. */
        double step(String name) throws IOException {
            in.write(name + "\n");
            in.flush();
            String line = out.readLine();
            if (line == null) {
                throw new IOException("the peer stopped while running " + name);
            }
            String[] f = line.trim().split("\\s+");
            if (f.length != 2 || !f[0].equals(name)) {
                throw new IOException("the peer answered '" + line + "' to " + name);
            }
            return Double.parseDouble(f[1]);
        }

        @Override
        public void close() {
            try {
                in.close();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (IOException e) {
                process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
