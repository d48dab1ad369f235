package dev.slicedattention.validation.sequential;

/**
 * Stage 3, prefix sums over the sorted order (SPEC §2), for one problem:
 *
 * <pre>
 *   U_k = (V_π(k) − μ)/ν   (ReLU)        U_k = V_π(k)/ν   (bump: no centring)
 *   A_k = Σ_{l&lt;k} U_l,   B_k = Σ_{l&lt;k} τ̂_l U_l,   C_k = Σ_{l&lt;k} τ̂_l      k = 0..n
 * </pre>
 *
 * where τ̂ = τ/σ with σ a power of two at least max|τ| ({@link #scaleOf}), and ν a power of two above
 * max|V| ({@link #valueScaleOf}). The operator is unchanged by scaling s and τ together, linear in
 * V, and powers of two make both scalings exact; they keep τ̂·U far from float32 overflow and
 * underflow whatever the input's scale.
 *
 * <p>Sums run in float64 and are stored as float32, so each stored value carries one rounding and
 * no error grows with n. A is stored row-major as (n+1) rows of e columns.
 *
 * <p><b>Split storage for the bump.</b> The bump reads window sums A_h − A_l and (B_h − B_l)/b̂:
 * differences of two long prefixes, multiplied by 1 − ŝ/b̂ and 1/b̂. A float32 prefix carries an
 * absolute error of half an ulp of |A| ≈ 2^-25·|A|, which such a difference keeps and the factors
 * amplify: measured at n = 2^20 with b = 1 on Gaussian data, 1.1e-5 relative error, and 2.6e-4 at
 * b = 0.1. So for the bump every prefix is stored as two floats, hi = (float) x and
 * lo = (float) (x − hi): together 48 bits of mantissa, and the error of a window sum is then
 * about 2^-48·((1 + |ŝ|/b̂)·max|A| + max|B|/b̂), far below the float32 rounding of the projections.
 */
public final class PrefixSums {
    private PrefixSums() {}

    /**
     * The exclusive prefix sums of one problem: a, b are (n+1)×e, c is n+1. {@code aLow} and
     * {@code bLow} are the low halves of the split storage (see the class comment), or null when
     * the prefixes are plain float32.
     */
    public record Sums(float[] a, float[] b, float[] c, float[] aLow, float[] bLow, int n, int e) {
        public Sums(float[] a, float[] b, float[] c, int n, int e) {
            this(a, b, c, null, null, n, e);
        }

        /** A at flat index {@code at} (row·e + column), both halves added in float64. */
        public double aAt(int at) {
            return aLow == null ? a[at] : (double) a[at] + aLow[at];
        }

        /** B at flat index {@code at}. */
        public double bAt(int at) {
            return bLow == null ? b[at] : (double) b[at] + bLow[at];
        }
    }

    /**
     * The scale σ: the smallest power of two strictly above max(|τ_0|, |τ_{n−1}|) (the extremes of a
     * sorted array), or 1 when every key is 0. Capped at 2^127, the largest float power of two (2^128
     * would be +∞ and zero every scaled key); then |τ̂| &lt; 2.
     */
    public static float scaleOf(float[] tau, int n) {
        return powerOfTwoAbove(Math.max(Math.abs(tau[0]), Math.abs(tau[n - 1])));
    }

    /**
     * ν: the smallest power of two strictly above max|V| over {@code rows} rows of e values starting
     * at row {@code firstRow} (capped at 2^127, so |V/ν| &lt; 2), or 1 when every value is 0.
     */
    public static float valueScaleOf(float[] values, int firstRow, int rows, int e) {
        float largest = 0.0f;
        int end = (firstRow + rows) * e;
        for (int i = firstRow * e; i < end; i++) {
            largest = Math.max(largest, Math.abs(values[i]));
        }
        return powerOfTwoAbove(largest);
    }

    /** The smallest power of two strictly above {@code largest} ≥ 0, capped at 2^127; 1 for 0. */
    public static float powerOfTwoAbove(float largest) {
        if (largest == 0.0f) {
            return 1.0f;
        }
        return Math.scalb(1.0f, Math.min(Math.getExponent(largest) + 1, Float.MAX_EXPONENT));
    }

    /**
     * @param perm      π from the sort
     * @param values    V of all problems, [P, n, e]
     * @param firstRow  this problem's first row of V (p·n)
     * @param n         the keys this problem uses (L_p)
     * @param mu        the value mean of this problem (ReLU), or null for no centring (bump)
     * @param nu        the value scale ν ({@link #valueScaleOf})
     * @param split     whether to store each prefix as hi + lo (the bump; see the class comment)
     */
    public static Sums compute(float[] tau, int[] perm, float sigma, float[] values, int firstRow,
                               int n, int e, double[] mu, float nu, boolean split) {
        float[] a = new float[(n + 1) * e];
        float[] b = new float[(n + 1) * e];
        float[] c = new float[n + 1];
        float[] aLow = split ? new float[(n + 1) * e] : null;
        float[] bLow = split ? new float[(n + 1) * e] : null;
        double[] runA = new double[e];
        double[] runB = new double[e];
        double runC = 0.0;
        for (int k = 0; k < n; k++) {
            double scaledKey = (double) tau[k] / sigma;
            int source = (firstRow + perm[k]) * e;
            int target = (k + 1) * e;
            for (int col = 0; col < e; col++) {
                double u = unit(values[source + col], mu == null ? 0.0 : mu[col], nu);
                runA[col] += u;
                runB[col] += scaledKey * u;
                a[target + col] = (float) runA[col];
                b[target + col] = (float) runB[col];
                if (split) {
                    aLow[target + col] = (float) (runA[col] - a[target + col]);
                    bLow[target + col] = (float) (runB[col] - b[target + col]);
                }
            }
            runC += scaledKey;
            c[k + 1] = (float) runC;
        }
        return new Sums(a, b, c, aLow, bLow, n, e);
    }

    /**
     * U = (V − μ)/ν in float64: V/ν − μ/ν rather than (V − μ)/ν, so that nothing overflows even when
     * V and μ are near float32's limit with opposite signs. Shared with the parallel JVM backend.
     */
    public static double unit(float value, double mean, float nu) {
        return (double) value / nu - mean / nu;
    }
}
