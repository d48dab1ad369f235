package dev.slicedattention.calibration;

import dev.slicedattention.validation.Kernel;
import java.time.Duration;
import java.util.List;

/**
 * What a calibration sweep times: the points (P problems of n keys and queries), at d and e, for each
 * kind of call ({@link Calibration#mode}), within a time budget shared evenly among the backends and,
 * within a backend, among the modes still to run. Where the time runs out a backend's remaining
 * points are skipped (a call already started runs to its end).
 *
 * @param points    P and n of each point, in the order timed
 * @param modes     the kinds of call, most used first: both kernels, then their causal forms
 * @param budget    the whole sweep's time
 * @param minCalls  timed calls per point (after one warm-up call) while the mode's time lasts; their median is the point
 */
public record SweepPlan(List<int[]> points, int d, int e, List<Mode> modes, Duration budget, int minCalls) {
    /** A kind of call. */
    public record Mode(Kernel kernel, boolean causal) {
        public String key() {
            return Calibration.mode(kernel, causal);
        }
    }

    public static final List<Mode> ALL_MODES = List.of(new Mode(Kernel.RELU, false), new Mode(Kernel.BUMP, false),
            new Mode(Kernel.RELU, true), new Mode(Kernel.BUMP, true));

    /** The system property that sets the default budget in seconds (tests: a short sweep). */
    public static final String SECONDS_PROPERTY = "sliced.attention.calibration.seconds";

    /**
     * The default: 2^8 … 2^15 keys in four points (P = 1, 2 and 4: the fit sees the sum over problems), d = e
     * = 64, every mode, 30 s in all (or {@value #SECONDS_PROPERTY}). The largest point comes first and the
     * smallest second: where a device's kernel compilation leaves time for one or two points only,
     * they span the range (one point fits the n log n term alone, which is right for large calls).
     */
    public static SweepPlan standard() {
        double seconds = 30;
        String configured = System.getProperty(SECONDS_PROPERTY);
        if (configured != null) {
            try {
                seconds = Double.parseDouble(configured.trim());
            } catch (NumberFormatException ignored) {
                // the default, as documented
            }
        }
        return new SweepPlan(List.of(new int[] {2, 1 << 15}, new int[] {1, 1 << 8}, new int[] {4, 1 << 10}, new int[] {1, 1 << 13}),
                64, 64, ALL_MODES, Duration.ofMillis((long) (seconds * 1000)), 3);
    }
}
