package dev.slicedattention.tornado.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Stage 5, combine (SPEC §2 in the scaled units ŝ = s/σ, b̂ = b/σ, U = V/ν), one work-item per
 * (query, value column); L = L_p keys and M = M_p queries of the query's problem ({@code lengths} =
 * [L | M], P values each), ν and b from {@code factors} = [ν | 1/ν | b].
 *
 * <pre>
 *   ReLU  N = ŝ·A_r − B_r − δ·(ŝ·r − C_r),   Z = ŝ·(2r − L) + C_L − 2·C_r,   O = 2·ν·N / Z   (0 where Z ≤ 0: every key equals s)
 *   bump  below = (1 − s/b)(A_r − A_l) + (B_r − B_l)/b̂
 *         above = (1 + s/b)(A_h − A_r) − (B_h − B_r)/b̂,   O = ν·(below + above)/L
 * </pre>
 *
 * Query rows i ≥ M output 0. The factor 2 is the authors' ({@code context = 2*context / norm}).
 *
 * <p>δ = A_L / L ({@link #residualMeans}) re-centres the ReLU: the gather subtracted μ̂, the
 * float32 rounding of μ/ν, and A_L = Σ_j (V_j/ν − μ̂) = L·(μ/ν − μ̂) is exactly what that rounding
 * left over, so −δ·Σ_{j&lt;r}(ŝ − τ̂_j) = −δ·(ŝ·r − C_r) makes N the numerator centred by the exact
 * mean. Without it the output errs by about an ulp of μ/ν, which is much more than an ulp of the
 * output when V has an offset large against its spread (measured: 2.3e-5 relative for V = 3 ± 0.5
 * at n = 300), and at n = 2^20 on Gaussian data the relative error drops from 6.5e-6 to 9e-7.
 * The multiplication by ν comes last: everything before it is of the order of |V/ν| &lt; 2, so only
 * a result that float32 cannot hold can become ±∞ (and the API refuses it).
 */
public final class CombineKernels {
    /**
     * ŝ is clamped to ±2^40 like the sequential {@code Combine}: beyond that r is 0 or L, the clamp
     * changes O by at most 2^-40 of the value scale, and without it ŝ·A could overflow and give NaN
     * from finite input.
     */
    public static final float QUERY_CLAMP = 0x1p40f;

    private CombineKernels() {}

    /**
     * shift[p·e + c] = δ = A_L / L of column c of problem p (see the class comment): once per
     * (problem, column) here rather than a division per output in {@link #combine}.
     */
    public static void residualMeans(FloatArray sums, IntArray lengths, FloatArray shift, int n, int e) {
        int width = 2 * e + 1;
        for (@Parallel int slot = 0; slot < shift.getSize(); slot++) {
            int p = slot / e;
            int c = slot - p * e;
            int keys = lengths.get(p);
            shift.set(slot, sums.get((p * (n + 1) + keys) * width + c) / keys);
        }
    }

    public static void combine(FloatArray s, IntArray rank, FloatArray sigma, FloatArray sums, FloatArray shift, IntArray lengths,
                               FloatArray factors, FloatArray out, int m, int n, int e) {
        int width = 2 * e + 1;
        int queries = s.getSize();
        int heads = sigma.getSize();
        // The value column is the first parallel dimension: neighbouring work-items read neighbouring
        // columns of the same prefix row and write neighbouring outputs (1.5x faster on PoCL than row first).
        for (@Parallel int c = 0; c < e; c++) {
            for (@Parallel int row = 0; row < queries; row++) {
                int p = row / m;
                int keys = lengths.get(p);
                int r = rank.get(row);
                float scaled = Math.max(-QUERY_CLAMP, Math.min(QUERY_CLAMP, s.get(row) / sigma.get(p)));
                int at = (p * (n + 1) + r) * width;
                int last = (p * (n + 1) + keys) * width;
                float keysBelow = sums.get(at + 2 * e);
                float z = scaled * (2 * r - keys) + (sums.get(last + 2 * e) - 2.0f * keysBelow);
                float numerator = scaled * sums.get(at + c) - sums.get(at + e + c) - shift.get(p * e + c) * (scaled * r - keysBelow);
                float value = 0.0f;
                if (z > 0.0f) {
                    value = numerator / z * (2.0f * factors.get(p));
                }
                // A second simple test rather than `z > 0 && i < M` (see BitonicSortKernels#order).
                if (row - p * m >= lengths.get(heads + p)) {
                    value = 0.0f;
                }
                out.set(row * e + c, value);
            }
        }
    }

    /**
     * The bump, from the window (l, r, h) of {@link RankKernels#windows} and the float-float prefix
     * sums of {@link CompensatedPrefixSumKernels} (hi in {@code sums}, lo in {@code sumsLow}, rows
     * [A (e) | B (e)]). Each window difference is taken half by half, (hi_r − hi_l) + (lo_r − lo_l),
     * so it keeps the prefixes' 48 bits rather than float32's 24: its error is then a float32
     * rounding of the window's own sum, not of the prefix's. An empty side (l = r or r = h) is
     * skipped rather than multiplied: a query far outside the keys may have |s/b| beyond float32's
     * range, and ∞·0 is NaN.
     */
    public static void bump(FloatArray s, IntArray windows, FloatArray sigma, FloatArray sums, FloatArray sumsLow,
                            IntArray lengths, FloatArray factors, FloatArray out, int m, int n, int e) {
        int width = 2 * e;
        int queries = s.getSize();
        int heads = sigma.getSize();
        for (@Parallel int c = 0; c < e; c++) {
            for (@Parallel int row = 0; row < queries; row++) {
                int p = row / m;
                int first = p * (n + 1);
                int l = (first + windows.get(3 * row)) * width + c;
                int r = (first + windows.get(3 * row + 1)) * width + c;
                int h = (first + windows.get(3 * row + 2)) * width + c;
                float bandwidth = factors.get(2 * heads + p);
                float ratio = s.get(row) / bandwidth;
                float inverseWidth = sigma.get(p) / bandwidth;
                float value = 0.0f;
                if (r > l) {
                    float a = (sums.get(r) - sums.get(l)) + (sumsLow.get(r) - sumsLow.get(l));
                    float b = (sums.get(r + e) - sums.get(l + e)) + (sumsLow.get(r + e) - sumsLow.get(l + e));
                    value += (1.0f - ratio) * a + b * inverseWidth;
                }
                if (h > r) {
                    float a = (sums.get(h) - sums.get(r)) + (sumsLow.get(h) - sumsLow.get(r));
                    float b = (sums.get(h + e) - sums.get(r + e)) + (sumsLow.get(h + e) - sumsLow.get(r + e));
                    value += (1.0f + ratio) * a - b * inverseWidth;
                }
                value = value / lengths.get(p) * factors.get(p);
                if (row - p * m >= lengths.get(heads + p)) {
                    value = 0.0f;
                }
                out.set(row * e + c, value);
            }
        }
    }
}
