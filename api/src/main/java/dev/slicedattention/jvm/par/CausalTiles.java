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

    /** Adds the pairs lo ≤ j ≤ i &lt; hi to the sums (ReLU: D and A; bump: the weighted sum). */
    static void sum(CausalSums sums, int lo, int hi) {
        int e = sums.e;
        float[] s = sums.s, t = sums.t, v = sums.v;
        double[] row = new double[e];
        double inverseWidth = 1.0 / sums.width;
        for (int i = lo, queries = Math.min(hi, sums.m); i < queries; i++) {
            double si = s[i];
            double weights = 0.0;
            // The query's accumulators go through a copy (as in CausalMergeWalk): row[c] += … with one
            // offset vectorises, a[at + c] += row[c] with two stays scalar.
            int at = i * e;
            System.arraycopy(sums.a, at, row, 0, e);
            for (int j = lo, last = Math.min(i + 1, sums.n); j < last; j++) {
                // ReLU: s_i − t_j, positive exactly when t_j < s_i; bump: the window's hat.
                double weight = sums.bump ? 1.0 - Math.abs(si - t[j]) * inverseWidth : si - t[j];
                if (weight <= 0.0) {
                    continue;
                }
                weights += weight;
                int valueRow = (sums.keyRow + j) * e;
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
