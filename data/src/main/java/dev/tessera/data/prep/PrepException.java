package dev.tessera.data.prep;

/** A shape that cannot be preprocessed; the message is the one-line reason recorded in the manifest. */
public class PrepException extends Exception {
    private static final long serialVersionUID = 1L;

    public PrepException(String message) {
        super(message);
    }
}
