package dev.slicedattention.tornado.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Stage 4, rank, by binary search (log2 n steps, one work-item per query). Only the L_p real keys
 * of problem p are searched ({@code lengths}[p]; they sort first), so the padding is never counted.
 *
 * <ul>
 *   <li>ReLU ({@link #ranks}): r_i = #{ j : t_j &lt; s_i }, the lower bound of s_i.</li>
 *   <li>Bump ({@link #windows}): the window of keys within b_p of s_i, split at s_i:
 *       l_i = #{ t_j &lt; s_i − b }, r_i = #{ t_j &lt; s_i }, h_i = #{ t_j ≤ s_i + b }.</li>
 * </ul>
 *
 * The searches are plain loops with a one-comparison condition (no {@code &&}: see
 * {@link BitonicSortKernels#order}).
 */
public final class RankKernels {
    private RankKernels() {}

    public static void ranks(FloatArray s, FloatArray keys, IntArray lengths, IntArray rank, int m, int paddedN) {
        for (@Parallel int row = 0; row < s.getSize(); row++) {
            int p = row / m;
            rank.set(row, lowerBound(keys, p * paddedN, lengths.get(p), s.get(row)));
        }
    }

    /**
     * windows[3·row .. 3·row + 2] = (l, r, h) of query row, with b_p from {@code factors} =
     * [ν | 1/ν | b]. The window's ends s ± b are rounded to float32 (the sequential twin forms them in
     * float64): a key that the rounding moves across an end lies within half an ulp of s of it, where
     * its weight 1 − |s − t|/b is at most ulp(s)/(2b), so the result moves by as little.
     */
    public static void windows(FloatArray s, FloatArray keys, IntArray lengths, FloatArray factors, IntArray windows,
                               int m, int paddedN) {
        int heads = lengths.getSize() / 2;
        for (@Parallel int row = 0; row < s.getSize(); row++) {
            int p = row / m;
            int first = p * paddedN;
            int count = lengths.get(p);
            float value = s.get(row);
            float bandwidth = factors.get(2 * heads + p);
            windows.set(3 * row, lowerBound(keys, first, count, value - bandwidth));
            windows.set(3 * row + 1, lowerBound(keys, first, count, value));
            windows.set(3 * row + 2, upperBound(keys, first, count, value + bandwidth));
        }
    }

    /** #{ k &lt; count : keys[first + k] &lt; value }, the keys being sorted. */
    public static int lowerBound(FloatArray keys, int first, int count, float value) {
        int low = 0;
        int high = count;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (keys.get(first + mid) < value) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /** #{ k &lt; count : keys[first + k] ≤ value }. */
    public static int upperBound(FloatArray keys, int first, int count, float value) {
        int low = 0;
        int high = count;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (keys.get(first + mid) <= value) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }
}
