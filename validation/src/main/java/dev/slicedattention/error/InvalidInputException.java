package dev.slicedattention.error;

/** The input tensors cannot be used: wrong shape, mismatched dimensions, NaN or ±∞, n = 0. */
public class InvalidInputException extends SlicedAttentionException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
