package dev.slicedattention.validation;

import dev.slicedattention.error.InvalidInputException;
import dev.slicedattention.validation.sequential.PrefixSums;

/**
 * One batched sliced-attention problem in flat, row-major float32 arrays: P independent heads, each
 * with m queries and n keys.
 *
 * <pre>
 *   q     [P, m, d]   q[(p*m + i)*d + k]
 *   k     [P, n, d]   k[(p*n + j)*d + k]
 *   v     [P, n, e]   v[(p*n + j)*e + c]
 *   theta [P, d]      theta[p*d + k]
 *   out   [P, m, e]   out[(p*m + i)*e + c]
 * </pre>
 *
 * and {@link AttentionOptions}: the kernel, the bump's bandwidths and, for ragged batches, each
 * problem's key length L_p and query length M_p (SPEC §4: keys from L_p on are padding and touch no
 * result, queries from M_p on output 0).
 *
 * The constructor checks every dimension and every value (SPEC §6: NaN and ±∞ are input errors), so
 * an {@code AttentionBatch} that exists is always a valid problem. The arrays are not copied: do not
 * change them while a backend works on the batch.
 */
public final class AttentionBatch {
    private final int heads;
    private final int m;
    private final int n;
    private final int d;
    private final int e;
    private final float[] q;
    private final float[] k;
    private final float[] v;
    private final float[] theta;
    private final AttentionOptions options;
    /** Projected queries s [P, m] and keys t [P, n] when given directly ({@link #ofScalars}); else null. */
    private final float[] givenS, givenT;
    /** ν_p of {@link #valueScale}, computed on first use. */
    private float[] valueScales;
    /** max|Q| and max|K| over the whole batch, from the finite check (NaN for given scalars). */
    private final float largestQuery, largestKey;

    public AttentionBatch(int heads, int m, int n, int d, int e, float[] q, float[] k, float[] v, float[] theta) {
        this(heads, m, n, d, e, q, k, v, theta, new int[][] {{heads, m, d}, {heads, n, d}, {heads, n, e}, {heads, d}});
    }

    /**
     * As above, naming the first non-finite value's index in {@code shapes} (Q, K, V, θ in that
     * order): the shapes the caller's tensors have, so that a one-head [m, d] input is reported as
     * [i, k] rather than [0, i, k].
     */
    public AttentionBatch(int heads, int m, int n, int d, int e, float[] q, float[] k, float[] v, float[] theta,
                          int[][] shapes) {
        this(heads, m, n, d, e, q, k, v, theta, shapes, AttentionOptions.relu());
    }

    /** A batch computing {@code options}' kernel, bandwidths and lengths. */
    public AttentionBatch(int heads, int m, int n, int d, int e, float[] q, float[] k, float[] v, float[] theta,
                          int[][] shapes, AttentionOptions options) {
        requirePositive("the number of heads P", heads);
        requirePositive("the number of queries m", m);
        requirePositive("the number of keys n", n);
        requirePositive("the key dimension d", d);
        requirePositive("the value dimension e", e);
        requireLength("Q", q, heads, m, d);
        requireLength("K", k, heads, n, d);
        requireLength("V", v, heads, n, e);
        requireLength("theta", theta, heads, 1, d);
        this.largestQuery = FiniteCheck.requireFinite("Q", q, shapes[0]);
        this.largestKey = FiniteCheck.requireFinite("K", k, shapes[1]);
        FiniteCheck.requireFinite("V", v, shapes[2]);
        FiniteCheck.requireFinite("theta", theta, shapes[3]);
        this.heads = heads;
        this.m = m;
        this.n = n;
        this.d = d;
        this.e = e;
        this.q = q;
        this.k = k;
        this.v = v;
        this.theta = theta;
        this.options = checkedOptions(options, heads, m, n);
        this.givenS = null;
        this.givenT = null;
    }

    private AttentionBatch(int heads, int m, int n, int e, float[] s, float[] t, float[] v, AttentionOptions options) {
        requirePositive("the number of problems P", heads);
        requirePositive("the number of queries m", m);
        requirePositive("the number of keys n", n);
        requirePositive("the value dimension e", e);
        requireLength("s", s, heads, m, 1);
        requireLength("t", t, heads, n, 1);
        requireLength("V", v, heads, n, e);
        FiniteCheck.requireFinite("s", s, new int[] {heads, m});
        FiniteCheck.requireFinite("t", t, new int[] {heads, n});
        FiniteCheck.requireFinite("V", v, new int[] {heads, n, e});
        this.largestQuery = Float.NaN;
        this.largestKey = Float.NaN;
        this.heads = heads;
        this.m = m;
        this.n = n;
        this.d = 1;
        this.e = e;
        this.q = null;
        this.k = null;
        this.v = v;
        this.theta = null;
        this.options = checkedOptions(options, heads, m, n);
        this.givenS = s;
        this.givenT = t;
    }

    /**
     * A batch whose projections are already computed: s [P, m] and t [P, n], e.g. by a learned
     * projection ({@link dev.slicedattention.validation.projection.ScalarProjection}); the pipeline
     * starts at the sort. There are no Q, K or θ ({@link #q()}, {@link #k()}, {@link #theta()} are null).
     */
    public static AttentionBatch ofScalars(int heads, int m, int n, int e, float[] s, float[] t, float[] v,
                                           AttentionOptions options) {
        return new AttentionBatch(heads, m, n, e, s, t, v, options);
    }

    /**
     * The largest |value| of Q over all heads, found by the constructor's finite check (NaN for given
     * scalars): a bound for the projections ({@code ProjectionRange}) without reading Q again.
     */
    public float largestQueryMagnitude() {
        return largestQuery;
    }

    /** As {@link #largestQueryMagnitude()} for K. */
    public float largestKeyMagnitude() {
        return largestKey;
    }

    /** Whether s and t were given ({@link #ofScalars}) rather than projected from Q, K and θ. */
    public boolean hasScalars() {
        return givenS != null;
    }

    /** The given projected queries s [P, m] (null unless {@link #hasScalars()}). */
    public float[] s() {
        return givenS;
    }

    /** The given projected keys t [P, n] (null unless {@link #hasScalars()}). */
    public float[] t() {
        return givenT;
    }

    private AttentionBatch(AttentionBatch values, AttentionOptions options) {
        this.largestQuery = values.largestQuery;
        this.largestKey = values.largestKey;
        this.heads = values.heads;
        this.m = values.m;
        this.n = values.n;
        this.d = values.d;
        this.e = values.e;
        this.q = values.q;
        this.k = values.k;
        this.v = values.v;
        this.theta = values.theta;
        this.options = checkedOptions(options, heads, m, n);
        this.givenS = values.givenS;
        this.givenT = values.givenT;
    }

    /** The same tensors (not copied, not checked again) computed with other options. */
    public AttentionBatch withOptions(AttentionOptions options) {
        return new AttentionBatch(this, options);
    }

    /** Checks that the options fit a batch of P problems with m queries and n keys. */
    public static AttentionOptions checkedOptions(AttentionOptions options, int heads, int m, int n) {
        if (options == null) {
            return AttentionOptions.relu();
        }
        int bandwidths = options.bandwidthCount();
        if (bandwidths > 1 && bandwidths != heads) {
            throw new InvalidInputException("the bandwidth has " + bandwidths + " values; give one, or one per problem ("
                    + heads + ")");
        }
        if (options.isCausal() && m != n) {
            throw new InvalidInputException("causal attention is self-attention: it needs m = n, got m = " + m + ", n = " + n);
        }
        checkLengths("key", options.keyLengths(), heads, n, "n");
        checkLengths("query", options.queryLengths(), heads, m, "m");
        return options;
    }

    private static void checkLengths(String what, int[] lengths, int heads, int limit, String symbol) {
        if (lengths == null) {
            return;
        }
        if (lengths.length != heads) {
            throw new InvalidInputException("the " + what + " lengths hold " + lengths.length
                    + " values; give one per problem (" + heads + ")");
        }
        for (int p = 0; p < heads; p++) {
            if (lengths[p] > limit) {
                throw new InvalidInputException(what + " length of problem " + p + " is " + lengths[p] + ", more than the "
                        + limit + " " + (what.equals("query") ? "queries" : "keys") + " the tensors hold (" + symbol + " = " + limit + ")");
            }
        }
    }

    private static void requirePositive(String what, int value) {
        if (value <= 0) {
            throw new InvalidInputException(what + " must be at least 1, got " + value);
        }
    }

    private static void requireLength(String name, float[] data, int heads, int rows, int cols) {
        if (data == null) {
            throw new InvalidInputException(name + " is missing");
        }
        long expected = (long) heads * rows * cols;
        if (expected > Integer.MAX_VALUE) {
            throw new InvalidInputException(name + " would need " + expected
                    + " elements; a Java array holds at most " + Integer.MAX_VALUE + ": use fewer heads or shorter sequences");
        }
        if (data.length != expected) {
            throw new InvalidInputException(name + " holds " + data.length + " values but its shape needs "
                    + heads + "×" + rows + "×" + cols + " = " + expected);
        }
    }

    public int heads() { return heads; }
    public int m() { return m; }
    public int n() { return n; }
    public int d() { return d; }
    public int e() { return e; }
    public float[] q() { return q; }
    public float[] k() { return k; }
    public float[] v() { return v; }
    public float[] theta() { return theta; }
    public AttentionOptions options() { return options; }
    public Kernel kernel() { return options.kernel(); }
    public boolean isCausal() { return options.isCausal(); }

    /** The bump's bandwidth b of problem p (the ReLU kernel has none). */
    public float bandwidth(int p) {
        if (options.kernel() != Kernel.BUMP) {
            throw new IllegalStateException("the " + options.kernel() + " kernel has no bandwidth");
        }
        return options.bandwidthOf(p);
    }

    /** L_p: the keys problem p uses (rows 0..L_p−1 of its K and V); n unless the batch is ragged. */
    public int keyLength(int p) {
        return options.keyLengthOf(p, n);
    }

    /** M_p: the queries problem p computes; rows from M_p on output 0. m unless the batch is ragged. */
    public int queryLength(int p) {
        return options.queryLengthOf(p, m);
    }

    /** Whether some problem uses fewer than n keys or m queries. */
    public boolean isRagged() {
        for (int p = 0; p < heads; p++) {
            if (keyLength(p) != n || queryLength(p) != m) {
                return true;
            }
        }
        return false;
    }

    /**
     * ν_p: the power of two by which problem p's values are divided before any sum (SPEC §6), the
     * smallest strictly above max|V| over its L_p keys (capped at 2^127; 1 when every value is 0).
     * Dividing by a power of two is exact, so nothing changes but the exponent: |V/ν| &lt; 1, and
     * neither V − μ nor any prefix sum of up to 2^31 rows can overflow float32, whatever V's scale.
     * The output is multiplied back by ν at the very end, where a result beyond float32's range is
     * refused rather than written as ±∞.
     */
    public float valueScale(int p) {
        float[] scales = valueScales;
        if (scales == null) {
            scales = new float[heads];
            for (int h = 0; h < heads; h++) {
                scales[h] = PrefixSums.valueScaleOf(v, h * n, keyLength(h), e);
            }
            valueScales = scales;
        }
        return scales[p];
    }

    /** Number of floats in the output, P·m·e. */
    public int outputLength() {
        return heads * m * e;
    }

    @Override
    public String toString() {
        return "AttentionBatch[P=" + heads + ", m=" + m + ", n=" + n + (hasScalars() ? ", s and t given" : ", d=" + d)
                + ", e=" + e + ", " + options + "]";
    }
}
