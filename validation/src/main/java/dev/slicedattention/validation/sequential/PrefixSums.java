package dev.slicedattention.validation.sequential;

/**
 * Stage 3, prefix sums over the sorted order (SPEC §2), for one head:
 *
 * <pre>
 *   U_k = V_π(k) − μ
 *   A_k = Σ_{l&lt;k} U_l,   B_k = Σ_{l&lt;k} τ̂_l U_l,   C_k = Σ_{l&lt;k} τ̂_l      k = 0..n
 * </pre>
 *
 * where τ̂ = τ/σ with σ a power of two at least max|τ| ({@link #scaleOf}). The operator is
 * unchanged by scaling s and τ together, and the power of two makes the scaling exact; it keeps
 * τ̂·U far from float32 overflow and underflow whatever the input's scale.
 *
 * <p>Sums run in float64 and are stored as float32, so each stored value carries one rounding and
 * no error grows with n. A is stored row-major as (n+1) rows of e columns.
 */
public final class PrefixSums {
    private PrefixSums() {}

    /** The exclusive prefix sums of one head: a, b are (n+1)×e, c is n+1. */
    public record Sums(float[] a, float[] b, float[] c, int n, int e) {}

    /**
     * The scale σ: the smallest power of two strictly above max(|τ_0|, |τ_{n−1}|) (the extremes of a
     * sorted array), or 1 when every key is 0. Capped at 2^127, the largest float power of two (2^128
     * would be +∞ and zero every scaled key); then |τ̂| &lt; 2.
     */
    public static float scaleOf(float[] tau, int n) {
        float largest = Math.max(Math.abs(tau[0]), Math.abs(tau[n - 1]));
        if (largest == 0.0f) {
            return 1.0f;
        }
        return Math.scalb(1.0f, Math.min(Math.getExponent(largest) + 1, Float.MAX_EXPONENT));
    }

    /**
     * @param perm      π from the sort
     * @param values    V of all heads, [P, n, e]
     * @param firstRow  this head's first row of V (p·n)
     * @param mu        the value mean of this head
     */
    public static Sums compute(float[] tau, int[] perm, float sigma, float[] values, int firstRow,
                               int n, int e, double[] mu) {
        float[] a = new float[(n + 1) * e];
        float[] b = new float[(n + 1) * e];
        float[] c = new float[n + 1];
        double[] runA = new double[e];
        double[] runB = new double[e];
        double runC = 0.0;
        for (int k = 0; k < n; k++) {
            double scaledKey = (double) tau[k] / sigma;
            int source = (firstRow + perm[k]) * e;
            int target = (k + 1) * e;
            for (int col = 0; col < e; col++) {
                double u = values[source + col] - mu[col];
                runA[col] += u;
                runB[col] += scaledKey * u;
                a[target + col] = (float) runA[col];
                b[target + col] = (float) runB[col];
            }
            runC += scaledKey;
            c[k + 1] = (float) runC;
        }
        return new Sums(a, b, c, n, e);
    }
}
