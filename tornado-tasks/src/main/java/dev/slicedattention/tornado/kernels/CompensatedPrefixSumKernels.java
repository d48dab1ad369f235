package dev.slicedattention.tornado.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Stage 3 for the bump kernel: the blocked scan of {@link PrefixSumKernels} (same three phases, same
 * layout, same BLOCK, in place), with every running sum carried as an unevaluated pair hi + lo of
 * floats (float-float, about 48 bits of mantissa) and both halves written: the table holds hi (over
 * the gathered rows), sumsLow lo.
 *
 * <p>Why: the bump reads window sums A_h − A_l and (B_h − B_l)/b̂, differences of two long
 * prefixes that the combine multiplies by up to |s|/b. A float32 prefix carries an absolute error
 * of at least half an ulp of |A|, which the difference keeps whatever the window: measured by the
 * sequential path, 1.1e-5 relative at n = 2^20, b = 1, and 2.6e-4 at b = 0.1, with prefixes that
 * are exact before their one rounding; a float32 scan adds its own rounding on top. With hi + lo
 * the prefix is good to about 2^-48 of its size, and the window sum's error becomes that of its
 * own terms.
 *
 * <p>The trick: TwoSum (Knuth). For floats a, x with t = a + x rounded, z = t − a,
 * err = (a − (t − z)) + (x − z) is exactly the rounding error, a + x = t + err. The running pair
 * (hi, lo) absorbs x as (t, err) = TwoSum(hi, x); lo += err; then Fast2Sum renormalises
 * (hi = t + lo, lo = lo − (hi − t), valid as |t| ≥ |lo|).
 *
 * <p><b>Compiler flags.</b> These identities hold only if every operation is rounded as written.
 * TornadoVM's default OpenCL flags {@code -cl-mad-enable -cl-fast-relaxed-math} allow the OpenCL
 * compiler to reassociate, and it then simplifies (a − (t − z)) + (x − z) to 0: measured on PoCL,
 * a 4096-term compensated sum came out with float32's error (3.5e-7) under the default flags and
 * 1.5e-13 with {@code -w} alone. The generated OpenCL C keeps every operation either way (Graal
 * does not reassociate floats); it is the OpenCL compiler that must not. So the graph that runs
 * these kernels is built with the flags of {@code ForwardPlan.EXACT_OPENCL_FLAGS}.
 */
public final class CompensatedPrefixSumKernels {
    private CompensatedPrefixSumKernels() {}

    /**
     * totals[(p·blocks + b)·w + col] (hi) and totalsLow (lo) = Σ of the rows of block b of head p (table
     * rows p·(n + 1) + k). The CPU layout: the column outer (see PrefixSumKernels for the layouts).
     */
    public static void compensatedTotals(FloatArray table, FloatArray totals, FloatArray totalsLow, int n, int blocks, int width) {
        int slots = totals.getSize() / width;
        for (@Parallel int col = 0; col < width; col++) {
            for (@Parallel int pb = 0; pb < slots; pb++) {
                compensatedTotal(table, totals, totalsLow, n, blocks, width, col, pb);
            }
        }
    }

    /** As {@link #compensatedTotals}, the column the inner loop: the GPU layout of the PTX backend. */
    public static void compensatedTotalsColumnInner(FloatArray table, FloatArray totals, FloatArray totalsLow, int n, int blocks,
                                                    int width) {
        int slots = totals.getSize() / width;
        for (@Parallel int pb = 0; pb < slots; pb++) {
            for (@Parallel int col = 0; col < width; col++) {
                compensatedTotal(table, totals, totalsLow, n, blocks, width, col, pb);
            }
        }
    }

    /** One work-item of {@link #compensatedTotals}: column col of block slot pb. */
    private static void compensatedTotal(FloatArray table, FloatArray totals, FloatArray totalsLow, int n, int blocks, int width,
                                         int col, int pb) {
        int p = pb / blocks;
        int b = pb - p * blocks;
        int start = b * PrefixSumKernels.BLOCK;
        int end = Math.min(n, start + PrefixSumKernels.BLOCK);
        float hi = 0.0f;
        float lo = 0.0f;
        for (int k = start; k < end; k++) {
            float x = table.get((p * (n + 1) + k) * width + col);
            float t = hi + x;
            float z = t - hi;
            lo += (hi - (t - z)) + (x - z);
            hi = t;
        }
        float sum = hi + lo;
        totals.set(pb * width + col, sum);
        totalsLow.set(pb * width + col, lo - (sum - hi));
    }

    /**
     * In place: the block totals become exclusive offsets, per (head, column), one float-float
     * running sum over the blocks (its error, about 2^-48 per step, needs no second level).
     */
    public static void compensatedOffsets(FloatArray totals, FloatArray totalsLow, int heads, int blocks, int width) {
        for (@Parallel int col = 0; col < width; col++) {
            for (@Parallel int p = 0; p < heads; p++) {
                float hi = 0.0f;
                float lo = 0.0f;
                for (int b = 0; b < blocks; b++) {
                    int at = (p * blocks + b) * width + col;
                    float xHi = totals.get(at);
                    float xLo = totalsLow.get(at);
                    totals.set(at, hi);
                    totalsLow.set(at, lo);
                    // (hi, lo) + (xHi, xLo): TwoSum of the high parts, the low parts added to its error.
                    float t = hi + xHi;
                    float z = t - hi;
                    float err = (hi - (t - z)) + (xHi - z) + (lo + xLo);
                    hi = t + err;
                    lo = err - (hi - t);
                }
            }
        }
    }

    /**
     * In place: table[(p·(n+1) + k)·w + col] (hi) and sumsLow (lo) = offset of k's block + Σ of the
     * block's rows before k; the last block also writes row n. Each row is read before it is overwritten.
     * The CPU layout: the column outer.
     */
    public static void compensatedAddBack(FloatArray table, FloatArray offsets, FloatArray offsetsLow, FloatArray sumsLow,
                                          int n, int blocks, int width) {
        int slots = offsets.getSize() / width;
        for (@Parallel int col = 0; col < width; col++) {
            for (@Parallel int pb = 0; pb < slots; pb++) {
                compensatedAddBackBlock(table, offsets, offsetsLow, sumsLow, n, blocks, width, col, pb);
            }
        }
    }

    /** As {@link #compensatedAddBack}, the column the inner loop: the GPU layout of the PTX backend. */
    public static void compensatedAddBackColumnInner(FloatArray table, FloatArray offsets, FloatArray offsetsLow, FloatArray sumsLow,
                                                     int n, int blocks, int width) {
        int slots = offsets.getSize() / width;
        for (@Parallel int pb = 0; pb < slots; pb++) {
            for (@Parallel int col = 0; col < width; col++) {
                compensatedAddBackBlock(table, offsets, offsetsLow, sumsLow, n, blocks, width, col, pb);
            }
        }
    }

    /** One work-item of {@link #compensatedAddBack}: column col of block slot pb. */
    private static void compensatedAddBackBlock(FloatArray table, FloatArray offsets, FloatArray offsetsLow, FloatArray sumsLow,
                                                int n, int blocks, int width, int col, int pb) {
        int p = pb / blocks;
        int b = pb - p * blocks;
        int start = b * PrefixSumKernels.BLOCK;
        int end = Math.min(n, start + PrefixSumKernels.BLOCK);
        float hi = offsets.get(pb * width + col);
        float lo = offsetsLow.get(pb * width + col);
        for (int k = start; k < end; k++) {
            int at = (p * (n + 1) + k) * width + col;
            float x = table.get(at);
            table.set(at, hi);
            sumsLow.set(at, lo);
            float t = hi + x;
            float z = t - hi;
            float err = (hi - (t - z)) + (x - z) + lo;
            hi = t + err;
            lo = err - (hi - t);
        }
        if (end == n) {
            int at = (p * (n + 1) + n) * width + col;
            table.set(at, hi);
            sumsLow.set(at, lo);
        }
    }
}
