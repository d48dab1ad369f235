package dev.slicedattention.jvm;

import dev.slicedattention.Backend;
import dev.slicedattention.ForwardResult;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Shape;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Timing loop, run by hand (not a test): jvm-seq against jvm-par in one JVM, the two backends
 * interleaved repeat by repeat so that machine load hits both alike. Median of the repeats after
 * the warm-ups, total and per stage, and the per-stage ratio.
 *
 * <pre>
 *   java -Xmx6g -cp ... dev.slicedattention.jvm.JvmParallelTiming [log2n=20] [d=64] [e=64] [warmups=2] [repeats=5]
 * </pre>
 */
public final class JvmParallelTiming {
    private JvmParallelTiming() {}

    public static void main(String[] args) {
        int log2n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int d = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int e = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int warmups = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int repeats = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        String[] names = {JvmSequentialProvider.NAME, JvmParallelProvider.NAME};
        AttentionBatch batch = InputGenerator.GAUSSIAN.generate(Shape.square(1 << log2n, d, e), 1);
        System.out.printf("n = m = 2^%d, d = %d, e = %d, P = 1, %d warm-ups, median of %d, %d processors%n",
                log2n, d, e, warmups, repeats, Runtime.getRuntime().availableProcessors());

        List<List<StageTimes>> runs = new ArrayList<>();
        Backend[] backends = new Backend[names.length];
        float[][] outputs = new float[names.length][];
        double[][] coresUsed = new double[names.length][repeats];
        for (int b = 0; b < names.length; b++) {
            backends[b] = SlicedAttention.open(names[b]);
            runs.add(new ArrayList<>());
            System.out.println(names[b] + ": " + backends[b].info());
        }
        try {
            for (int r = 0; r < warmups + repeats; r++) {
                for (int b = 0; b < names.length; b++) {
                    long cpuBefore = processCpuNanos();
                    long wallBefore = System.nanoTime();
                    ForwardResult result = backends[b].run(batch);
                    double cores = (double) (processCpuNanos() - cpuBefore) / (System.nanoTime() - wallBefore);
                    if (r >= warmups) {
                        coresUsed[b][r - warmups] = cores;
                    }
                    outputs[b] = result.output().data();
                    if (r >= warmups) {
                        runs.get(b).add(result.times());
                    }
                }
            }
        } finally {
            for (Backend backend : backends) {
                backend.close();
            }
        }

        System.out.printf("%-10s", "ms");
        for (Stage stage : Stage.compute()) {
            System.out.printf("%12s", stage.key());
        }
        System.out.printf("%12s%n", "total");
        double[][] medians = new double[names.length][];
        for (int b = 0; b < names.length; b++) {
            medians[b] = medians(runs.get(b));
            System.out.printf("%-10s", names[b]);
            for (double value : medians[b]) {
                System.out.printf("%12.1f", value);
            }
            System.out.println();
        }
        for (int b = 0; b < names.length; b++) {
            double[] sorted = coresUsed[b].clone();
            Arrays.sort(sorted);
            System.out.printf("%s used %.2f cores (process CPU time / wall time, median)%n", names[b], sorted[sorted.length / 2]);
        }
        System.out.printf("%-10s", "seq/par");
        for (int s = 0; s < medians[0].length; s++) {
            System.out.printf("%12.2f", medians[0][s] / medians[1][s]);
        }
        System.out.println();

        double scale = 0, diff = 0;
        for (int i = 0; i < outputs[0].length; i++) {
            scale = Math.max(scale, Math.abs(outputs[0][i]));
            diff = Math.max(diff, Math.abs(outputs[0][i] - outputs[1][i]));
        }
        System.out.printf("max |par - seq| / max |seq| = %.3g%n", diff / scale);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Per-stage medians, then the median of the totals, in milliseconds. */
    private static double[] medians(List<StageTimes> times) {
        Stage[] stages = Stage.compute();
        double[] result = new double[stages.length + 1];
        for (int s = 0; s <= stages.length; s++) {
            int stage = s;
            double[] values = times.stream()
                    .mapToDouble(t -> stage < stages.length ? t.millis(stages[stage]) : t.totalNanos() / 1e6)
                    .sorted().toArray();
            result[s] = values[values.length / 2];
        }
        return result;
    }
}
