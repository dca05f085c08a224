package dev.tessera.data;

/**
 * Receives the progress of a long job (the CLI draws a bar; libraries pass {@link #NONE}). Implementations must be
 * thread-safe: workers report concurrently.
 */
public interface Progress {
    /** A job of {@code total} units named {@code task} starts. */
    void start(String task, long total);

    /**
     * A job of {@code total} units named {@code task} resumes with {@code done} of them finished earlier (a resumed
     * training run): rates and estimates count only the units done from now on.
     */
    default void start(String task, long total, long done) {
        start(task, total);
        advance(done, null);
    }

    /** {@code done} units are finished; {@code note} is an optional short status (e.g. the last loss). */
    void advance(long done, String note);

    /** The job ended (successfully or not). */
    void finish();

    /** Ignores everything. */
    Progress NONE = new Progress() {
        @Override
        public void start(String task, long total) {}

        @Override
        public void advance(long done, String note) {}

        @Override
        public void finish() {}
    };
}
