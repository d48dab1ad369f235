package dev.slicedattention.host;

import dev.slicedattention.Backend;
import dev.slicedattention.ForwardResult;
import dev.slicedattention.results.TimingSpread;
import dev.slicedattention.timing.Stage;
import dev.slicedattention.validation.AttentionBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Times one backend on one batch so that the figure can be trusted on a shared machine:
 * <ol>
 *   <li>a first call, reported on its own (it pays JIT compilation and, on a device, plan building
 *       and kernel compilation);</li>
 *   <li>warm-up calls until the last three totals lie within 10% of their median (steady state), or
 *       until half the time budget is spent;</li>
 *   <li>timed calls until the time budget is spent, at least {@code minCalls} and at most
 *       {@value #MAX_CALLS}: the median of their totals and per-stage times, and the quartiles of
 *       the totals ({@link TimingSpread}), so that a point too noisy to rank backends by is visible.</li>
 * </ol>
 *
 * @param output          the last call's output, the one that is validated
 * @param stageMillis     median ms per stage key (the results model's keys)
 * @param totalMillis     median ms of the whole call as the caller saw it
 * @param firstCallMillis ms of the first call
 * @param spread          the timed calls and the quartiles of their totals
 */
record Measurement(float[] output, Map<String, Double> stageMillis, double totalMillis, double firstCallMillis,
                   TimingSpread spread) {
    static final int MAX_CALLS = 200;
    private static final int MAX_WARMUP = 20;

    static Measurement run(Backend backend, AttentionBatch batch, int minCalls, double budgetSeconds) {
        long budget = (long) (budgetSeconds * 1e9);
        long start = System.nanoTime();
        ForwardResult first = backend.run(batch);
        double firstCall = (System.nanoTime() - start) / 1e6;
        float[] output = first.output().data();

        List<Double> warm = new ArrayList<>();
        long warmStart = System.nanoTime();
        while (warm.size() < MAX_WARMUP && !steady(warm) && System.nanoTime() - warmStart < budget / 2) {
            long t0 = System.nanoTime();
            output = backend.run(batch).output().data();
            warm.add((System.nanoTime() - t0) / 1e6);
        }

        List<double[]> stageSamples = new ArrayList<>();
        List<Double> totals = new ArrayList<>();
        long timedStart = System.nanoTime();
        while (totals.size() < minCalls || (totals.size() < MAX_CALLS && System.nanoTime() - timedStart < budget)) {
            long t0 = System.nanoTime();
            ForwardResult result = backend.run(batch);
            totals.add((System.nanoTime() - t0) / 1e6);
            double[] stages = new double[Stage.values().length];
            for (Stage stage : Stage.values()) {
                stages[stage.ordinal()] = result.times().millis(stage);
            }
            stageSamples.add(stages);
            output = result.output().data();
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        for (Stage stage : Stage.values()) {
            double[] samples = stageSamples.stream().mapToDouble(s -> s[stage.ordinal()]).toArray();
            medians.put(stage.key(), median(samples));
        }
        double[] all = totals.stream().mapToDouble(Double::doubleValue).toArray();
        return new Measurement(output, medians, median(all), firstCall,
                new TimingSpread(all.length, quantile(all, 0.25), quantile(all, 0.75)));
    }

    /** The last three warm-up totals within 10% of their median. */
    static boolean steady(List<Double> totals) {
        if (totals.size() < 3) {
            return false;
        }
        double[] last = totals.subList(totals.size() - 3, totals.size()).stream().mapToDouble(Double::doubleValue).toArray();
        double median = median(last);
        for (double value : last) {
            if (Math.abs(value - median) > 0.1 * median) {
                return false;
            }
        }
        return true;
    }

    /** The q-quantile by linear interpolation between order statistics (NumPy's default). */
    static double quantile(double[] samples, double q) {
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(sorted.length - 1, below + 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    /**
     * Median ms of {@code repeats} softmax calls after one warm-up call; one timed call when the
     * warm-up took over half a second (O(n^2): repeats there cost the sweep seconds and change little).
     */
    static double softmaxMillis(Backend backend, AttentionBatch batch, int repeats) {
        long w0 = System.nanoTime();
        backend.softmax(batch);
        if (System.nanoTime() - w0 > 500_000_000L) {
            repeats = 1;
        }
        double[] totals = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            backend.softmax(batch);
            totals[r] = (System.nanoTime() - t0) / 1e6;
        }
        return median(totals);
    }

    static double median(double[] samples) {
        if (samples.length == 0) {
            return Double.NaN;
        }
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
    }
}
