package dev.slicedattention.validation.sequential;

/**
 * Stage 5, combine (SPEC §2, in the scaled units ŝ = s/σ, b̂ = b/σ, U = V/ν of {@link PrefixSums}).
 *
 * <p>ReLU kernel ({@link #combineRow}):
 * <pre>
 *   N_i = ŝ_i·A_r − B_r
 *   Z_i = ŝ_i·(2r − n) + C_n − 2·C_r        r = r_i
 *   O_i = 2·ν·N_i / Z_i,  0 where Z_i ≤ 0 (every key equals s_i: the degenerate case of SPEC §1)
 * </pre>
 * The factor 2 is the authors' ({@code context = 2*context / norm}).
 *
 * <p>Bump kernel ({@link #bumpRow}), with the window l ≤ r ≤ h of {@link Rank#windows}:
 * <pre>
 *   below = (1 − ŝ/b̂)(A_r − A_l) + (B_r − B_l)/b̂
 *   above = (1 + ŝ/b̂)(A_h − A_r) − (B_h − B_r)/b̂
 *   O_i   = ν·(below + above)/n
 * </pre>
 *
 * <p>Everything is evaluated in float64 and rounded once to float32. A result beyond float32's
 * range (possible only when |V| is within a factor 4 of float32's maximum) rounds to ±∞, which
 * the caller refuses ({@code OutputRange}); nothing before the final ×ν can overflow.
 */
public final class Combine {
    /**
     * ŝ is clamped to ±2^40 in the ReLU kernel. It can only exceed that when every scaled key lies in
     * [−2, 2] and the query is 2^40 times farther out, so r is 0 or n and the clamp changes O_i by at
     * most 2^-39 of the value scale.
     */
    public static final float QUERY_CLAMP = 0x1p40f;

    private Combine() {}

    public static void combine(float[] queries, int[] ranks, float sigma, PrefixSums.Sums sums, float nu,
                               float[] out, int outOffset) {
        int e = sums.e();
        double total = sums.c()[sums.n()];
        for (int i = 0; i < queries.length; i++) {
            combineRow(queries[i], ranks[i], sigma, sums, total, nu, out, outOffset + i * e);
        }
    }

    /** One output row of the ReLU kernel; shared with the parallel JVM backend. */
    public static void combineRow(float query, int rank, float sigma, PrefixSums.Sums sums, double total, float nu,
                                  float[] out, int outRow) {
        int n = sums.n();
        int e = sums.e();
        double scaled = Math.max(-QUERY_CLAMP, Math.min(QUERY_CLAMP, (double) query / sigma));
        double z = scaled * (2L * rank - n) + total - 2.0 * sums.c()[rank];
        int prefixRow = rank * e;
        for (int col = 0; col < e; col++) {
            double numerator = scaled * sums.a()[prefixRow + col] - sums.b()[prefixRow + col];
            out[outRow + col] = z > 0.0 ? (float) (2.0 * numerator / z * nu) : 0.0f;
        }
    }

    public static void bump(float[] queries, int[][] windows, float sigma, float bandwidth, PrefixSums.Sums sums,
                            float nu, float[] out, int outOffset) {
        int e = sums.e();
        for (int i = 0; i < queries.length; i++) {
            bumpRow(queries[i], windows[0][i], windows[1][i], windows[2][i], sigma, bandwidth, sums, nu, out,
                    outOffset + i * e);
        }
    }

    /** One output row of the bump kernel; shared with the parallel JVM backend. */
    public static void bumpRow(float query, int low, int rank, int high, float sigma, float bandwidth,
                               PrefixSums.Sums sums, float nu, float[] out, int outRow) {
        int e = sums.e();
        double inverseWidth = sigma / (double) bandwidth;        // 1/b̂
        double ratio = (double) query / bandwidth;               // ŝ/b̂ = s/b
        double below = 1.0 - ratio, above = 1.0 + ratio;
        double scale = (double) nu / sums.n();
        int l = low * e, r = rank * e, h = high * e;
        for (int col = 0; col < e; col++) {
            double aR = sums.aAt(r + col), bR = sums.bAt(r + col);
            double value = below * (aR - sums.aAt(l + col)) + (bR - sums.bAt(l + col)) * inverseWidth
                    + above * (sums.aAt(h + col) - aR) - (sums.bAt(h + col) - bR) * inverseWidth;
            out[outRow + col] = (float) (value * scale);
        }
    }
}
