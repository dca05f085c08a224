package dev.tessera.app;

import dev.tessera.data.Progress;
import java.io.Console;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress bar on standard error: redrawn in place on a terminal (at most 10 times a second), or one line per 10 %
 * (and at least every 30 s) when redirected to a file or a CI log. Shows done/total, rate and ETA, and an optional
 * note such as the current loss.
 */
final class ProgressBar implements Progress {
    private final PrintStream err;
    private final boolean terminal;
    private final LongSupplier clock;
    private String task = "";
    private long total;
    private long done;
    private long startNanos;
    /** Units finished before this run of the job (a resumed training run): not counted in the rate. */
    private long before;

    private long lastDraw;
    private int lastDecile = -1;
    private String note;

    ProgressBar(PrintStream err) {
        this(err, isTerminal());
    }

    ProgressBar(PrintStream err, boolean terminal) {
        this(err, terminal, System::nanoTime);
    }

    /** A bar that reads the time in nanoseconds from {@code clock} (a test's fixed clock). */
    ProgressBar(PrintStream err, boolean terminal, LongSupplier clock) {
        this.err = err;
        this.terminal = terminal;
        this.clock = clock;
    }

    static boolean isTerminal() {
        Console c = System.console();
        if (c == null) {
            return false;
        }
        try { // JDK 22+: a Console exists even when redirected; ask it
            return (Boolean) Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 21: a console means a terminal
        }
    }

    @Override
    public synchronized void start(String task, long total) {
        start(task, total, 0);
    }

    @Override
    public synchronized void start(String task, long total, long done) {
        this.task = task;
        this.total = total;
        this.done = done;
        this.before = done;
        this.note = null;
        this.startNanos = clock.getAsLong();
        this.lastDraw = 0;
        this.lastDecile = -1;
        draw(true);
    }

    @Override
    public synchronized void advance(long done, String note) {
        this.done = Math.max(this.done, done);
        if (note != null) {
            this.note = note;
        }
        draw(false);
    }

    @Override
    public synchronized void finish() {
        draw(true);
        if (terminal) {
            err.println();
        }
        err.flush();
    }

    private void draw(boolean force) {
        long now = clock.getAsLong();
        int decile = total > 0 ? (int) (10 * done / total) : 0;
        if (terminal) {
            if (!force && now - lastDraw < 100_000_000L && done < total) {
                return;
            }
            err.print("\r" + line(now) + "\u001b[K");
        } else {
            if (!force && decile == lastDecile && now - lastDraw < 30_000_000_000L) {
                return;
            }
            lastDecile = decile;
            err.println(line(now));
        }
        lastDraw = now;
        err.flush();
    }

    String line(long now) {
        double elapsed = (now - startNanos) / 1e9;
        double rate = elapsed > 0 ? (done - before) / elapsed : 0;
        StringBuilder sb = new StringBuilder(task);
        if (total > 0) {
            int width = 24;
            int filled = (int) Math.min(width, width * done / total);
            sb.append(" [")
                    .append("#".repeat(filled))
                    .append(".".repeat(width - filled))
                    .append("] ");
            sb.append(String.format(Locale.ROOT, "%d/%d %3.0f%%", done, total, 100.0 * done / total));
        } else {
            sb.append(' ').append(done);
        }
        sb.append(String.format(
                Locale.ROOT,
                "  %s/s",
                rate >= 10 ? String.format(Locale.ROOT, "%.0f", rate) : String.format(Locale.ROOT, "%.2f", rate)));
        sb.append("  ").append(elapsedString(elapsed));
        if (total > 0 && done > before && done < total) {
            sb.append("  ETA ").append(elapsedString((total - done) / rate));
        }
        if (note != null) {
            sb.append("  ").append(note);
        }
        return sb.toString();
    }

    static String elapsedString(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
