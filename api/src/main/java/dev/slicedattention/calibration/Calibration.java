package dev.slicedattention.calibration;

import dev.slicedattention.validation.Kernel;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a calibration sweep measured on one machine ({@link CalibrationSweep}), as stored in JSON
 * ({@link CalibrationStore}): for each backend and each kind of call ({@link #mode}), the timed points
 * and the {@link CostModel} fitted to them.
 *
 * @param format       the file's layout ({@link #FORMAT})
 * @param version      the project version that measured it: another version's code may run at another speed
 * @param machine      the machine it was measured on ({@link CalibrationStore#machine()})
 * @param created      when (ISO-8601)
 * @param backends     every backend that was available, in order: another set (a new device, TornadoVM
 *                     switched off) makes the calibration stale
 * @param sweepSeconds how long the sweep took
 * @param models       backend → mode → fit; a mode missing where the sweep's time ran out before it
 */
public record Calibration(int format, String version, String machine, String created, List<String> backends,
                          double sweepSeconds, Map<String, Map<String, Fit>> models) {
    public static final int FORMAT = 1;

    /** One timed shape: P problems of n keys and n queries, d, e; the median of the timed calls. */
    public record Point(int heads, int n, int d, int e, double millis) {
        public ProblemWork work() {
            return ProblemWork.uniform(heads, n, n, d, e);
        }
    }

    /** The model fitted to a mode's points, and the points. */
    public record Fit(CostModel model, List<Point> points) {}

    /** The key of a kind of call: {@code relu}, {@code bump}, {@code relu-causal}, {@code bump-causal}. */
    public static String mode(Kernel kernel, boolean causal) {
        return kernel.id() + (causal ? "-causal" : "");
    }

    /**
     * The model of {@code backend} for a call of {@code kernel} (causal or not): the mode's own, else —
     * for a causal mode the sweep had no time for — the same kernel's non-causal model; empty when the
     * backend has neither.
     */
    public Optional<CostModel> model(String backend, Kernel kernel, boolean causal) {
        Map<String, Fit> fits = models.get(backend);
        if (fits == null) {
            return Optional.empty();
        }
        Fit fit = fits.get(mode(kernel, causal));
        if (fit == null && causal) {
            fit = fits.get(mode(kernel, false));
        }
        return Optional.ofNullable(fit).map(Fit::model);
    }

    /** The predicted nanoseconds of {@code backend} for a call doing {@code work}; empty without a model. */
    public Optional<Double> predictNanos(String backend, Kernel kernel, boolean causal, ProblemWork work) {
        return model(backend, kernel, causal).map(model -> model.predictNanos(work));
    }
}
