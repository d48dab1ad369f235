package dev.slicedattention.jvm.par;

/**
 * One level's primitive in {@link ParallelCausal}: the keys of a left half, sorted by t, acting on the
 * queries of the right half, sorted by s, in one merge walk that carries running sums over the keys
 * passed so far (the forward pass's prefix sums, restricted to one block pair).
 *
 * <p>Sorted runs come with their values ({@code keyT}, {@code queryS}: t or s of each entry, +∞ for
 * positions without a key or query), so that the walk compares in order instead of looking t up at
 * random. Keys beyond L_p (t = +∞) are never passed; queries beyond M_p sort last and end the walk.
 */
final class CausalMergeWalk {
    private CausalMergeWalk() {}

    /** The floats {@link #cross} gathers for a left half of {@code keys} keys and {@code columns} columns (0 for the ReLU kernel). */
    static int gatheredLength(CausalSums sums, int keys, int columns) {
        return sums.bump ? keys * columns : 0;
    }

    /**
     * Keys keys[lo, mid) on queries queries[from, to), both runs ascending, for the columns [c0, c1) of
     * V; with {@code scalars} also the ReLU's D (one part of a split walk adds it). {@code gathered}:
     * room for the bump's gathered value rows, (mid − lo)·(c1 − c0) floats ({@link #gatheredLength}).
     */
    static void cross(CausalSums sums, int[] keys, float[] keyT, int lo, int mid, int[] queries, float[] queryS, int from, int to,
            int c0, int c1, boolean scalars, float[] gathered) {
        if (sums.bump) {
            crossBump(sums, keys, keyT, lo, mid, queries, queryS, from, to, c0, c1, gathered);
            return;
        }
        int e = sums.e, width = c1 - c0;
        // ΣV, ΣtV over the keys passed, for the columns [c0, c1) at indices 0 .. width − 1 (see add).
        double[] runV = new double[width], runTV = new double[width], a = sums.a, d = sums.d;
        double[] row = new double[width];
        double runCount = 0.0, runT = 0.0;
        int k = lo;
        for (int q = from; q < to; q++) {
            int i = queries[q];
            if (i >= sums.m) {
                break;
            }
            double si = queryS[q];
            while (k < mid && keyT[k] < si) {
                double tj = keyT[k];
                add(sums, runV, runTV, keys[k++], tj, c0, width);
                runCount += 1.0;
                runT += tj;
            }
            // Fold the level's sums into D and A at once (CausalSums): s_i is known here.
            if (scalars) {
                d[i] += si * runCount - runT;
            }
            int at = i * e + c0;
            System.arraycopy(a, at, row, 0, width);
            for (int c = 0; c < width; c++) {
                row[c] += si * runV[c] - runTV[c];
            }
            System.arraycopy(row, 0, a, at, width);
        }
    }

    /**
     * The bump's window: three pointers at s − b, s and s + b (the first two pass keys strictly below
     * their limit, the last those at most its limit). The window's two linear pieces, (1 − s/b)·V + t·V/b
     * on [s − b, s) and (1 + s/b)·V − t·V/b on [s, s + b], add up to (U + s·Y)/b with two running sums
     * that every pointer adds to: a key passed by the high pointer adds (b − t)·V to U and V to Y, by
     * the centre 2t·V and −2V, by the low −(b + t)·V and V. A key below the window has passed all three
     * and adds 0 to both; one in [s − b, s) adds (b + t)·V and −V, which is b − (s − t) times V; one in
     * [s, s + b] adds (b − t)·V and V. Why two sums and not three pairs (ΣV, ΣtV below each pointer):
     * a query folds two rows instead of six.
     *
     * <p>Each key's value row is read by all three pointers, so the left half's rows are first gathered
     * in the walk's order into {@code gathered} (one pass of random reads; the pointers then stream
     * through it): the gather costs one row copy per key and saves two random reads.
     */
    private static void crossBump(CausalSums sums, int[] keys, float[] keyT, int lo, int mid, int[] queries, float[] queryS, int from, int to,
            int c0, int c1, float[] gathered) {
        int e = sums.e, columns = c1 - c0;
        double width = sums.width, inverseWidth = 1.0 / width;
        double[] a = sums.a;
        // Keys beyond L_p (t = +∞) sort last and are never passed: gather up to the first of them.
        int valid = lo;
        float[] v = sums.v;
        for (; valid < mid && keys[valid] < sums.n; valid++) {
            System.arraycopy(v, (sums.keyRow + keys[valid]) * e + c0, gathered, (valid - lo) * columns, columns);
        }
        double[] u = new double[columns], y = new double[columns], row = new double[columns];
        int l = lo, r = lo, h = lo;
        for (int q = from; q < to; q++) {
            int i = queries[q];
            if (i >= sums.m) {
                break;
            }
            double si = queryS[q];
            for (double limit = si - width; l < valid && keyT[l] < limit; l++) {
                addScaled(gathered, (l - lo) * columns, -(width + keyT[l]), 1.0, u, y, columns);
            }
            for (; r < valid && keyT[r] < si; r++) {
                addScaled(gathered, (r - lo) * columns, 2.0 * keyT[r], -2.0, u, y, columns);
            }
            for (double limit = si + width; h < valid && keyT[h] <= limit; h++) {
                addScaled(gathered, (h - lo) * columns, width - keyT[h], 1.0, u, y, columns);
            }
            // An empty window (every key passed is below it) weighs exactly 0. U and Y are then 0 in exact
            // arithmetic, but in floating point they hold the rounding of ±t·V terms that cancelled, which
            // the fold multiplies by s/b: far above the answer where |s| ≫ b (data of scale 1e6). Start
            // them afresh, as a difference of one prefix sum with itself would be.
            if (l == h) {
                java.util.Arrays.fill(u, 0.0);
                java.util.Arrays.fill(y, 0.0);
                continue;
            }
            // Times 1/b, not divided by b: divisions in the column loop cost more than the rest of it.
            int at = i * e + c0;
            System.arraycopy(a, at, row, 0, columns);
            for (int c = 0; c < columns; c++) {
                row[c] += (u[c] + si * y[c]) * inverseWidth;
            }
            System.arraycopy(row, 0, a, at, columns);
        }
    }

    /** alpha·V and beta·V of the gathered row at {@code offset} into u and y (columns 0 .. columns − 1). */
    private static void addScaled(float[] gathered, int offset, double alpha, double beta, double[] u, double[] y, int columns) {
        for (int c = 0; c < columns; c++) {
            double value = gathered[offset + c];
            u[c] += alpha * value;
            y[c] += beta * value;
        }
    }

    /*
     * Why the accumulator row goes through a copy: in a[at + c] += …runV[c]… the two double arrays are
     * indexed at different offsets, so C2 cannot rule out an overlap and leaves the loop scalar; on the
     * copy every index is c and the loop is vectorised (and System.arraycopy is).
     */

    /**
     * Key j's V and t·V (columns [c0, c0 + columns)) into runV and runTV at indices 0 .. columns − 1. Two
     * arrays, not one of 2e: with a variable offset e between the halves the JIT cannot rule out overlap
     * and leaves the loop scalar (twice as slow). Loops from 0, not from c0: C2's vector loop from a
     * variable start took 23–25 ns per 64-column row against 17 from 0 (measured alone on this machine).
     */
    private static void add(CausalSums sums, double[] runV, double[] runTV, int j, double tj, int c0, int columns) {
        float[] v = sums.v;
        int valueRow = (sums.keyRow + j) * sums.e + c0;
        for (int c = 0; c < columns; c++) {
            double value = v[valueRow + c];
            runV[c] += value;
            runTV[c] += tj * value;
        }
    }
}
