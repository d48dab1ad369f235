package dev.slicedattention.validation.sequential;

import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;

/**
 * The sequential path: the five stages of SPEC §2 in float32 storage, one head after another, on
 * one thread. Every accelerated backend is validated against it.
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
            forwardHead(batch, p, out, times);
        }
        return out;
    }

    /** One head p of the batch, written into its slice of {@code out}. */
    public static void forwardHead(AttentionBatch batch, int p, float[] out, StageTimes times) {
        int m = batch.m(), n = batch.n(), d = batch.d(), e = batch.e();

        long start = System.nanoTime();
        float[] centre = Projection.centre(batch.k(), p * n, n, d);
        float[] s = Projection.project(batch.q(), p * m, m, d, batch.theta(), p * d, centre);
        float[] t = Projection.project(batch.k(), p * n, n, d, batch.theta(), p * d, centre);
        double[] mu = Projection.valueMean(batch.v(), p * n, n, e);
        long projected = System.nanoTime();

        KeySort.SortedKeys sorted = KeySort.sort(t);
        long sortedAt = System.nanoTime();

        float sigma = PrefixSums.scaleOf(sorted.tau(), n);
        PrefixSums.Sums sums = PrefixSums.compute(sorted.tau(), sorted.perm(), sigma, batch.v(), p * n, n, e, mu);
        long summed = System.nanoTime();

        int[] ranks = Rank.ranks(s, sorted.tau(), n);
        long ranked = System.nanoTime();

        Combine.combine(s, ranks, sigma, sums, out, p * m * e);
        long combined = System.nanoTime();

        times.add(Stage.PROJECTION, projected - start);
        times.add(Stage.SORT, sortedAt - projected);
        times.add(Stage.PREFIX_SUM, summed - sortedAt);
        times.add(Stage.RANK, ranked - summed);
        times.add(Stage.COMBINE, combined - ranked);
    }
}
