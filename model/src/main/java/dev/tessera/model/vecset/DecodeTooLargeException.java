package dev.tessera.model.vecset;

/** A decoding grid whose memory estimate exceeds what the JVM can give; raised before anything is allocated. */
public final class DecodeTooLargeException extends IllegalArgumentException {
    private final long neededBytes;
    private final long availableBytes;

    public DecodeTooLargeException(String message, long neededBytes, long availableBytes) {
        super(message);
        this.neededBytes = neededBytes;
        this.availableBytes = availableBytes;
    }

    public long neededBytes() {
        return neededBytes;
    }

    public long availableBytes() {
        return availableBytes;
    }
}
