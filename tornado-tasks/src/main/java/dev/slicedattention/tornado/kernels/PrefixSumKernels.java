package dev.slicedattention.tornado.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Stage 3, exclusive prefix sums of every column of the gathered rows, per head, in place: a
 * three-phase blocked scan of the table that {@link GatherKernels} filled. The table has n + 1 rows
 * per head; rows 0..n−1 come in as the gathered rows and leave as their exclusive prefix sums,
 * table[k] = Σ_{l&lt;k} rows[l], and row n (not read) leaves as the total.
 *
 * <ol>
 *   <li>{@link #blockTotals}: the sum of each block of {@link #BLOCK} rows, per column;</li>
 *   <li>{@link #blockOffsets}: the exclusive scan of those totals, per (head, column), itself in
 *       chunks of {@link #OFFSET_CHUNK} so that it is two-level too;</li>
 *   <li>{@link #addBack}: each block re-scans its rows starting from its offset.</li>
 * </ol>
 *
 * Why blocked: a float32 running sum over n rows accumulates rounding error in proportion to n; here
 * every output is a sum along a path of at most BLOCK + n/(BLOCK·OFFSET_CHUNK) + OFFSET_CHUNK
 * partial sums, so the error stays near the float32 rounding of the result (relative error 3e-5 at
 * n = 2^20 against float64). Why in place: a second table of (n + 1)·(2e + 1) floats for the sums
 * was 541 MB of device memory at n = 2^20, e = 64 — on a CPU device, resident host memory — and each
 * work-item of {@link #addBack} reads a row before it writes it, within its own block and column. The column is the first parallel dimension, so neighbouring work-items
 * read neighbouring columns of the same row (contiguous addresses) in OpenCL C, where the outer loop is
 * dimension 0; on the PoCL CPU device this layout measured 160 ms against 1.2 s for one work-item per
 * column over all rows. TornadoVM's PTX backend gives the inner loop to x instead, so the GPU layout
 * ({@link #blockTotalsColumnInner}, {@link #addBackColumnInner}) has the column as the inner loop.
 */
public final class PrefixSumKernels {
    /** Rows per block. */
    public static final int BLOCK = 256;
    /** Blocks per chunk of the offset scan. */
    public static final int OFFSET_CHUNK = 64;

    private PrefixSumKernels() {}

    /** totals[(p·blocks + b)·w + col] = Σ of rows b·BLOCK .. of head p (table rows p·(n + 1) + k). The CPU layout: the column outer. */
    public static void blockTotals(FloatArray table, FloatArray totals, int n, int blocks, int width) {
        int slots = totals.getSize() / width;
        for (@Parallel int col = 0; col < width; col++) {
            for (@Parallel int pb = 0; pb < slots; pb++) {
                blockTotal(table, totals, n, blocks, width, col, pb);
            }
        }
    }

    /**
     * As {@link #blockTotals} with the column as the inner {@code @Parallel} loop: the GPU layout of the
     * PTX backend, which makes the inner loop the warp's dimension (x), so that a warp reads 32
     * neighbouring floats of a row (ColumnLayout in the graphs package chooses).
     */
    public static void blockTotalsColumnInner(FloatArray table, FloatArray totals, int n, int blocks, int width) {
        int slots = totals.getSize() / width;
        for (@Parallel int pb = 0; pb < slots; pb++) {
            for (@Parallel int col = 0; col < width; col++) {
                blockTotal(table, totals, n, blocks, width, col, pb);
            }
        }
    }

    /** One work-item of {@link #blockTotals}: column col of block slot pb = p·blocks + b. */
    private static void blockTotal(FloatArray table, FloatArray totals, int n, int blocks, int width, int col, int pb) {
        int p = pb / blocks;
        int b = pb - p * blocks;
        int start = b * BLOCK;
        int end = Math.min(n, start + BLOCK);
        float sum = 0.0f;
        for (int k = start; k < end; k++) {
            sum += table.get((p * (n + 1) + k) * width + col);
        }
        totals.set(pb * width + col, sum);
    }

    /** In place: totals become exclusive offsets, per (head, column), in two levels. */
    public static void blockOffsets(FloatArray totals, int heads, int blocks, int width) {
        for (@Parallel int col = 0; col < width; col++) {
            for (@Parallel int p = 0; p < heads; p++) {
                float chunkBase = 0.0f;
                for (int start = 0; start < blocks; start += OFFSET_CHUNK) {
                    int end = Math.min(blocks, start + OFFSET_CHUNK);
                    float running = 0.0f;
                    for (int b = start; b < end; b++) {
                        int at = (p * blocks + b) * width + col;
                        float value = totals.get(at);
                        totals.set(at, chunkBase + running);
                        running += value;
                    }
                    chunkBase += running;
                }
            }
        }
    }

    /**
     * In place: table[(p·(n+1) + k)·w + col] = offset of k's block + Σ of the block's rows before k;
     * the last block also writes row n. Each row is read before it is overwritten. The CPU layout: the column outer.
     */
    public static void addBack(FloatArray table, FloatArray offsets, int n, int blocks, int width) {
        int slots = offsets.getSize() / width;
        for (@Parallel int col = 0; col < width; col++) {
            for (@Parallel int pb = 0; pb < slots; pb++) {
                addBackBlock(table, offsets, n, blocks, width, col, pb);
            }
        }
    }

    /** As {@link #addBack}, the column the inner loop: the GPU layout (see {@link #blockTotalsColumnInner}). */
    public static void addBackColumnInner(FloatArray table, FloatArray offsets, int n, int blocks, int width) {
        int slots = offsets.getSize() / width;
        for (@Parallel int pb = 0; pb < slots; pb++) {
            for (@Parallel int col = 0; col < width; col++) {
                addBackBlock(table, offsets, n, blocks, width, col, pb);
            }
        }
    }

    /** One work-item of {@link #addBack}: column col of block slot pb. */
    private static void addBackBlock(FloatArray table, FloatArray offsets, int n, int blocks, int width, int col, int pb) {
        int p = pb / blocks;
        int b = pb - p * blocks;
        int start = b * BLOCK;
        int end = Math.min(n, start + BLOCK);
        float running = 0.0f;
        float base = offsets.get(pb * width + col);
        for (int k = start; k < end; k++) {
            int at = (p * (n + 1) + k) * width + col;
            float row = table.get(at);
            table.set(at, base + running);
            running += row;
        }
        if (end == n) {
            table.set((p * (n + 1) + n) * width + col, base + running);
        }
    }
}
