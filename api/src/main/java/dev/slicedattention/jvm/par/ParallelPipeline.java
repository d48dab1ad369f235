package dev.slicedattention.jvm.par;

import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.sequential.KeySort;
import dev.slicedattention.validation.sequential.PrefixSums;

/**
 * The five stages on all cores, head after head, each stage parallel within the head. Same
 * arithmetic as the sequential path (float32 storage, float64 accumulation, the key centre shift,
 * the power-of-two scale σ, the shared row functions); only the summation order of the blocked sums
 * differs, so results agree with jvm-seq to float32 round-off.
 */
public final class ParallelPipeline {
    private ParallelPipeline() {}

    /** One call with its own scratch arrays. */
    public static float[] forward(Workers workers, AttentionBatch batch, StageTimes times) {
        return forward(workers, batch, times, new Workspace());
    }

    /** The output [P, m, e]; scratch arrays come from {@code workspace} and are reused across heads and calls. */
    public static float[] forward(Workers workers, AttentionBatch batch, StageTimes times, Workspace workspace) {
        float[] out = new float[batch.outputLength()];
        int m = batch.m(), n = batch.n(), d = batch.d(), e = batch.e();
        for (int p = 0; p < batch.heads(); p++) {
            long start = System.nanoTime();
            float[] centre = ParallelProjection.centre(workers, batch.k(), p * n, n, d);
            float[] s = ParallelProjection.project(workers, batch.q(), p * m, m, d, batch.theta(), p * d, centre);
            float[] t = ParallelProjection.project(workers, batch.k(), p * n, n, d, batch.theta(), p * d, centre);
            double[] mu = ParallelProjection.columnMeans(workers, batch.v(), p * n, n, e);
            long projected = System.nanoTime();

            KeySort.SortedKeys sorted = ParallelKeySort.sort(workers, t, workspace);
            long sortedAt = System.nanoTime();

            float sigma = PrefixSums.scaleOf(sorted.tau(), n);
            PrefixSums.Sums sums = ParallelPrefixSums.compute(workers, sorted.tau(), sorted.perm(), sigma,
                    batch.v(), p * n, n, e, mu, workspace);
            long summed = System.nanoTime();

            ParallelRankCombine.SortedRanks ranks = ParallelRankCombine.ranks(workers, s, sorted.tau(), n, workspace);
            long ranked = System.nanoTime();

            ParallelRankCombine.combine(workers, s, ranks, sigma, sums, out, p * m * e);
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
