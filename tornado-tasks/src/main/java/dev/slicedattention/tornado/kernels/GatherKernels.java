package dev.slicedattention.tornado.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Between sort and scan: the scale σ of each head, and the rows the prefix sums run over, in sorted
 * order. Row k of head p holds w = 2e + 1 floats
 *
 * <pre>   [ U_k (e) | τ̂_k·U_k (e) | τ̂_k ]     U_k = V_π(k) − μ,  τ̂ = τ/σ</pre>
 *
 * so that one scan computes A, B and C together (SPEC §2).
 *
 * <p>σ is the smallest power of two strictly above max(|τ_0|, |τ_{n−1}|) (as in the sequential
 * {@code PrefixSums.scaleOf}): dividing by a power of two is exact, the operator is unchanged when s
 * and τ are scaled together, and τ̂·U stays far from float32 overflow and underflow whatever the
 * input's scale.
 */
public final class GatherKernels {
    private GatherKernels() {}

    /** sigma[p] from the sorted keys of head p (slots p·N .. p·N + n − 1). Doubling and halving by 2 are exact. */
    public static void scale(FloatArray keys, FloatArray sigma, int n, int paddedN) {
        for (@Parallel int p = 0; p < sigma.getSize(); p++) {
            float largest = Math.max(Math.abs(keys.get(p * paddedN)), Math.abs(keys.get(p * paddedN + n - 1)));
            float result = 1.0f;
            if (largest > 0.0f) {
                // Fixed trip counts (a float has fewer than 300 binades) with the test inside: no data-dependent
                // loop can hang the device, and no compound loop condition (see BitonicSortKernels#order).
                for (int step = 0; step < 300; step++) {
                    if (result <= largest) {
                        result = result * 2.0f;
                    }
                }
                for (int step = 0; step < 300; step++) {
                    if (result * 0.5f > largest) {
                        result = result * 0.5f;
                    }
                }
            }
            sigma.set(p, result);
        }
    }

    /** rows[(p·n + k)·w + col] as in the class comment; one work-item per (row, value column). */
    public static void gather(FloatArray v, FloatArray mu, FloatArray keys, IntArray index, FloatArray sigma,
                              FloatArray rows, int n, int paddedN, int e) {
        int width = 2 * e + 1;
        int total = rows.getSize() / width;
        for (@Parallel int row = 0; row < total; row++) {
            for (@Parallel int c = 0; c < e; c++) {
                int p = row / n;
                int k = row - p * n;
                int slot = p * paddedN + k;
                float scaledKey = keys.get(slot) / sigma.get(p);
                float u = v.get((p * n + index.get(slot)) * e + c) - mu.get(p * e + c);
                rows.set(row * width + c, u);
                rows.set(row * width + e + c, scaledKey * u);
                if (c == 0) {
                    rows.set(row * width + 2 * e, scaledKey);
                }
            }
        }
    }
}
