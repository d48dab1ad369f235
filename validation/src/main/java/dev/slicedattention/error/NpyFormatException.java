package dev.slicedattention.error;

/** A {@code .npy} file that cannot be read: bad header, unsupported dtype or order, truncated data. */
public class NpyFormatException extends InvalidInputException {
    public NpyFormatException(String message) {
        super(message);
    }

    public NpyFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
