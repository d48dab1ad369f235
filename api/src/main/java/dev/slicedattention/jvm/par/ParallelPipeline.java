package dev.slicedattention.jvm.par;

import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.sequential.KeySort;
import dev.slicedattention.validation.sequential.PrefixSums;

/**
 * The five stages on all cores, head after head, each stage parallel within the head. Same
 * arithmetic as the sequential path (float32 storage, float64 accumulation, the key centre shift,
 * the power-of-two scale σ); only the summation order of the blocked sums differs.
 */
public final class ParallelPipeline {
    private ParallelPipeline() {}

    public static float[] forward(Workers workers, AttentionBatch batch, StageTimes times) {
        float[] out = new float[batch.outputLength()];
        int m = batch.m(), n = batch.n(), d = batch.d(), e = batch.e();
        for (int p = 0; p < batch.heads(); p++) {
            long start = System.nanoTime();
            float[] centre = ParallelProjection.centre(workers, batch.k(), p * n, n, d);
            float[] s = ParallelProjection.project(workers, batch.q(), p * m, m, d, batch.theta(), p * d, centre);
            float[] t = ParallelProjection.project(workers, batch.k(), p * n, n, d, batch.theta(), p * d, centre);
            double[] mu = ParallelProjection.columnMeans(workers, batch.v(), p * n, n, e);
            long projected = System.nanoTime();

            KeySort.SortedKeys sorted = ParallelKeySort.sort(workers, t);
            long sortedAt = System.nanoTime();

            float sigma = PrefixSums.scaleOf(sorted.tau(), n);
            PrefixSums.Sums sums = ParallelPrefixSums.compute(workers, sorted.tau(), sorted.perm(), sigma,
                    batch.v(), p * n, n, e, mu);
            long summed = System.nanoTime();

            int[] ranks = ParallelRankCombine.ranks(workers, s, sorted.tau(), n);
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
