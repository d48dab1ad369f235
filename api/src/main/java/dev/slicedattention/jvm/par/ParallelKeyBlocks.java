package dev.slicedattention.jvm.par;

import dev.slicedattention.validation.sequential.PrefixSums;

/**
 * Stage 3 on all cores, in the streaming form of SPEC §2: instead of the (n+1)·(2e+1) table of
 * prefix sums A, B, C, only the value rows in sorted-key order and one row of float64 sums per block
 * of {@value #ROWS_PER_BLOCK} sorted keys. The sweep ({@link ParallelSweep}) carries running sums
 * from there to each query, so the table is never written nor read back — at n = 2^20, e = 64 that
 * was 1 GiB of traffic for the ReLU kernel and twice that for the bump's hi + lo pairs.
 *
 * <ol>
 *   <li>The value rows move into sorted order by a scatter: V is read in its own order (a stream)
 *       and row j is written to row π⁻¹(j). Random writes retire into the store buffer without
 *       stalling, where a gather's random reads wait on every miss (measured 2× at n = 2^20).</li>
 *   <li>Each block of sorted rows sums U = (V − μ)/ν, τ̂·U and τ̂ in float64 (τ̂ = τ/σ, as
 *       {@link PrefixSums}); the block totals are scanned in order on one thread (blocks × (2e+1)
 *       numbers: tiny) into each block's starting offsets.</li>
 * </ol>
 *
 * {@link #sumsAt} then gives the exact-in-float64 prefix sums A_k, B_k, C_k at any sorted position k
 * from one block offset and at most one block of rows: a sweep starts there and runs on.
 */
public final class ParallelKeyBlocks {
    /** Rows per block: the most a sweep re-reads to find its starting sums. */
    static final int ROWS_PER_BLOCK = 4096;

    private final float[] rows;
    private final float[] tau;
    private final float sigma;
    private final float nu;
    private final double inverseSigma;
    private final double inverseNu;
    private final double[] meanOverNu;
    // Separate arrays per block, not one of 2e+1, so that the column loops' loads and stores
    // visibly do not overlap (a condition for C2 to vectorise them).
    private final double[][] offsetA;
    private final double[][] offsetB;
    private final double[] offsetC;
    private double totalC;
    private final int n;
    private final int e;

    private ParallelKeyBlocks(float[] rows, float[] tau, float sigma, float nu, double[] mean, int n, int e) {
        this.rows = rows;
        this.tau = tau;
        this.sigma = sigma;
        this.nu = nu;
        this.inverseSigma = 1.0 / sigma;
        this.inverseNu = 1.0 / nu;
        this.meanOverNu = new double[e];
        for (int col = 0; mean != null && col < e; col++) {
            meanOverNu[col] = mean[col] / nu;
        }
        int blocks = (n + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK;
        this.offsetA = new double[blocks][e];
        this.offsetB = new double[blocks][e];
        this.offsetC = new double[blocks];
        this.n = n;
        this.e = e;
    }

    /**
     * The sorted rows and block offsets of one head. {@code mean} null means no centring (the bump),
     * {@code nu} is the value scale, both as in {@link PrefixSums#compute}; the rows live in
     * {@code workspace} (valid until its next use).
     */
    public static ParallelKeyBlocks compute(Workers workers, float[] tau, int[] perm, float sigma, float[] values,
                                            int firstRow, int n, int e, double[] mean, float nu, Workspace workspace) {
        return compute(workers, tau, perm, sigma, InputRows.of(values, e), firstRow, n, mean, nu, workspace);
    }

    /** The same for values on the heap or off it (read in their own order, a block of rows at a time). */
    public static ParallelKeyBlocks compute(Workers workers, float[] tau, int[] perm, float sigma, InputRows values,
                                            int firstRow, int n, double[] mean, float nu, Workspace workspace) {
        float[] rows = sortedRows(workers, perm, values, firstRow, n, workspace);
        ParallelKeyBlocks keys = new ParallelKeyBlocks(rows, tau, sigma, nu, mean, n, values.cols());
        keys.sumBlocks(workers);
        return keys;
    }

    /**
     * The value rows firstRow + perm[k] in sorted order k = 0 … n − 1, by the scatter of step 1 (V read
     * as a stream, row j written to row π⁻¹(j)); into {@code workspace}'s sorted rows, valid until their next use.
     */
    static float[] sortedRows(Workers workers, int[] perm, InputRows values, int firstRow, int n, Workspace workspace) {
        int e = values.cols();
        float[] rows = workspace.sortedRows(n * e);
        int[] inverse = workspace.inverse(n);
        workers.forRange(n, 8192, (from, to) -> {
            for (int k = from; k < to; k++) {
                inverse[perm[k]] = k;
            }
        });
        workers.forRange(n, 8192, (from, to) -> {
            InputRows.Window window = values.window();
            for (int block = from; block < to; block += values.blockRows()) {
                int end = Math.min(to, block + values.blockRows());
                int at = window.load(firstRow + block, firstRow + end);
                float[] source = window.array();
                for (int j = block; j < end; j++, at += e) {
                    System.arraycopy(source, at, rows, inverse[j] * e, e);
                }
            }
        });
        return rows;
    }

    /** Each block's totals on all cores, then, in order on one thread, each block's starting offsets. */
    private void sumBlocks(Workers workers) {
        int blocks = offsetC.length;
        workers.forEach(blocks, block -> {
            int start = block * ROWS_PER_BLOCK;
            offsetC[block] = addRows(start, Math.min(n, start + ROWS_PER_BLOCK), offsetA[block], offsetB[block]);
        });
        double[] runA = new double[e], runB = new double[e];
        double runC = 0.0;
        for (int block = 0; block < blocks; block++) {
            for (int col = 0; col < e; col++) {
                double blockA = offsetA[block][col], blockB = offsetB[block][col];
                offsetA[block][col] = runA[col];
                offsetB[block][col] = runB[col];
                runA[col] += blockA;
                runB[col] += blockB;
            }
            double blockC = offsetC[block];
            offsetC[block] = runC;
            runC += blockC;
        }
        totalC = runC;
    }

    /**
     * Adds U_k to {@code a} and τ̂_k·U_k to {@code b} for the sorted keys k in [from, to) and returns
     * Σ τ̂_k: the step a sweep takes as keys pass a pointer. U_k = V/ν − μ/ν as {@link PrefixSums#unit};
     * σ and ν are powers of two, so multiplying by their inverses is the same exact division.
     */
    double addRows(int from, int to, double[] a, double[] b) {
        double c = 0.0;
        for (int k = from; k < to; k++) {
            double scaledKey = tau[k] * inverseSigma;
            int row = k * e;
            for (int col = 0; col < e; col++) {
                double u = rows[row + col] * inverseNu - meanOverNu[col];
                a[col] += u;
                b[col] += scaledKey * u;
            }
            c += scaledKey;
        }
        return c;
    }

    /** The inverse of {@link #addRows}: keys leaving a window. */
    void removeRows(int from, int to, double[] a, double[] b) {
        for (int k = from; k < to; k++) {
            double scaledKey = tau[k] * inverseSigma;
            int row = k * e;
            for (int col = 0; col < e; col++) {
                double u = rows[row + col] * inverseNu - meanOverNu[col];
                a[col] -= u;
                b[col] -= scaledKey * u;
            }
        }
    }

    /** Keys passing from one window ({@code fromA}, {@code fromB}) into the next, in one read of their rows. */
    void moveRows(int from, int to, double[] fromA, double[] fromB, double[] toA, double[] toB) {
        for (int k = from; k < to; k++) {
            double scaledKey = tau[k] * inverseSigma;
            int row = k * e;
            for (int col = 0; col < e; col++) {
                double u = rows[row + col] * inverseNu - meanOverNu[col];
                double weighted = scaledKey * u;
                fromA[col] -= u;
                fromB[col] -= weighted;
                toA[col] += u;
                toB[col] += weighted;
            }
        }
    }

    /** Sets {@code a}, {@code b} to A_k, B_k and returns C_k (SPEC §2's exclusive prefix sums, float64). */
    double sumsAt(int k, double[] a, double[] b) {
        int block = Math.min(k / ROWS_PER_BLOCK, offsetC.length - 1);
        System.arraycopy(offsetA[block], 0, a, 0, e);
        System.arraycopy(offsetB[block], 0, b, 0, e);
        return offsetC[block] + addRows(block * ROWS_PER_BLOCK, k, a, b);
    }

    /** C_n = Σ τ̂ over all keys. */
    double totalC() {
        return totalC;
    }

    int n() {
        return n;
    }

    int e() {
        return e;
    }

    float sigma() {
        return sigma;
    }

    float nu() {
        return nu;
    }
}
