package dev.slicedattention.jvm.par;

import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.sequential.KeySort;
import dev.slicedattention.validation.sequential.PrefixSums;

/**
 * The five stages on all cores, head after head, each stage parallel within the head. Same
 * arithmetic as the sequential path (float32 storage, float64 accumulation, the key centre shift,
 * the power-of-two scales σ and ν, the shared row functions, both kernels, ragged problems); only the
 * summation order of the blocked sums differs, so results agree with jvm-seq to float32 round-off.
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
        int e = batch.e();
        boolean bump = batch.kernel() == Kernel.BUMP;
        for (int p = 0; p < batch.heads(); p++) {
            int n = batch.keyLength(p), m = batch.queryLength(p);
            int keyRow = p * batch.n(), queryRow = p * batch.m();
            long start = System.nanoTime();
            float[][] scalars = ParallelProjection.scalars(workers, batch, p);
            float[] s = scalars[0], t = scalars[1];
            double[] mu = bump ? null : ParallelProjection.columnMeans(workers, batch.v(), keyRow, n, e);
            float nu = batch.valueScale(p);
            long projected = System.nanoTime();

            KeySort.SortedKeys sorted = ParallelKeySort.sort(workers, t, workspace);
            long sortedAt = System.nanoTime();

            float sigma = PrefixSums.scaleOf(sorted.tau(), n);
            PrefixSums.Sums sums = ParallelPrefixSums.compute(workers, sorted.tau(), sorted.perm(), sigma,
                    batch.v(), keyRow, n, e, mu, nu, bump, workspace);
            long summed = System.nanoTime();

            float bandwidth = bump ? batch.bandwidth(p) : Float.NaN;
            ParallelRankCombine.SortedRanks ranks = ParallelRankCombine.ranks(workers, s, sorted.tau(), n, bandwidth, workspace);
            long ranked = System.nanoTime();

            if (bump) {
                ParallelRankCombine.bump(workers, s, ranks, sigma, bandwidth, sums, nu, out, queryRow * e);
            } else {
                ParallelRankCombine.combine(workers, s, ranks, sigma, sums, nu, out, queryRow * e);
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
