package dev.slicedattention.calibration;

/**
 * What a calibration tells its caller while it runs: the CLI draws a progress bar from it. The
 * default writes only the notices, one line each, to stderr.
 */
public interface CalibrationListener {
    /** The sweep starts: {@code steps} timed points at most. */
    default void started(int steps) {}

    /** One point is done (or skipped because the time ran out). */
    default void step(String what) {}

    /** The sweep is over. */
    default void finished() {}

    /** A line for the user: why a stored calibration is not used, where a new one was written. */
    default void notice(String line) {
        System.err.println("sliced-attention: " + line);
    }

    CalibrationListener STDERR = new CalibrationListener() {};
}
