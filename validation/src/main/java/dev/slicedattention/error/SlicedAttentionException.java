package dev.slicedattention.error;

/**
 * Base of every error the operator reports. Its message is written for the person running the
 * program: it names the cause and, where there is one, what to do. The command-line driver prints
 * it as it is; it adds nothing but formatting.
 */
public abstract class SlicedAttentionException extends RuntimeException {
    protected SlicedAttentionException(String message) {
        super(message);
    }

    protected SlicedAttentionException(String message, Throwable cause) {
        super(message, cause);
    }
}
