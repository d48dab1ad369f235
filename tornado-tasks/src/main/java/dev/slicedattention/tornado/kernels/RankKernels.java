package dev.slicedattention.tornado.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Stage 4, rank: r_i = #{ j : t_j &lt; s_i }, the lower bound of s_i among the sorted keys of its head,
 * by binary search (log2 n steps, one work-item per query). Only the n real slots are searched, so
 * the padding is never counted.
 */
public final class RankKernels {
    private RankKernels() {}

    public static void ranks(FloatArray s, FloatArray keys, IntArray rank, int m, int n, int paddedN) {
        for (@Parallel int row = 0; row < s.getSize(); row++) {
            int p = row / m;
            int first = p * paddedN;
            float value = s.get(row);
            int low = 0;
            int high = n;
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (keys.get(first + mid) < value) {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
            rank.set(row, low);
        }
    }
}
