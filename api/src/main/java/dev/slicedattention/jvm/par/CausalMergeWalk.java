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

    /**
     * Keys keys[lo, mid) on queries queries[from, to), both runs ascending, for the columns [c0, c1) of
     * V; with {@code scalars} also the ReLU's D (one part of a split walk adds it).
     */
    static void cross(CausalSums sums, int[] keys, float[] keyT, int lo, int mid, int[] queries, float[] queryS, int from, int to,
            int c0, int c1, boolean scalars) {
        if (sums.bump) {
            crossBump(sums, keys, keyT, lo, mid, queries, queryS, from, to, c0, c1);
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
     * their limit, the last those at most its limit), whose running sums give the window's two linear
     * pieces, under·ΣV + ΣtV/b below s and over·ΣV − ΣtV/b above it.
     */
    private static void crossBump(CausalSums sums, int[] keys, float[] keyT, int lo, int mid, int[] queries, float[] queryS, int from, int to,
            int c0, int c1) {
        int e = sums.e, columns = c1 - c0;
        double width = sums.width, inverseWidth = 1.0 / width;
        double[] a = sums.a;
        // ΣV and ΣtV below each pointer, for the columns [c0, c1) at indices 0 .. columns − 1 (see add).
        double[] lowV = new double[columns], lowTV = new double[columns], centreV = new double[columns], centreTV = new double[columns];
        double[] highV = new double[columns], highTV = new double[columns], row = new double[columns];
        int l = lo, r = lo, h = lo;
        for (int q = from; q < to; q++) {
            int i = queries[q];
            if (i >= sums.m) {
                break;
            }
            double si = queryS[q];
            for (double limit = si - width; l < mid && keyT[l] < limit; l++) {
                add(sums, lowV, lowTV, keys[l], keyT[l], c0, columns);
            }
            for (; r < mid && keyT[r] < si; r++) {
                add(sums, centreV, centreTV, keys[r], keyT[r], c0, columns);
            }
            for (double limit = si + width; h < mid && keyT[h] <= limit; h++) {
                add(sums, highV, highTV, keys[h], keyT[h], c0, columns);
            }
            // Times 1/b, not divided by b: divisions in the column loop cost more than the rest of it.
            double ratio = si * inverseWidth, under = 1.0 - ratio, over = 1.0 + ratio;
            int at = i * e + c0;
            System.arraycopy(a, at, row, 0, columns);
            for (int c = 0; c < columns; c++) {
                row[c] += under * (centreV[c] - lowV[c]) + (centreTV[c] - lowTV[c]) * inverseWidth
                        + over * (highV[c] - centreV[c]) - (highTV[c] - centreTV[c]) * inverseWidth;
            }
            System.arraycopy(row, 0, a, at, columns);
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
