package dev.slicedattention.jvm.par;

import dev.slicedattention.validation.sequential.KeySort;
import dev.slicedattention.validation.sequential.Rank;

/**
 * Stage 4 on all cores, in the queries' sorted order.
 *
 * The queries are sorted like the keys (packed (value, index) longs, the parallel radix sort),
 * then each thread merges its run of sorted queries with τ: one binary search ({@link Rank#lowerBound})
 * for the run's first query, then a forward walk. That is O(m + n) after the sort, and every access
 * to τ is sequential, where m independent binary searches miss the cache at almost every level.
 *
 * <p>The sorted order is also the one the sweep ({@link ParallelSweep}) needs: its running sums only
 * move forward through the sorted keys as the queries ascend.
 */
public final class ParallelRanks {
    private static final int QUERIES_PER_CHUNK = 2048;

    private ParallelRanks() {}

    /**
     * The queries in ascending order of value: {@code order[k]} is a query index, {@code value[k]} its
     * value (so that later stages read values in this order, not at random), {@code rank[k]} its rank;
     * for the bump, {@code low[k]} and {@code high[k]} are its window's ends (else null).
     */
    public record SortedRanks(int[] order, float[] value, int[] rank, int[] low, int[] high) {}

    public static SortedRanks ranks(Workers workers, float[] queries, float[] tau, int n) {
        return ranks(workers, queries, tau, n, new Workspace());
    }

    public static SortedRanks ranks(Workers workers, float[] queries, float[] tau, int n, Workspace workspace) {
        return ranks(workers, queries, tau, n, Float.NaN, workspace);
    }

    /**
     * Ranks, and with a bandwidth (not NaN) the bump's windows l = #{τ &lt; s − b} and h = #{τ ≤ s + b}
     * ({@link Rank#windows}), which ascend with the queries just as r does.
     */
    public static SortedRanks ranks(Workers workers, float[] queries, float[] tau, int n, float bandwidth,
                                    Workspace workspace) {
        int m = queries.length;
        boolean windows = !Float.isNaN(bandwidth);
        long[] sorted = ParallelKeySort.sortPacked(workers,
                ParallelKeySort.pack(workers, queries, workspace.packed(Workspace.SortBuffer.QUERIES, m)),
                workspace.scratch(Workspace.SortBuffer.QUERIES, m));
        int[] order = new int[m];
        float[] sortedValues = new float[m];
        int[] rank = new int[m];
        int[] low = windows ? new int[m] : null;
        int[] high = windows ? new int[m] : null;
        workers.forRange(m, QUERIES_PER_CHUNK, (from, to) -> {
            int r = -1, l = -1, h = -1;
            for (int k = from; k < to; k++) {
                int query = (int) sorted[k];
                // The value travels in the packed key: no random read of queries[query].
                float value = KeySort.fromSortableBits((int) (sorted[k] >> 32));
                if (r < 0) {
                    r = Rank.lowerBound(tau, n, value);
                }
                // Queries ascend, so the count of keys strictly below them only grows.
                while (r < n && tau[r] < value) {
                    r++;
                }
                order[k] = query;
                sortedValues[k] = value;
                rank[k] = r;
                if (windows) {
                    double below = (double) value - bandwidth, above = (double) value + bandwidth;
                    if (l < 0) {
                        l = Rank.lowerBound(tau, n, below);
                        h = Rank.upperBound(tau, n, above);
                    }
                    while (l < n && tau[l] < below) {
                        l++;
                    }
                    while (h < n && tau[h] <= above) {
                        h++;
                    }
                    low[k] = l;
                    high[k] = h;
                }
            }
        });
        return new SortedRanks(order, sortedValues, rank, low, high);
    }
}
