package dev.tessera.model.train;

/** The loss or the gradients stopped being finite; the message names the step and the last good checkpoint. */
public class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingDivergedException(String message) {
        super(message);
    }
}
