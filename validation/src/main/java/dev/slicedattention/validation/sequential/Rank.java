package dev.slicedattention.validation.sequential;

/**
 * Stage 4, rank: where each query stands among the sorted keys τ.
 *
 * <ul>
 *   <li>ReLU: r_i = #{ j : t_j &lt; s_i }, the lower bound of s_i ({@link #ranks}).</li>
 *   <li>Bump: the window of keys within b of s_i, split at s_i ({@link #windows}):
 *       l_i = #{ t_j &lt; s_i − b }, r_i = #{ t_j &lt; s_i }, h_i = #{ t_j ≤ s_i + b }.
 *       The window's ends s_i ± b are formed in float64; a key exactly on an end has weight 0,
 *       so which side of it the rounding puts it does not change the result.</li>
 * </ul>
 */
public final class Rank {
    private Rank() {}

    public static int[] ranks(float[] queries, float[] tau, int n) {
        int[] ranks = new int[queries.length];
        for (int i = 0; i < queries.length; i++) {
            ranks[i] = lowerBound(tau, n, queries[i]);
        }
        return ranks;
    }

    /** The bump's windows: three arrays l, r, h of the queries' length (see the class comment). */
    public static int[][] windows(float[] queries, float[] tau, int n, float bandwidth) {
        int[] low = new int[queries.length], rank = new int[queries.length], high = new int[queries.length];
        for (int i = 0; i < queries.length; i++) {
            low[i] = lowerBound(tau, n, (double) queries[i] - bandwidth);
            rank[i] = lowerBound(tau, n, queries[i]);
            high[i] = upperBound(tau, n, (double) queries[i] + bandwidth);
        }
        return new int[][] {low, rank, high};
    }

    /** The number of τ values strictly below {@code value}, by binary search over τ[0..n). */
    public static int lowerBound(float[] tau, int n, double value) {
        int low = 0;
        int high = n;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (tau[mid] < value) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /** The number of τ values at most {@code value}. */
    public static int upperBound(float[] tau, int n, double value) {
        int low = 0;
        int high = n;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (tau[mid] <= value) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }
}
