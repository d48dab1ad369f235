package dev.slicedattention.tornado.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Stage 5, combine (SPEC §2 in the scaled units ŝ = s/σ): one work-item per (query, value column),
 *
 * <pre>
 *   N = ŝ·A_r − B_r,   Z = ŝ·(2r − n) + C_n − 2·C_r,   O = N / Z   (0 where Z ≤ 0: every key equals s)
 * </pre>
 *
 * with A, B, C read from the scanned rows [A (e) | B (e) | C]. ŝ is clamped to ±2^40 like the
 * sequential {@code Combine}: beyond that r is 0 or n, the clamp changes O by at most 2^-40 of the
 * value scale, and without it ŝ·A could overflow and give NaN from finite input.
 */
public final class CombineKernels {
    public static final float QUERY_CLAMP = 0x1p40f;

    private CombineKernels() {}

    public static void combine(FloatArray s, IntArray rank, FloatArray sigma, FloatArray sums, FloatArray out,
                               int m, int n, int e) {
        int width = 2 * e + 1;
        int queries = s.getSize();
        // The value column is the first parallel dimension: neighbouring work-items read neighbouring
        // columns of the same prefix row and write neighbouring outputs (1.5x faster on PoCL than row first).
        for (@Parallel int c = 0; c < e; c++) {
            for (@Parallel int row = 0; row < queries; row++) {
                int p = row / m;
                int r = rank.get(row);
                float scaled = Math.max(-QUERY_CLAMP, Math.min(QUERY_CLAMP, s.get(row) / sigma.get(p)));
                int at = (p * (n + 1) + r) * width;
                float total = sums.get((p * (n + 1) + n) * width + 2 * e);
                float z = scaled * (2 * r - n) + (total - 2.0f * sums.get(at + 2 * e));
                float numerator = scaled * sums.get(at + c) - sums.get(at + e + c);
                float value = 0.0f;
                if (z > 0.0f) {
                    value = numerator / z;
                }
                out.set(row * e + c, value);
            }
        }
    }
}
