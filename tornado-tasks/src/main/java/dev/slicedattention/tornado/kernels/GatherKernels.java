package dev.slicedattention.tornado.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Between sort and scan: the scale σ of each head, and the rows the prefix sums run over, in sorted
 * order, written into the prefix table that the scan then turns into sums in place (n + 1 rows per
 * head: row k of head p at p·(n + 1) + k; row n is the scan's). For the ReLU kernel row k holds
 * w = 2e + 1 floats
 *
 * <pre>   [ U_k (e) | τ̂_k·U_k (e) | τ̂_k ]     U_k = V_π(k)/ν − μ̂,  μ̂ = μ/ν,  τ̂ = τ/σ</pre>
 *
 * so that one scan computes A, B and C together (SPEC §2); for the bump ({@link #gatherBump}) it
 * holds w = 2e floats [ U_k | τ̂_k·U_k ] with U_k = V_π(k)/ν (no centring, and the bump needs no C).
 *
 * <p>σ is the smallest power of two strictly above max(|τ_0|, |τ_{L−1}|) (as in the sequential
 * {@code PrefixSums.scaleOf}): dividing by a power of two is exact, the operator is unchanged when s
 * and τ are scaled together, and τ̂·U stays far from float32 overflow and underflow whatever the
 * input's scale. ν is the value scale the host computed (SPEC §6; {@code factors} = [ν | 1/ν | b],
 * P values each; ν is at most 2^126 so that 1/ν is a normal float): V·(1/ν) is exact and below 4
 * in magnitude, so no sum of up to 2^31 rows can overflow, whatever V's scale; the combine
 * multiplies by ν at the very end.
 *
 * <p>Ragged batches: rows k ≥ L_p (the sorted padding) are written as zeros, so the scans need no
 * lengths and every prefix from row L_p on equals the total over the real keys.
 */
public final class GatherKernels {
    private GatherKernels() {}

    /**
     * sigma[p] from the sorted keys of head p (slots p·N and p·N + L_p − 1: the real keys sort
     * first): the power of two above their largest magnitude.
     */
    public static void scale(FloatArray keys, IntArray lengths, FloatArray sigma, int paddedN) {
        for (@Parallel int p = 0; p < sigma.getSize(); p++) {
            float largest = Math.max(Math.abs(keys.get(p * paddedN)), Math.abs(keys.get(p * paddedN + lengths.get(p) - 1)));
            sigma.set(p, powerOfTwoAbove(largest));
        }
    }

    /**
     * The smallest power of two above {@code largest} (1 for 0). Fixed trip counts (a float has fewer
     * than 300 binades) with the test inside: no data-dependent loop can hang the device, and no
     * compound loop condition (see BitonicSortKernels#order). Doubling and halving by 2 are exact.
     */
    public static float powerOfTwoAbove(float largest) {
        float result = 1.0f;
        if (largest > 0.0f) {
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
        return result;
    }

    /**
     * ReLU table[(p·(n + 1) + k)·w + col] as in the class comment; one work-item per row, which reads its V row
     * π(k) (256 contiguous bytes at e = 64) and writes its w floats in a loop. Why: with one work-item
     * per (row, column) and the row as the first parallel dimension, neighbouring work-items wrote
     * floats w apart and each row's random V read was split over e work-items; on PoCL at n = 2^20 that
     * kernel took 1.6–1.8 s and this one 0.6–0.7 s (MeasureGather, medians of two runs, same JVM each).
     * Reading V in memory order and scattering the rows instead (as jvm-par does) took 0.74–0.86 s
     * there, so the gather stays.
     * U = V·(1/ν) − μ̂ rather than (V − μ)/ν: V − μ could overflow for V near float32's limit.
     */
    public static void gather(FloatArray v, FloatArray mu, FloatArray keys, IntArray index, FloatArray sigma,
                              IntArray lengths, FloatArray factors, FloatArray table, int n, int paddedN, int e) {
        int width = 2 * e + 1;
        int heads = sigma.getSize();
        int total = heads * n;
        for (@Parallel int row = 0; row < total; row++) {
            int p = row / n;
            int k = row - p * n;
            int slot = p * paddedN + k;
            int out = (row + p) * width;                       // (p·(n + 1) + k)·w
            // A branch, not a multiplication by 0/1: a padding key (the largest float) over σ may be +∞.
            if (k < lengths.get(p)) {
                float scaledKey = keys.get(slot) / sigma.get(p);
                float inverseScale = factors.get(heads + p);
                int in = (p * n + index.get(slot)) * e;
                for (int c = 0; c < e; c++) {
                    float u = v.get(in + c) * inverseScale - mu.get(p * e + c);
                    table.set(out + c, u);
                    table.set(out + e + c, scaledKey * u);
                }
                table.set(out + 2 * e, scaledKey);
            } else {
                for (int c = 0; c < width; c++) {
                    table.set(out + c, 0.0f);
                }
            }
        }
    }

    /** Bump table[(p·(n + 1) + k)·2e + col] = [ U_k | τ̂_k·U_k ], U = V·(1/ν); zeros from row L_p on; a work-item per row (see {@link #gather}). */
    public static void gatherBump(FloatArray v, FloatArray keys, IntArray index, FloatArray sigma, IntArray lengths,
                                  FloatArray factors, FloatArray table, int n, int paddedN, int e) {
        int width = 2 * e;
        int heads = sigma.getSize();
        int total = heads * n;
        for (@Parallel int row = 0; row < total; row++) {
            int p = row / n;
            int k = row - p * n;
            int slot = p * paddedN + k;
            int out = (row + p) * width;                       // (p·(n + 1) + k)·w
            if (k < lengths.get(p)) {
                float scaledKey = keys.get(slot) / sigma.get(p);
                float inverseScale = factors.get(heads + p);
                int in = (p * n + index.get(slot)) * e;
                for (int c = 0; c < e; c++) {
                    float u = v.get(in + c) * inverseScale;
                    table.set(out + c, u);
                    table.set(out + e + c, scaledKey * u);
                }
            } else {
                for (int c = 0; c < width; c++) {
                    table.set(out + c, 0.0f);
                }
            }
        }
    }
}
