package dev.slicedattention.error;

/** A backend name that no installed backend answers to (for example {@code tornado:0:3} without such a device). */
public class UnknownBackendException extends SlicedAttentionException {
    public UnknownBackendException(String message) {
        super(message);
    }
}
