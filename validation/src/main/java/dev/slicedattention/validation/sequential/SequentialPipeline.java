package dev.slicedattention.validation.sequential;

import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.Kernel;

/**
 * The sequential path: the five stages of SPEC §2 in float32 storage, one problem after another, on
 * one thread, for either kernel. Every accelerated backend is validated against it.
 *
 * <p>Ragged batches (SPEC §4): problem p works on its first L_p keys and M_p queries as if they were
 * the whole problem; the padding rows are never read, and output rows from M_p on stay 0.
 */
public final class SequentialPipeline {
    private SequentialPipeline() {}

    /** The output [P, m, e]. */
    public static float[] forward(AttentionBatch batch) {
        return forward(batch, new StageTimes());
    }

    /** The output [P, m, e], charging each stage's time to {@code times}. */
    public static float[] forward(AttentionBatch batch, StageTimes times) {
        float[] out = new float[batch.outputLength()];
        for (int p = 0; p < batch.heads(); p++) {
            if (batch.isCausal()) {
                CausalPipeline.forwardHead(batch, p, out, times);
            } else {
                forwardHead(batch, p, out, times);
            }
        }
        return out;
    }

    /** One problem p of the batch, written into its slice of {@code out}. */
    public static void forwardHead(AttentionBatch batch, int p, float[] out, StageTimes times) {
        int n = batch.keyLength(p), m = batch.queryLength(p), e = batch.e();
        int keyRow = p * batch.n(), queryRow = p * batch.m();
        boolean bump = batch.kernel() == Kernel.BUMP;

        long start = System.nanoTime();
        float[][] scalars = Projection.scalars(batch, p);
        float[] s = scalars[0], t = scalars[1];
        double[] mu = bump ? null : Projection.valueMean(batch.v(), keyRow, n, e);
        float nu = batch.valueScale(p);
        long projected = System.nanoTime();

        KeySort.SortedKeys sorted = KeySort.sort(t);
        long sortedAt = System.nanoTime();

        float sigma = PrefixSums.scaleOf(sorted.tau(), n);
        PrefixSums.Sums sums = PrefixSums.compute(sorted.tau(), sorted.perm(), sigma, batch.v(), keyRow, n, e, mu, nu, bump);
        long summed = System.nanoTime();

        int outOffset = queryRow * e;
        long ranked;
        if (bump) {
            int[][] windows = Rank.windows(s, sorted.tau(), n, batch.bandwidth(p));
            ranked = System.nanoTime();
            Combine.bump(s, windows, sigma, batch.bandwidth(p), sums, nu, out, outOffset);
        } else {
            int[] ranks = Rank.ranks(s, sorted.tau(), n);
            ranked = System.nanoTime();
            Combine.combine(s, ranks, sigma, sums, nu, out, outOffset);
        }
        long combined = System.nanoTime();

        times.add(Stage.PROJECTION, projected - start);
        times.add(Stage.SORT, sortedAt - projected);
        times.add(Stage.PREFIX_SUM, summed - sortedAt);
        times.add(Stage.RANK, ranked - summed);
        times.add(Stage.COMBINE, combined - ranked);
    }
}
