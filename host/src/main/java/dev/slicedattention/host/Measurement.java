package dev.slicedattention.host;

import dev.slicedattention.Backend;
import dev.slicedattention.ForwardResult;
import dev.slicedattention.timing.Stage;
import dev.slicedattention.validation.AttentionBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Times one backend on one batch: a first call (untimed for the figures: it pays JIT compilation and,
 * on a device, plan building and kernel compilation, reported on its own), then {@code repeats}
 * calls whose per-stage and total times are reduced to their medians.
 *
 * @param output         the last call's output, the one that is validated
 * @param stageMillis    median ms per stage key (the results model's keys)
 * @param totalMillis    median ms of the whole call as the caller saw it
 * @param firstCallMillis ms of the first call
 */
record Measurement(float[] output, Map<String, Double> stageMillis, double totalMillis, double firstCallMillis) {

    static Measurement run(Backend backend, AttentionBatch batch, int repeats) {
        long start = System.nanoTime();
        ForwardResult first = backend.run(batch);
        double firstCall = (System.nanoTime() - start) / 1e6;
        float[] output = first.output().data();
        List<double[]> stageSamples = new ArrayList<>();
        double[] totals = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            ForwardResult result = backend.run(batch);
            totals[r] = (System.nanoTime() - t0) / 1e6;
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
        return new Measurement(output, medians, median(totals), firstCall);
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
