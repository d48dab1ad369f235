package dev.slicedattention.calibration;

import dev.slicedattention.spi.BackendEngine;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.Bandwidths;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.Shape;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The timed sweep behind a {@link Calibration}: every backend in turn (opened, timed, closed), every
 * mode, the plan's points. Each point: one warm-up call (JIT, a device's plan and kernel compilation),
 * then timed calls — at least one, {@code minCalls} while the mode's share of the budget lasts, more
 * while the point's share lasts, up to 15 — and their median, whole calls as the caller sees them
 * (transfers included). Gaussian
 * inputs; the bump's bandwidth is half the spread of the projected keys, as the showcase's.
 */
public final class CalibrationSweep {
    private static final int MAX_CALLS = 15;

    private final SweepPlan plan;

    public CalibrationSweep(SweepPlan plan) {
        this.plan = plan;
    }

    public Calibration run(List<String> backends, Function<String, BackendEngine> opener, CalibrationListener listener) {
        long start = System.nanoTime();
        long deadline = start + plan.budget().toNanos();
        listener.started(backends.size() * plan.modes().size() * plan.points().size());
        Map<String, Map<String, Calibration.Fit>> models = new LinkedHashMap<>();
        try {
            for (int b = 0; b < backends.size(); b++) {
                String name = backends.get(b);
                long backendEnd = System.nanoTime() + (deadline - System.nanoTime()) / (backends.size() - b);
                Map<String, Calibration.Fit> fits = new LinkedHashMap<>();
                try (BackendEngine engine = opener.apply(name)) {
                    for (int mode = 0; mode < plan.modes().size(); mode++) {
                        SweepPlan.Mode kind = plan.modes().get(mode);
                        long modeEnd = System.nanoTime() + (backendEnd - System.nanoTime()) / (plan.modes().size() - mode);
                        List<Calibration.Point> points = timeMode(engine, kind, modeEnd, name, listener);
                        if (!points.isEmpty()) {
                            fits.put(kind.key(), new Calibration.Fit(CostFit.fit(points), points));
                        }
                    }
                } catch (RuntimeException failed) {
                    // A backend that fails here is left out of the models: auto does not choose it.
                    listener.notice("calibration: backend '" + name + "' failed and is left out (" + failed.getMessage() + ")");
                    fits.clear();
                }
                if (!fits.isEmpty()) {
                    models.put(name, fits);
                }
            }
        } finally {
            listener.finished();
        }
        return new Calibration(Calibration.FORMAT, CalibrationStore.version(), CalibrationStore.machine(),
                OffsetDateTime.now().toString(), List.copyOf(backends), (System.nanoTime() - start) / 1e9, models);
    }

    private List<Calibration.Point> timeMode(BackendEngine engine, SweepPlan.Mode mode, long modeEnd, String backend,
                                             CalibrationListener listener) {
        List<Calibration.Point> points = new ArrayList<>();
        double lastCallNanos = 0, lastWork = 0;
        for (int i = 0; i < plan.points().size(); i++) {
            int heads = plan.points().get(i)[0], n = plan.points().get(i)[1];
            String label = backend + " " + mode.key() + " P=" + heads + " n=" + n;
            long now = System.nanoTime();
            ProblemWork work = ProblemWork.uniform(heads, n, n, plan.d(), plan.e());
            double units = work.elements() + work.sortUnits();
            // Skip what cannot end in time: the last call's time scaled by the work, plus its warm-up call.
            double expected = lastWork > 0 ? 2 * lastCallNanos * units / lastWork : 0;
            if (now >= modeEnd || now + expected > modeEnd) {
                listener.step(label + " (skipped: out of time)");
                continue;
            }
            AttentionBatch batch = batch(mode, heads, n);
            StageTimes ignored = new StageTimes();
            engine.forward(batch, ignored);                      // warm-up
            long pointEnd = Math.max(System.nanoTime(), System.nanoTime() + (modeEnd - System.nanoTime()) / (plan.points().size() - i));
            List<Double> calls = new ArrayList<>();
            // At least one timed call; up to minCalls while the mode's time lasts; more while the point's share lasts.
            while (calls.isEmpty() || (calls.size() < plan.minCalls() ? System.nanoTime() < modeEnd
                    : calls.size() < MAX_CALLS && System.nanoTime() < pointEnd)) {
                long t0 = System.nanoTime();
                engine.forward(batch, new StageTimes());
                calls.add((double) (System.nanoTime() - t0));
            }
            double median = median(calls);
            points.add(new Calibration.Point(heads, n, plan.d(), plan.e(), median / 1e6));
            lastCallNanos = median;
            lastWork = units;
            listener.step(label);
        }
        return points;
    }

    private AttentionBatch batch(SweepPlan.Mode mode, int heads, int n) {
        AttentionBatch plain = InputGenerator.GAUSSIAN.generate(new Shape(heads, n, n, plan.d(), plan.e()), 42L + n);
        AttentionOptions options = mode.kernel() == Kernel.BUMP
                ? AttentionOptions.bump(Bandwidths.relativeToKeys(plain, Bandwidths.DEFAULT_FACTOR)) : AttentionOptions.relu();
        return plain.withOptions(options.causal(mode.causal()));
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
