package dev.slicedattention.jvm.par;

/**
 * {@link OutputRows} for the float64 accumulators of causal mode: rows of queries taken in sorted
 * order (a range of columns of each, and the ReLU's D), which belong at scattered places of
 * {@link CausalSums}, are computed into a buffer of {@value #ROWS} rows and then copied out together.
 * Why: as for the output rows, stores that miss the cache stall the arithmetic between them when
 * they come one by one; in a burst they overlap.
 */
final class AccumulatorRows {
    private static final int ROWS = 64;

    private final double[] a, d;
    private final int e, c0, columns;
    private final double[] buffer;
    private final double[] scalars = new double[ROWS];
    private final int[] queries = new int[ROWS];
    private int filled;

    /** Rows go to a[i·e + c0, i·e + c1) and, where {@code d} is not null, scalars to d[i]. */
    AccumulatorRows(double[] a, double[] d, int e, int c0, int c1) {
        this.a = a;
        this.d = d;
        this.e = e;
        this.c0 = c0;
        this.columns = c1 - c0;
        this.buffer = new double[ROWS * columns];
    }

    /**
     * Query i's row (the columns [c0, c1) as row[0, c1 − c0)) and, for the ReLU, its D. Copied into the
     * buffer: folding straight into it at an offset would leave C2's loops scalar (CausalMergeWalk).
     */
    void put(int i, double[] row, double scalar) {
        if (filled == ROWS) {
            flush();
        }
        queries[filled] = i;
        scalars[filled] = scalar;
        System.arraycopy(row, 0, buffer, columns * filled++, columns);
    }

    /** Copies the reserved rows to their places (they overwrite: the sweep runs first); call once more after the last row. */
    void flush() {
        for (int row = 0; row < filled; row++) {
            System.arraycopy(buffer, row * columns, a, queries[row] * e + c0, columns);
        }
        if (d != null) {
            for (int row = 0; row < filled; row++) {
                d[queries[row]] = scalars[row];
            }
        }
        filled = 0;
    }
}
