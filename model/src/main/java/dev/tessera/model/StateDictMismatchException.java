package dev.tessera.model;

/** A checkpoint that does not fit a module; carries the full {@link LoadReport}. */
public class StateDictMismatchException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final transient LoadReport report;

    public StateDictMismatchException(String source, LoadReport report) {
        super(source + " does not match the model (nothing was loaded):\n" + report);
        this.report = report;
    }

    public LoadReport report() {
        return report;
    }
}
