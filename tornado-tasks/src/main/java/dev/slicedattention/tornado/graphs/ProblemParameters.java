package dev.slicedattention.tornado.graphs;

import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.Shape;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * What a forward pass needs per problem besides the tensors, P values each: the key lengths L_p and
 * query lengths M_p (SPEC §4; n and m unless ragged), the value scales ν_p (SPEC §6: the power of
 * two above max|V| over the first L_p keys, computed on the host) and, for the bump, the
 * bandwidths b_p (null for the ReLU kernel). A {@link ForwardPlan} or {@link CausalPlan} sends them to
 * the device on every call ({@link #writeTo}): they are data, not part of the plan.
 */
public record ProblemParameters(int[] keyLengths, int[] queryLengths, float[] valueScales, float[] bandwidths) {
    /** Largest ν on the device: 1/ν = 2^-126 is the smallest normal float. */
    private static final float LARGEST_VALUE_SCALE = 0x1p126f;

    /**
     * Checks the parameters against a plan of {@code shape} and {@code kernel} and writes them as the
     * kernels read them: lengths = [L_0..L_{P−1} | M_0..M_{P−1}], factors = [ν_p | 1/ν_p | b_p (0 for
     * the ReLU kernel)], ν capped at 2^126 so that 1/ν stays a normal float.
     */
    public void writeTo(IntArray lengths, FloatArray factors, Shape shape, Kernel kernel) {
        int heads = shape.heads();
        requireCount("key lengths", keyLengths.length, heads);
        requireCount("query lengths", queryLengths.length, heads);
        requireCount("value scales", valueScales.length, heads);
        if (kernel == Kernel.BUMP) {
            if (bandwidths == null) {
                throw new IllegalArgumentException("the bump plan needs a bandwidth per problem");
            }
            requireCount("bandwidths", bandwidths.length, heads);
        }
        for (int p = 0; p < heads; p++) {
            int keyLength = keyLengths[p], queryLength = queryLengths[p];
            float nu = valueScales[p];
            if (keyLength < 1 || keyLength > shape.n() || queryLength < 1 || queryLength > shape.m()) {
                throw new IllegalArgumentException("problem " + p + " has " + keyLength + " keys and " + queryLength
                        + " queries; the " + shape + " plan takes 1.." + shape.n() + " and 1.." + shape.m());
            }
            if (!(nu > 0.0f) || Float.isInfinite(nu) || (Float.floatToIntBits(nu) & 0x7fffff) != 0) {
                throw new IllegalArgumentException("the value scale of problem " + p + " is " + nu + ", not a power of two");
            }
            float deviceScale = Math.min(nu, LARGEST_VALUE_SCALE);
            lengths.set(p, keyLength);
            lengths.set(heads + p, queryLength);
            factors.set(p, deviceScale);
            factors.set(heads + p, 1.0f / deviceScale);
            factors.set(2 * heads + p, kernel == Kernel.BUMP ? bandwidths[p] : 0.0f);
        }
    }

    private static void requireCount(String what, int count, int heads) {
        if (count != heads) {
            throw new IllegalArgumentException(count + " " + what + " for " + heads + " problems");
        }
    }

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
