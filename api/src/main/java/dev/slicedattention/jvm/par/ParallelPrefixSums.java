package dev.slicedattention.jvm.par;

import dev.slicedattention.validation.sequential.PrefixSums;

/**
 * Stage 3 on all cores: the exclusive prefix sums A, B, C of {@link PrefixSums} as a two-pass
 * blocked scan over the sorted rows.
 *
 * <ol>
 *   <li>Each block of rows sums its U = V_π − μ, τ̂·U and τ̂ in float64 (reads only).</li>
 *   <li>The block totals are scanned in order on one thread (blocks × e numbers: tiny).</li>
 *   <li>Each block runs its float64 running sums again from its offset and writes A, B, C.</li>
 * </ol>
 *
 * Reading V twice costs less than writing the sums twice (which a fix-up pass would), and keeps one
 * rounding per stored value, as the sequential path does. The stage is memory-bound: per row it
 * gathers e floats of V from the sorted position and writes 2e + 1 floats.
 */
public final class ParallelPrefixSums {
    private static final int ROWS_PER_BLOCK = 8192;

    private ParallelPrefixSums() {}

    public static PrefixSums.Sums compute(Workers workers, float[] tau, int[] perm, float sigma, float[] values,
                                          int firstRow, int n, int e, double[] mu) {
        float[] a = new float[(n + 1) * e];
        float[] b = new float[(n + 1) * e];
        float[] c = new float[n + 1];
        int blocks = workers.chunks(n, ROWS_PER_BLOCK);
        // totals[block] = (Σ U [e], Σ τ̂U [e], Σ τ̂ [1]); after the scan, the block's starting offsets.
        double[][] totals = new double[blocks][2 * e + 1];
        workers.forEach(blocks, block -> {
            double[] sum = totals[block];
            int end = Workers.bound(n, blocks, block + 1);
            for (int k = Workers.bound(n, blocks, block); k < end; k++) {
                double scaledKey = (double) tau[k] / sigma;
                int source = (firstRow + perm[k]) * e;
                for (int col = 0; col < e; col++) {
                    double u = values[source + col] - mu[col];
                    sum[col] += u;
                    sum[e + col] += scaledKey * u;
                }
                sum[2 * e] += scaledKey;
            }
        });
        double[] running = new double[2 * e + 1];
        for (int block = 0; block < blocks; block++) {
            double[] total = totals[block];
            for (int x = 0; x < running.length; x++) {
                double blockTotal = total[x];
                total[x] = running[x];
                running[x] += blockTotal;
            }
        }
        workers.forEach(blocks, block -> {
            double[] run = totals[block].clone();
            int end = Workers.bound(n, blocks, block + 1);
            for (int k = Workers.bound(n, blocks, block); k < end; k++) {
                double scaledKey = (double) tau[k] / sigma;
                int source = (firstRow + perm[k]) * e;
                int target = (k + 1) * e;
                for (int col = 0; col < e; col++) {
                    double u = values[source + col] - mu[col];
                    run[col] += u;
                    run[e + col] += scaledKey * u;
                    a[target + col] = (float) run[col];
                    b[target + col] = (float) run[e + col];
                }
                run[2 * e] += scaledKey;
                c[k + 1] = (float) run[2 * e];
            }
        });
        return new PrefixSums.Sums(a, b, c, n, e);
    }
}
