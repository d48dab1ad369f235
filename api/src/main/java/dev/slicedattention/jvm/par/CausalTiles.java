package dev.slicedattention.jvm.par;

/**
 * The base case of {@link ParallelCausal}: within a tile of B consecutive positions, every query i sums
 * over the tile's keys j ≤ i directly, O(B·e) per query.
 *
 * <p>Why: below a few hundred positions a merge walk's per-element overhead (sorting, pointer chasing,
 * folding 2e running sums into every query at every level) costs more than the direct sum, whose inner
 * loop is one multiply-add over a row of V that the tile keeps in cache. Stopping the recursion at B
 * removes its log₂ B lowest levels. Sums in float64, as everywhere in causal mode.
 */
final class CausalTiles {
    private CausalTiles() {}

    /** Adds the pairs lo ≤ j ≤ i &lt; hi to the sums (ReLU: D and A; bump: the weighted sum); hi − lo at most {@link ParallelCausal#TILE}. */
    static void sum(CausalSums sums, int lo, int hi) {
        int e = sums.e;
        float[] s = sums.s, t = sums.t, v = sums.v;
        double[] row = new double[e];
        double inverseWidth = 1.0 / sums.width;
        // The keys that weigh on the query, listed first without a branch (the index is written always
        // and kept when the weight is positive): about a quarter of a tile's keys fall in the bump's
        // window, at random, and a branch per key mispredicted often (this took 30% off the tiles).
        int[] listed = new int[hi - lo];
        double[] listedWeight = new double[hi - lo];
        for (int i = lo, queries = Math.min(hi, sums.m); i < queries; i++) {
            double si = s[i];
            double weights = 0.0;
            int count = 0;
            for (int j = lo, last = Math.min(i + 1, sums.n); j < last; j++) {
                // ReLU: s_i − t_j, positive exactly when t_j < s_i; bump: the window's hat.
                double weight = sums.bump ? 1.0 - Math.abs(si - t[j]) * inverseWidth : si - t[j];
                listed[count] = j;
                listedWeight[count] = weight;
                count += weight > 0.0 ? 1 : 0;
            }
            // The query's accumulators go through a copy (as in CausalMergeWalk): row[c] += … with one
            // offset vectorises, a[at + c] += row[c] with two stays scalar.
            int at = i * e;
            System.arraycopy(sums.a, at, row, 0, e);
            for (int k = 0; k < count; k++) {
                double weight = listedWeight[k];
                weights += weight;
                int valueRow = (sums.keyRow + listed[k]) * e;
                for (int c = 0; c < e; c++) {
                    row[c] += weight * v[valueRow + c];
                }
            }
            System.arraycopy(row, 0, sums.a, at, e);
            if (!sums.bump) {
                sums.d[i] += weights;
            }
        }
    }
}
