package dev.slicedattention.results;

/**
 * How much a point's whole-call timings varied: the timed calls after warm-up, and the quartiles of
 * their totals. A median alone hides whether two backends can be told apart at all on a noisy machine;
 * the interquartile range says it.
 *
 * @param calls     timed calls behind the median
 * @param p25Millis first quartile of the totals
 * @param p75Millis third quartile of the totals
 */
public record TimingSpread(int calls, double p25Millis, double p75Millis) {
    /** A spread wider than this fraction of the median is flagged: too noisy to rank backends by. */
    public static final double WIDE = 0.25;

    /** (p75 − p25) / median. */
    public double relative(double medianMillis) {
        return medianMillis > 0 ? (p75Millis - p25Millis) / medianMillis : 0.0;
    }

    /** Whether this spread is too wide to rank backends at this point ({@link #WIDE}). */
    public boolean wide(double medianMillis) {
        return relative(medianMillis) > WIDE;
    }

    /** Whether the two interquartile ranges overlap: then neither backend is measurably faster. */
    public boolean overlaps(TimingSpread other) {
        return other != null && p25Millis <= other.p75Millis && other.p25Millis <= p75Millis;
    }
}
