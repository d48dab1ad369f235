package dev.slicedattention.jvm.par;

import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.sequential.KeySort;
import dev.slicedattention.validation.sequential.PrefixSums;

/**
 * The five stages on all cores, head after head, each stage parallel within the head, in the
 * streaming form of SPEC §2: the prefix sums are never stored as a table; running sums are carried
 * through the sorted keys to each query ({@link ParallelKeyBlocks}, {@link ParallelSweep}). Same
 * arithmetic as the sequential path otherwise (float64 accumulation, the key centre shift, the
 * power-of-two scales σ and ν, both kernels, ragged problems); the prefix sums stay in float64 where
 * jvm-seq rounds them to float32 storage, so results agree with jvm-seq to float32 round-off.
 */
public final class ParallelPipeline {
    private ParallelPipeline() {}

    /** One call with its own scratch arrays. */
    public static float[] forward(Workers workers, AttentionBatch batch, StageTimes times) {
        return forward(workers, batch, times, new Workspace());
    }

    /** The output [P, m, e]; scratch arrays come from {@code workspace} and are reused across heads and calls. */
    public static float[] forward(Workers workers, AttentionBatch batch, StageTimes times, Workspace workspace) {
        return forward(workers, ParallelInputs.of(batch), times, workspace);
    }

    /** The same for inputs on the heap or off it (off-heap tensors are read in place, never copied whole). */
    public static float[] forward(Workers workers, ParallelInputs batch, StageTimes times, Workspace workspace) {
        int e = batch.e();
        // The output and the sorted rows are a call's two largest arrays (256 MiB each at 2^20 × 64).
        // Fresh from the OS, each 4 KiB page of them faults as the JVM zeroes the array, in the thread
        // that allocates it: allocated on two workers at once, a first call pays for both in the time
        // of one (measured on this 2-core VM: ~180 ms per 256 MiB).
        float[][] output = new float[1][];
        workers.forEach(2, task -> {
            if (task == 0) {
                output[0] = new float[batch.outputLength()];
            } else {
                workspace.sortedRows(batch.n() * e);
            }
        });
        float[] out = output[0];
        boolean bump = batch.kernel() == Kernel.BUMP;
        for (int p = 0; p < batch.heads(); p++) {
            int n = batch.keyLength(p), m = batch.queryLength(p);
            int keyRow = p * batch.n(), queryRow = p * batch.m();
            long start = System.nanoTime();
            float[][] scalars = ParallelProjection.scalars(workers, batch, p);
            float[] s = scalars[0], t = scalars[1];
            ParallelProjection.ColumnStatistics values = batch.valueStatistics(workers, p, !bump);
            double[] mu = values.mean();
            float nu = values.scale();
            long projected = System.nanoTime();

            KeySort.SortedKeys sorted = ParallelKeySort.sort(workers, t, workspace);
            long sortedAt = System.nanoTime();

            float sigma = PrefixSums.scaleOf(sorted.tau(), n);
            ParallelKeyBlocks keys = ParallelKeyBlocks.compute(workers, sorted.tau(), sorted.perm(), sigma,
                    batch.v(), keyRow, n, mu, nu, workspace);
            long summed = System.nanoTime();

            float bandwidth = bump ? batch.bandwidth(p) : Float.NaN;
            ParallelRanks.SortedRanks ranks = ParallelRanks.ranks(workers, s, sorted.tau(), n, bandwidth, workspace);
            long ranked = System.nanoTime();

            if (bump) {
                ParallelSweep.bump(workers, ranks, keys, bandwidth, out, queryRow * e);
            } else {
                ParallelSweep.relu(workers, ranks, keys, out, queryRow * e);
            }
            long combined = System.nanoTime();

            times.add(Stage.PROJECTION, projected - start);
            times.add(Stage.SORT, sortedAt - projected);
            times.add(Stage.PREFIX_SUM, summed - sortedAt);
            times.add(Stage.RANK, ranked - summed);
            times.add(Stage.COMBINE, combined - ranked);
        }
        return out;
    }
}
