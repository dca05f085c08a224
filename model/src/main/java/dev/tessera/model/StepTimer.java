package dev.tessera.model;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Timing for the benchmarks: wall and process CPU time of a step repeated after a warm-up, each repetition in its
 * own {@link StepScope} so native temporaries do not pile up, reported as medians.
 */
public final class StepTimer {
    private StepTimer() {}

    /**
     * A benchmark line set up once and stepped on demand, for timings that interleave its steps with another
     * program's ({@code tessera bench model --paired}): {@link #run} is one repetition, {@link #close} frees what the
     * setup holds.
     */
    public interface Step extends AutoCloseable {
        /** One repetition; the caller opens a {@link StepScope} around it. */
        void run();

        @Override
        void close();
    }

    /**
     * Medians of the timed repetitions, in milliseconds; CPU time is the whole process's, all threads. A benchmark
     * line may add a note (memory, the work done) that is printed beside the times.
     */
    public record Timing(double wallMs, double cpuMs, String note) {
        public Timing(double wallMs, double cpuMs) {
            this(wallMs, cpuMs, "");
        }

        /** The same times with {@code note}. */
        public Timing withNote(String note) {
            return new Timing(wallMs, cpuMs, note);
        }

        /** {@code name wall_ms cpu cpu_ms [note]}, the line a benchmark class's {@code main} prints. */
        public String line(String name) {
            return String.format(
                    Locale.ROOT, "%s %.1f cpu %.1f%s", name, wallMs, cpuMs, note.isEmpty() ? "" : " " + note);
        }
    }

    /** Runs {@code step} {@code warmup} times untimed, then {@code reps} times timed. */
    public static Timing time(int warmup, int reps, Runnable step) {
        if (warmup < 0 || reps < 1) {
            throw new IllegalArgumentException("warm-up must be ≥ 0 and repetitions ≥ 1, got " + warmup + ", " + reps);
        }
        double[] ms = new double[reps];
        double[] cpu = new double[reps];
        for (int i = 0; i < warmup + reps; i++) {
            Timing t = once(step);
            if (i >= warmup) {
                ms[i - warmup] = t.wallMs();
                cpu[i - warmup] = t.cpuMs();
            }
        }
        return new Timing(median(ms), median(cpu));
    }

    /** Sets a line up, times its steps as {@link #time} does, and closes the setup. */
    public static Timing timeSetup(int warmup, int reps, Supplier<? extends Step> setup) {
        try (Step s = setup.get()) {
            return time(warmup, reps, s::run);
        }
    }

    /** Runs {@code step} once in its own {@link StepScope}: its wall and process CPU time, in milliseconds. */
    public static Timing once(Runnable step) {
        long t0 = System.nanoTime(), c0 = processCpuNanos();
        try (StepScope s = new StepScope()) {
            step.run();
        }
        return new Timing((System.nanoTime() - t0) / 1e6, (processCpuNanos() - c0) / 1e6);
    }

    /** The middle value (the upper one of an even count). */
    public static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** CPU time of this process, all threads, in nanoseconds; 0 where the JVM cannot tell. */
    public static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime()
                : 0;
    }
}
