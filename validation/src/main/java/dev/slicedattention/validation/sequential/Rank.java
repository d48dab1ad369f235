package dev.slicedattention.validation.sequential;

/** Stage 4, rank: r_i = #{ j : t_j &lt; s_i }, the lower bound of s_i in the sorted keys τ. */
public final class Rank {
    private Rank() {}

    public static int[] ranks(float[] queries, float[] tau, int n) {
        int[] ranks = new int[queries.length];
        for (int i = 0; i < queries.length; i++) {
            ranks[i] = lowerBound(tau, n, queries[i]);
        }
        return ranks;
    }

    /** The number of τ values strictly below {@code value}, by binary search over τ[0..n). */
    public static int lowerBound(float[] tau, int n, float value) {
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
}
