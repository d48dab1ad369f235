package dev.slicedattention.jvm.par;

import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.Bandwidths;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Shape;
import java.util.Arrays;

/**
 * Not a test: a measurement (issue #16) of causal against non-causal jvm-par forward passes in one JVM,
 * calls alternated so that machine noise hits both alike; prints medians and their ratios.
 * Run: java -cp ... dev.slicedattention.jvm.par.CausalRatioMeasure [log2 n] [repetitions] [only this kernel]
 */
public final class CausalRatioMeasure {
    public static void main(String[] args) {
        int log = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        int n = 1 << log;
        Workers workers = new Workers(Runtime.getRuntime().availableProcessors());
        Workspace workspace = new Workspace();
        AttentionBatch plain = InputGenerator.GAUSSIAN.generate(new Shape(1, n, n, 64, 64), 7L);
        AttentionBatch bump = plain.withOptions(AttentionOptions.bump(Bandwidths.relativeToKeys(plain, Bandwidths.DEFAULT_FACTOR)));
        AttentionBatch[] batches = {plain, plain.withOptions(AttentionOptions.relu().causal(true)),
                bump, bump.withOptions(bump.options().causal(true))};
        String[] names = {"relu", "causal-relu", "bump", "causal-bump"};
        double[][] millis = new double[4][reps];
        double[][] sums = new double[4][reps];
        for (int rep = -2; rep < reps; rep++) {                   // two warm-up rounds
            for (int b = 0; b < 4; b++) {
                if (args.length > 2 && !names[b].equals(args[2])) {
                    continue;                                   // only the one named
                }
                StageTimes times = new StageTimes();
                long start = System.nanoTime();
                if (batches[b].isCausal()) {
                    ParallelCausal.forward(workers, batches[b], times, workspace);
                } else {
                    ParallelPipeline.forward(workers, batches[b], times, workspace);
                }
                if (rep >= 0) {
                    millis[b][rep] = (System.nanoTime() - start) / 1e6;
                    sums[b][rep] = times.nanos(Stage.PREFIX_SUM) / 1e6;
                }
            }
        }
        for (int b = 0; b < 4; b++) {
            System.out.printf("%-12s median %8.1f ms  (prefix-sum stage %7.1f ms)  all %s%n", names[b], median(millis[b]),
                    median(sums[b]), Arrays.toString(Arrays.stream(millis[b]).mapToLong(Math::round).toArray()));
        }
        System.out.printf("ratio relu %.2f  bump %.2f%n", median(millis[1]) / median(millis[0]), median(millis[3]) / median(millis[2]));
        workers.shutdown();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
