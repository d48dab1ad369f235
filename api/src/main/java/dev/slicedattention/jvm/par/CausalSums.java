package dev.slicedattention.jvm.par;

/**
 * The per-query float64 accumulators of causal mode (SPEC §5) and the output formula that reads them.
 *
 * <p>Why only e + 1 numbers per query for the ReLU kernel: the twin keeps c, Σt, ΣV and ΣtV but only
 * ever uses them as D = s_i·c − Σt = Σ (s_i − t_j) and A = s_i·ΣV − ΣtV = Σ (s_i − t_j)·V_j (sums over
 * the visible keys below s_i). s_i is fixed per query, so every partial sum can be folded into D and A
 * as soon as it is known — half the accumulator memory each level of {@link ParallelCausal} touches.
 * Then N = A − μ_i·D and Z = 2D − s_i·C_i + T_i. The bump keeps its weighted sum Σ w_ij·V_j (e).
 */
final class CausalSums {
    final float[] s, t, v;
    final int keyRow, n, m, e;
    /** The bump's b, or NaN for the ReLU kernel. */
    final double width;
    final boolean bump;
    /** ReLU: D per query and A (e per query); bump: the weighted sum (e per query) in {@code a}. */
    final double[] d, a;

    /**
     * {@code a} (at least m·e) and {@code d} (at least m; null for the bump) are the caller's scratch
     * arrays, their contents arbitrary: whoever writes a row first must overwrite it
     * ({@link ParallelCausal} zeroes the rows the cross-chunk sweep does not set).
     */
    CausalSums(float[] s, float[] t, float[] v, int keyRow, int n, int m, int e, double width, double[] a, double[] d) {
        this.s = s;
        this.t = t;
        this.v = v;
        this.keyRow = keyRow;
        this.n = n;
        this.m = m;
        this.e = e;
        this.width = width;
        this.bump = !Double.isNaN(width);
        this.d = bump ? null : d;
        this.a = a;
    }

    /** The outputs into out[offset, offset + m·e): the ReLU formula with the running mean, or the bump's division by the visible count. */
    void finish(float[] out, int offset, Workers workers) {
        int chunks = workers.chunks(m, 2048);
        int[] starts = new int[chunks];
        for (int c = 0; c < chunks; c++) {
            starts[c] = Workers.bound(m, chunks, c);
        }
        double[][] before = totalsBefore(starts, workers);
        workers.forEach(chunks, c -> finishRows(out, offset, starts[c], Workers.bound(m, chunks, c + 1), before == null ? null : before[c]));
    }

    /**
     * The ReLU's running totals [ΣV (e) | Σt] over the keys before each of {@code starts} (ascending,
     * the first 0), as a chunked prefix: each range's own totals first (parallel), then their
     * exclusive prefix (sequential, one row per range). Null for the bump, which needs none.
     */
    double[][] totalsBefore(int[] starts, Workers workers) {
        if (bump) {
            return null;
        }
        int ranges = starts.length;
        double[][] before = new double[ranges][e + 1];
        workers.forEach(ranges - 1, r -> {
            double[] total = before[r + 1];
            for (int j = starts[r], end = Math.min(n, starts[r + 1]); j < end; j++) {
                addKey(total, j);
            }
        });
        for (int r = 1; r < ranges; r++) {
            for (int k = 0; k <= e; k++) {
                before[r][k] += before[r - 1][k];
            }
        }
        return before;
    }

    /**
     * The outputs of queries [from, to) into out (their rows from offset + from·e), once every pair of
     * theirs is in the accumulators; {@code before}: the ReLU's totals over the keys before {@code from}
     * ({@link #totalsBefore}, not changed), null for the bump.
     */
    void finishRows(float[] out, int offset, int from, int to, double[] before) {
        double[] seen = before == null ? null : before.clone();
        for (int i = from; i < to; i++) {
            int visible = Math.min(i + 1, n);
            int row = i * e;
            if (bump) {
                for (int k = 0; k < e; k++) {
                    out[offset + row + k] = (float) (a[row + k] / visible);
                }
                continue;
            }
            if (i < n) {
                addKey(seen, i);
            }
            double si = s[i];
            double z = 2.0 * d[i] - si * visible + seen[e];
            for (int k = 0; k < e; k++) {
                double mu = seen[k] / visible;
                double numerator = a[row + k] - mu * d[i];
                out[offset + row + k] = z > 0.0 ? (float) (2.0 * numerator / z) : 0.0f;
            }
        }
    }

    private void addKey(double[] total, int j) {
        int valueRow = (keyRow + j) * e;
        for (int k = 0; k < e; k++) {
            total[k] += v[valueRow + k];
        }
        total[e] += t[j];
    }
}
