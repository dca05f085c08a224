package dev.tessera.geometry;

/** A mesh or point set that an algorithm cannot accept: the message says what is wrong and where. */
public class InvalidMeshException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidMeshException(String message) {
        super(message);
    }
}
