package dev.slicedattention.validation;

import dev.slicedattention.error.InvalidInputException;

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
 * The constructor checks every dimension and every value (SPEC §3: NaN and ±∞ are input errors), so
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
        requirePositive("the number of heads P", heads);
        requirePositive("the number of queries m", m);
        requirePositive("the number of keys n", n);
        requirePositive("the key dimension d", d);
        requirePositive("the value dimension e", e);
        requireLength("Q", q, heads, m, d);
        requireLength("K", k, heads, n, d);
        requireLength("V", v, heads, n, e);
        requireLength("theta", theta, heads, 1, d);
        FiniteCheck.requireFinite("Q", q, shapes[0]);
        FiniteCheck.requireFinite("K", k, shapes[1]);
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

    /** Number of floats in the output, P·m·e. */
    public int outputLength() {
        return heads * m * e;
    }

    @Override
    public String toString() {
        return "AttentionBatch[P=" + heads + ", m=" + m + ", n=" + n + ", d=" + d + ", e=" + e + "]";
    }
}
