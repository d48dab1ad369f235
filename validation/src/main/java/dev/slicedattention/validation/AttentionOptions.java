package dev.slicedattention.validation;

import dev.slicedattention.error.InvalidInputException;
import java.util.Arrays;

/**
 * What a call computes beyond its tensors: the kernel (SPEC §1), the bump's bandwidth b per problem,
 * and, for ragged batches (SPEC §4), how many keys and queries each problem really has.
 *
 * <pre>{@code
 * AttentionOptions.relu()                                   // the default
 * AttentionOptions.bump(0.7f)                                // one bandwidth for every problem
 * AttentionOptions.bump(0.7f, 1.2f, 0.3f)                   // one per problem (P values)
 * AttentionOptions.relu().withKeyLengths(50, 31, 7)         // problem p uses keys 0..L_p−1 only
 *                        .withQueryLengths(50, 31, 7)       // queries from M_p on output 0
 * }</pre>
 *
 * Immutable; arrays are copied in and out. Values are checked here (bandwidths finite and &gt; 0,
 * lengths ≥ 1); that they fit the batch (P values, L_p ≤ n, M_p ≤ m) is checked by
 * {@link AttentionBatch}, which knows the shapes.
 */
public final class AttentionOptions {
    private static final AttentionOptions RELU = new AttentionOptions(Kernel.RELU, null, null, null, false);

    private final Kernel kernel;
    private final float[] bandwidth;
    private final int[] keyLengths;
    private final int[] queryLengths;
    private final boolean causal;

    private AttentionOptions(Kernel kernel, float[] bandwidth, int[] keyLengths, int[] queryLengths, boolean causal) {
        this.kernel = kernel;
        this.bandwidth = bandwidth;
        this.keyLengths = keyLengths;
        this.queryLengths = queryLengths;
        this.causal = causal;
    }

    /** The sliced ReLU kernel over every key and query: the default. */
    public static AttentionOptions relu() {
        return RELU;
    }

    /**
     * The sliced ReLU-bump kernel with bandwidth b: one value for every problem, or one per problem
     * (P values). Each must be finite and &gt; 0.
     */
    public static AttentionOptions bump(float... bandwidth) {
        if (bandwidth == null || bandwidth.length == 0) {
            throw new InvalidInputException("the bump kernel needs a bandwidth b > 0 (one value, or one per problem)");
        }
        for (int p = 0; p < bandwidth.length; p++) {
            float b = bandwidth[p];
            if (!(b > 0.0f) || !Float.isFinite(b)) {
                String where = bandwidth.length == 1 ? "the bandwidth" : "bandwidth[" + p + "]";
                throw new InvalidInputException(where + " must be a finite number > 0, got " + b);
            }
        }
        return new AttentionOptions(Kernel.BUMP, bandwidth.clone(), null, null, false);
    }

    /** The given kernel; {@code bandwidth} is required for {@link Kernel#BUMP} and must be null for {@link Kernel#RELU}. */
    public static AttentionOptions of(Kernel kernel, float[] bandwidth) {
        if (kernel == Kernel.BUMP) {
            return bump(bandwidth);
        }
        if (bandwidth != null) {
            throw new InvalidInputException("a bandwidth applies to the bump kernel only, not to " + kernel.id());
        }
        return RELU;
    }

    /** These options with problem p using only its first {@code lengths[p]} keys (P values, each ≥ 1). */
    public AttentionOptions withKeyLengths(int... lengths) {
        return new AttentionOptions(kernel, bandwidth, checkedLengths("key", lengths), queryLengths, causal);
    }

    /** These options with problem p computing only its first {@code lengths[p]} queries; the rest output 0. */
    public AttentionOptions withQueryLengths(int... lengths) {
        return new AttentionOptions(kernel, bandwidth, keyLengths, checkedLengths("query", lengths), causal);
    }

    /**
     * These options in causal mode (SPEC §5; self-attention, m = n): query i sees keys j ≤ i only,
     * the ReLU kernel centres by the running mean of V_0..V_i and the bump divides by i + 1.
     */
    public AttentionOptions causal(boolean enabled) {
        return new AttentionOptions(kernel, bandwidth, keyLengths, queryLengths, enabled);
    }

    private static int[] checkedLengths(String what, int[] lengths) {
        if (lengths == null) {
            return null;
        }
        if (lengths.length == 0) {
            throw new InvalidInputException("the " + what + " lengths are empty: give one length per problem");
        }
        for (int p = 0; p < lengths.length; p++) {
            if (lengths[p] < 1) {
                throw new InvalidInputException(what + " length of problem " + p + " is " + lengths[p]
                        + ": every problem needs at least 1 " + what);
            }
        }
        return lengths.clone();
    }

    public Kernel kernel() {
        return kernel;
    }

    /** Whether query i sees keys j ≤ i only (SPEC §5). */
    public boolean isCausal() {
        return causal;
    }

    /** The bandwidths as given (1 or P values), or null for the ReLU kernel. */
    public float[] bandwidth() {
        return bandwidth == null ? null : bandwidth.clone();
    }

    /** The key lengths (P values), or null when every problem uses all n keys. */
    public int[] keyLengths() {
        return keyLengths == null ? null : keyLengths.clone();
    }

    /** The query lengths (P values), or null when every problem computes all m queries. */
    public int[] queryLengths() {
        return queryLengths == null ? null : queryLengths.clone();
    }

    /** Problem p's bump bandwidth b (the one given, or its own of P); only for the bump. */
    public float bandwidthOf(int p) {
        return bandwidth.length == 1 ? bandwidth[0] : bandwidth[p];
    }

    int bandwidthCount() {
        return bandwidth == null ? 0 : bandwidth.length;
    }

    /** L_p for a batch of n keys: problem p's key length, or n when the batch is not ragged. */
    public int keyLengthOf(int p, int n) {
        return keyLengths == null ? n : keyLengths[p];
    }

    /** M_p for a batch of m queries: problem p's query length, or m when the batch is not ragged. */
    public int queryLengthOf(int p, int m) {
        return queryLengths == null ? m : queryLengths[p];
    }

    boolean hasKeyLengths() {
        return keyLengths != null;
    }

    boolean hasQueryLengths() {
        return queryLengths != null;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(causal ? "causal " + kernel.id() : kernel.id());
        if (bandwidth != null) {
            text.append(" b=").append(bandwidth.length == 1 ? Float.toString(bandwidth[0]) : Arrays.toString(bandwidth));
        }
        if (keyLengths != null) {
            text.append(" keyLengths=").append(Arrays.toString(keyLengths));
        }
        if (queryLengths != null) {
            text.append(" queryLengths=").append(Arrays.toString(queryLengths));
        }
        return text.toString();
    }
}
