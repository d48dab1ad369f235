package dev.slicedattention.tornado;

import dev.slicedattention.tornado.kernels.PrefixSumKernels;
import java.util.Arrays;
import java.util.SplittableRandom;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The loop order of a 2-D kernel, the experiment of docs/LEARN.md §9–10 (not a test: it asserts only
 * that both orders write the same sums): {@link PrefixSumKernels#blockTotals} as the pipeline has it
 * (the column loop outer, the CPU layout) against the GPU layout with the block loop outer
 * ({@link PrefixSumKernels#blockTotalsColumnInner}, which ColumnLayout chooses under PTX),
 * on n = 2^20 table rows (-Dn) of width 2e + 1 = 129, alternating, median wall time of -Dreps executes
 * each, in one JVM on the test device.
 *
 * <p>Why: TornadoVM's OpenCL backend gives the outer {@code @Parallel} loop to {@code get_global_id(0)};
 * its PTX backend gives the inner one to the x thread index (seen in the PTX of an H200 run). A GPU
 * coalesces the loads of neighbouring x threads, so the order that reads neighbouring floats on one
 * backend reads floats a row apart on the other. On PoCL the swap made the stage about 1.4× slower
 * (LEARN §9); on a GPU through PTX it is the measurement to make.
 *
 * <pre>
 *   scripts/test -pl tornado-tasks -Dtest=MeasureLoopOrder -Dtornado.test.groups=measure -Dtornado.test.flags="-Dreps=7" -Dsurefire.failIfNoSpecifiedTests=false
 *   bin/sliced-attention test --device tornado:1:0 --include-tag measure --select-class dev.slicedattention.tornado.MeasureLoopOrder   (a package)
 * </pre>
 */
@org.junit.jupiter.api.Tag("measure")
class MeasureLoopOrder {
    @org.junit.jupiter.api.Test
    void measure() {
        int n = Integer.getInteger("n", 1 << 20);
        int reps = Integer.getInteger("reps", 7);
        int width = 2 * 64 + 1;
        int blocks = (n + PrefixSumKernels.BLOCK - 1) / PrefixSumKernels.BLOCK;
        SplittableRandom random = new SplittableRandom(11);
        FloatArray table = new FloatArray((n + 1) * width);   // the prefix table's layout: n + 1 rows, the last the scan's
        for (int i = 0; i < n * width; i++) {
            table.set(i, (float) random.nextGaussian());
        }
        FloatArray[] totals = {new FloatArray(blocks * width), new FloatArray(blocks * width)};
        TaskGraph columnFirst = new TaskGraph("columnFirst").transferToDevice(DataTransferMode.FIRST_EXECUTION, table, totals[0])
                .task("totals", PrefixSumKernels::blockTotals, table, totals[0], n, blocks, width)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, totals[0]);
        TaskGraph blockFirst = new TaskGraph("blockFirst").transferToDevice(DataTransferMode.FIRST_EXECUTION, table, totals[1])
                .task("totals", PrefixSumKernels::blockTotalsColumnInner, table, totals[1], n, blocks, width)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, totals[1]);
        String[] names = {"column loop outer (the pipeline's)", "block loop outer (swapped)"};
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(columnFirst.snapshot(), blockFirst.snapshot())) {
            long[][] nanos = new long[names.length][reps + 1];
            for (int r = 0; r <= reps; r++) {                   // r = 0: compile and first transfers, not counted
                for (int variant = 0; variant < names.length; variant++) {
                    long start = System.nanoTime();
                    plan.withGraph(variant).execute();
                    nanos[variant][r] = System.nanoTime() - start;
                }
            }
            for (int i = 0; i < blocks * width; i++) {
                if (Float.compare(totals[0].get(i), totals[1].get(i)) != 0) {
                    throw new AssertionError("the orders differ at " + i + ": " + totals[1].get(i) + " against " + totals[0].get(i));
                }
            }
            double[] medians = new double[names.length];
            for (int variant = 0; variant < names.length; variant++) {
                long[] steady = Arrays.copyOfRange(nanos[variant], 1, reps + 1);
                Arrays.sort(steady);
                medians[variant] = steady[reps / 2] / 1e6;
                System.out.printf("blockTotals n = %d, width %d, %s: median %.3f ms (min %.3f, max %.3f) of %d, with the totals' copy back%n",
                        n, width, names[variant], medians[variant], steady[0] / 1e6, steady[reps - 1] / 1e6, reps);
            }
            System.out.printf("blockTotals: swapped / pipeline's = %.2f%n", medians[1] / medians[0]);
        } catch (Exception failed) {
            throw new AssertionError(failed);
        }
    }
}
