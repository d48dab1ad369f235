package dev.slicedattention.calibration;

/**
 * One backend's time for one kind of call (a kernel, causal or not), fitted to a timed sweep:
 *
 * <pre>  time = fixed + elementNanos · elements + sortNanos · sort units     (nanoseconds)</pre>
 *
 * with the units of {@link ProblemWork}. {@code fixed} is what a call costs whatever its size (a
 * device's launches and synchronisation, a thread pool's start-up), the two slopes what each value
 * and each sorted position cost, transfers included: the sweep times whole calls. All three are
 * ≥ 0 ({@link CostFit}).
 */
public record CostModel(double fixedNanos, double elementNanos, double sortNanos) {
    /** The predicted nanoseconds of a call doing {@code work} (at least one problem). */
    public double predictNanos(ProblemWork work) {
        return fixedNanos + variableNanos(work);
    }

    /** The part of the prediction that grows with the work (no fixed cost): what one more problem adds. */
    public double variableNanos(ProblemWork work) {
        return elementNanos * work.elements() + sortNanos * work.sortUnits();
    }

    /** Whether every coefficient is a finite number ≥ 0 and some is positive (what a fit gives). */
    public boolean isValid() {
        return valid(fixedNanos) && valid(elementNanos) && valid(sortNanos) && fixedNanos + elementNanos + sortNanos > 0;
    }

    private static boolean valid(double value) {
        return Double.isFinite(value) && value >= 0;
    }
}
