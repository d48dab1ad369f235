package dev.slicedattention.jvm.par;

import dev.slicedattention.validation.sequential.Combine;

/**
 * Stage 5 on all cores, in the streaming form of SPEC §2 ("sort keys and queries together and run
 * one scan over the merged order; a query's prefix sums are then the running sums where it stands").
 *
 * <p>The queries are already in ascending order with their ranks ({@link ParallelRanks#ranks}).
 * Each thread takes a run of them, finds the float64 sums at its first query from a block offset
 * ({@link ParallelKeyBlocks#sumsAt}), then walks: keys passed by the query's rank are added to the
 * running sums, read from the sorted rows as a stream, and each query's output row is computed from
 * the running sums where it stands, into a batch of rows that goes out to the rows' scattered
 * places together ({@link OutputRows}). Nothing is stored per key: at 2^20 × 64 this replaces writing and
 * re-reading the (n+1)·(2e+1) table by one sequential read of the sorted rows.
 *
 * <p>The bump keeps two windows, keys within b below the query ([l, r)) and above it ([r, h)), as
 * float64 sums that keys enter (h passes them), cross (r) and leave (l). A window sum kept this way
 * stays of the window's own size, so a narrow window keeps its digits, where the difference of two
 * long prefix sums loses them (the reason the table form stores the bump's prefixes as hi + lo pairs).
 */
public final class ParallelSweep {
    private static final int QUERIES_PER_RUN = 4096;

    private ParallelSweep() {}

    /** The ReLU kernel: {@link Combine#combineRow}'s formula on running sums. */
    public static void relu(Workers workers, ParallelRanks.SortedRanks ranks,
                            ParallelKeyBlocks keys, float[] out, int outOffset) {
        int n = keys.n(), e = keys.e();
        double inverseSigma = 1.0 / keys.sigma(), total = keys.totalC(), nu = keys.nu();
        int[] order = ranks.order(), rank = ranks.rank();
        float[] value = ranks.value();
        workers.forRange(order.length, QUERIES_PER_RUN, (from, to) -> {
            double[] a = new double[e], b = new double[e];
            int r = rank[from];
            double c = keys.sumsAt(r, a, b);
            OutputRows rows = new OutputRows(out, e);
            float[] buffer = rows.buffer();
            for (int k = from; k < to; k++) {
                c += keys.addRows(r, rank[k], a, b);
                r = rank[k];
                double scaled = Math.max(-Combine.QUERY_CLAMP, Math.min(Combine.QUERY_CLAMP, value[k] * inverseSigma));
                double z = scaled * (2L * r - n) + total - 2.0 * c;
                int at = rows.next(outOffset + order[k] * e);
                if (z > 0.0) {
                    double factor = 2.0 * nu / z;
                    for (int col = 0; col < e; col++) {
                        buffer[at + col] = (float) ((scaled * a[col] - b[col]) * factor);
                    }
                } else {
                    java.util.Arrays.fill(buffer, at, at + e, 0.0f);
                }
            }
            rows.flush();
        });
    }

    /** The bump kernel: {@link Combine#bumpRow}'s formula on the two window sums. */
    public static void bump(Workers workers, ParallelRanks.SortedRanks ranks,
                            ParallelKeyBlocks keys, float bandwidth, float[] out, int outOffset) {
        int e = keys.e();
        double inverseWidth = keys.sigma() / (double) bandwidth;    // 1/b̂
        double scale = (double) keys.nu() / keys.n();
        int[] order = ranks.order(), rank = ranks.rank(), low = ranks.low(), high = ranks.high();
        float[] value = ranks.value();
        workers.forRange(order.length, QUERIES_PER_RUN, (from, to) -> {
            double[] belowA = new double[e], belowB = new double[e], aboveA = new double[e], aboveB = new double[e];
            double[] atA = new double[e], atB = new double[e];
            int l = low[from], r = rank[from], h = high[from];
            // Window sums at the run's first query: differences of float64 prefix sums.
            keys.sumsAt(l, atA, atB);
            keys.sumsAt(r, belowA, belowB);
            keys.sumsAt(h, aboveA, aboveB);
            for (int col = 0; col < e; col++) {
                aboveA[col] -= belowA[col];
                aboveB[col] -= belowB[col];
                belowA[col] -= atA[col];
                belowB[col] -= atB[col];
            }
            OutputRows rows = new OutputRows(out, e);
            float[] buffer = rows.buffer();
            for (int k = from; k < to; k++) {
                // Each pointer only moves up: enter above, cross to below, leave below.
                keys.addRows(h, high[k], aboveA, aboveB);
                h = high[k];
                keys.moveRows(r, rank[k], aboveA, aboveB, belowA, belowB);
                r = rank[k];
                keys.removeRows(l, low[k], belowA, belowB);
                l = low[k];
                double ratio = (double) value[k] / bandwidth;       // ŝ/b̂ = s/b
                double below = 1.0 - ratio, above = 1.0 + ratio;
                int at = rows.next(outOffset + order[k] * e);
                for (int col = 0; col < e; col++) {
                    double sum = below * belowA[col] + belowB[col] * inverseWidth
                            + above * aboveA[col] - aboveB[col] * inverseWidth;
                    buffer[at + col] = (float) (sum * scale);
                }
            }
            rows.flush();
        });
    }
}
