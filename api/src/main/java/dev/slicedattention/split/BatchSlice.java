package dev.slicedattention.split;

import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import java.util.Arrays;

/**
 * Problems {@code from..to-1} of a batch as a batch of their own: the rows of Q, K, V and θ (or of the
 * given scalars s and t) copied out, and the options cut to match — the same kernel and causal
 * mode, the problems' own bandwidths and lengths. A backend computes each problem on its own data
 * only, so its output on the slice is the output it gives those problems in the whole batch.
 */
final class BatchSlice {
    private BatchSlice() {}

    static AttentionBatch of(AttentionBatch batch, int from, int to) {
        if (from == 0 && to == batch.heads()) {
            return batch;
        }
        int count = to - from, m = batch.m(), n = batch.n(), d = batch.d(), e = batch.e();
        AttentionOptions options = options(batch.options(), from, to);
        float[] v = rows(batch.v(), from, to, n * e);
        if (batch.hasScalars()) {
            return AttentionBatch.ofScalars(count, m, n, e, rows(batch.s(), from, to, m), rows(batch.t(), from, to, n), v, options);
        }
        return new AttentionBatch(count, m, n, d, e, rows(batch.q(), from, to, m * d), rows(batch.k(), from, to, n * d), v,
                rows(batch.theta(), from, to, d), new int[][] {{count, m, d}, {count, n, d}, {count, n, e}, {count, d}}, options);
    }

    /** The per-problem parts of {@code options} for problems from..to-1 (one shared bandwidth stays shared). */
    static AttentionOptions options(AttentionOptions options, int from, int to) {
        float[] bandwidth = options.bandwidth();
        AttentionOptions cut = bandwidth == null ? AttentionOptions.relu()
                : AttentionOptions.bump(bandwidth.length == 1 ? bandwidth : Arrays.copyOfRange(bandwidth, from, to));
        int[] keys = options.keyLengths(), queries = options.queryLengths();
        if (keys != null) {
            cut = cut.withKeyLengths(Arrays.copyOfRange(keys, from, to));
        }
        if (queries != null) {
            cut = cut.withQueryLengths(Arrays.copyOfRange(queries, from, to));
        }
        return cut.causal(options.isCausal());
    }

    private static float[] rows(float[] values, int from, int to, int perProblem) {
        return Arrays.copyOfRange(values, from * perProblem, to * perProblem);
    }
}
