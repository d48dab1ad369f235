package dev.slicedattention.validation.sequential;

/**
 * Stage 5, combine: O_i = N_i / Z_i with (SPEC §2, in the scaled units ŝ = s/σ of {@link PrefixSums})
 *
 * <pre>
 *   N_i = ŝ_i·A_r − B_r
 *   Z_i = ŝ_i·(2r − n) + C_n − 2·C_r        r = r_i
 *   O_i = 0 where Z_i ≤ 0 (every key equals s_i: the degenerate case of SPEC §1)
 * </pre>
 */
public final class Combine {
    /**
     * ŝ is clamped to ±2^40. It can only exceed that when every scaled key lies in [−1, 1] and the
     * query is 2^40 times farther out, so r is 0 or n and the clamp changes O_i by at most 2^-40 of
     * the value scale; without it ŝ·A could overflow to ±∞ and produce NaN from finite input.
     */
    public static final float QUERY_CLAMP = 0x1p40f;

    private Combine() {}

    public static void combine(float[] queries, int[] ranks, float sigma, PrefixSums.Sums sums,
                               float[] out, int outOffset) {
        int e = sums.e();
        double total = sums.c()[sums.n()];
        for (int i = 0; i < queries.length; i++) {
            combineRow(queries[i], ranks[i], sigma, sums, total, out, outOffset + i * e);
        }
    }

    /** One output row; shared with the parallel JVM backend. */
    public static void combineRow(float query, int rank, float sigma, PrefixSums.Sums sums, double total,
                                  float[] out, int outRow) {
        int n = sums.n();
        int e = sums.e();
        double scaled = Math.max(-QUERY_CLAMP, Math.min(QUERY_CLAMP, (double) query / sigma));
        double z = scaled * (2L * rank - n) + total - 2.0 * sums.c()[rank];
        int prefixRow = rank * e;
        for (int col = 0; col < e; col++) {
            double numerator = scaled * sums.a()[prefixRow + col] - sums.b()[prefixRow + col];
            out[outRow + col] = z > 0.0 ? (float) (numerator / z) : 0.0f;
        }
    }
}
