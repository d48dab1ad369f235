package dev.slicedattention.error;

/**
 * A backend returned a result that disagrees with the float64 reference beyond its tolerance: the
 * spot check of a call ({@link dev.slicedattention.validation.SpotCheck}) found a wrong output row.
 * The result is not handed on; the command line exits with 1 (a validation failed).
 */
public class ResultMismatchException extends SlicedAttentionException {
    public ResultMismatchException(String message) {
        super(message);
    }
}
