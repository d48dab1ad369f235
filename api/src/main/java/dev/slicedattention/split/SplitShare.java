package dev.slicedattention.split;

/**
 * How one backend took part in a split call: problems {@code from..to-1} of the call's P, the
 * fraction of the call's work they hold ({@link dev.slicedattention.calibration.ProblemWork}, sort
 * units and elements added) and the wall-clock time the backend took for them (0 when it got none).
 */
public record SplitShare(String backend, int from, int to, double workShare, long nanos) {
    public int problems() {
        return to - from;
    }
}
