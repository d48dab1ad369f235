package dev.slicedattention.tornado.graphs;

import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.Kernel;

/**
 * What a forward pass needs per problem besides the tensors, P values each: the key lengths L_p and
 * query lengths M_p (SPEC §4; n and m unless ragged), the value scales ν_p (SPEC §6: the power of
 * two above max|V| over the first L_p keys, computed on the host) and, for the bump, the
 * bandwidths b_p (null for the ReLU kernel). A {@link ForwardPlan} sends them to the device on every
 * call: they are data, not part of the plan.
 */
public record ProblemParameters(int[] keyLengths, int[] queryLengths, float[] valueScales, float[] bandwidths) {

    /** The parameters of a heap batch; ν comes from {@link AttentionBatch#valueScale} (cached by the batch). */
    public static ProblemParameters of(AttentionBatch batch) {
        float[] scales = new float[batch.heads()];
        for (int p = 0; p < scales.length; p++) {
            scales[p] = batch.valueScale(p);
        }
        return of(batch.options(), batch.heads(), batch.m(), batch.n(), scales);
    }

    /** The parameters of {@code options} for P problems of m queries and n keys, with the value scales given. */
    public static ProblemParameters of(AttentionOptions options, int heads, int m, int n, float[] valueScales) {
        int[] keys = options.keyLengths();
        int[] queries = options.queryLengths();
        float[] given = options.bandwidth();
        float[] bandwidths = null;
        if (options.kernel() == Kernel.BUMP) {
            bandwidths = new float[heads];
            for (int p = 0; p < heads; p++) {
                bandwidths[p] = given.length == 1 ? given[0] : given[p];
            }
        }
        return new ProblemParameters(keys == null ? filled(heads, n) : keys, queries == null ? filled(heads, m) : queries,
                valueScales, bandwidths);
    }

    /** The key lengths of an AttentionOptions value (null: every problem uses all n keys). */
    public static int[] keyLengths(AttentionOptions options, int heads, int n) {
        int[] keys = options.keyLengths();
        return keys == null ? filled(heads, n) : keys;
    }

    private static int[] filled(int count, int value) {
        int[] values = new int[count];
        java.util.Arrays.fill(values, value);
        return values;
    }
}
