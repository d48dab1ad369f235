package dev.slicedattention.validation.sequential;

import dev.slicedattention.error.InvalidInputException;
import dev.slicedattention.validation.FiniteCheck;

/**
 * The float32 projections s = &lt;θ, Q − c&gt; and t = &lt;θ, K − c&gt; must be finite: a value beyond
 * ±3.4e38 becomes ±∞, and the kernels then return zeros or NaN for every query that sees it (the
 * denominator Σ|s − t| is infinite) where the float64 reference returns ordinary values. Such inputs
 * are refused with their cause and the remedy: the ReLU kernel is invariant to a common scale of s
 * and t, so θ scaled down gives the same output (for the bump, with b scaled by the same factor).
 */
public final class ProjectionRange {
    private ProjectionRange() {}

    /** Throws when a projection of problem p is not finite: {@code s} [M_p] of the queries, {@code t} [L_p] of the keys. */
    public static void requireFinite(float[] s, float[] t, int p) {
        requireFinite(t, "key", p);
        requireFinite(s, "query", p);
    }

    private static void requireFinite(float[] values, String what, int p) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw overflow(what, i, p);
            }
        }
    }

    /** The refusal for row {@code row} of the {@code what} ("key" or "query") of problem p. */
    public static InvalidInputException overflow(String what, int row, int p) {
        return new InvalidInputException("the projection of " + what + " " + row + " of problem " + p
                + ", <θ, " + (what.equals("key") ? "K" : "Q") + "_j − c>, is beyond float32's range (±3.4e38): "
                + "scale θ down (the ReLU kernel's output does not change; for the bump scale b by the same factor)");
    }

    /**
     * Whether no float32 projection of problem p's queries (rows [queryRow, queryRow + queries) of Q)
     * and keys (rows [keyRow, keyRow + keys) of K) can overflow, whatever the centre c (a mean of the
     * keys, so |c_d| ≤ max|K|): Σ_d |θ_d|·(max(max|Q|, max|K|) + max|K|) stays below a quarter of
     * float32's largest value. One pass over the rows, read in blocks on all cores. For a backend that
     * projects where the host cannot see the result (a device): when this says no, the exact
     * projections decide ({@link Projection#scalars}, which refuses an overflow).
     */
    public static boolean cannotOverflow(FiniteCheck.BlockReader q, int queryRow, int queries,
                                         FiniteCheck.BlockReader k, int keyRow, int keys, int d,
                                         float[] theta, int thetaOffset) {
        return cannotOverflow(FiniteCheck.largestMagnitude(queryRow * d, queries * d, q),
                FiniteCheck.largestMagnitude(keyRow * d, keys * d, k), d, theta, thetaOffset);
    }

    /**
     * The same bound from max|Q| and max|K| already known (e.g. over the whole batch, from its finite
     * check: a bound over more rows than a problem's is still a bound for it).
     */
    public static boolean cannotOverflow(double largestQuery, double largestKey, int d, float[] theta, int thetaOffset) {
        double thetaNorm = 0.0;
        for (int c = 0; c < d; c++) {
            thetaNorm += Math.abs((double) theta[thetaOffset + c]);
        }
        return thetaNorm * (Math.max(largestQuery, largestKey) + largestKey) < Float.MAX_VALUE / 4.0;
    }
}
