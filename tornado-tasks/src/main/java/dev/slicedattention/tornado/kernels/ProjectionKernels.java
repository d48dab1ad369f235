package dev.slicedattention.tornado.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Stage 1, projection (SPEC §2, §3): the key centre c and, for the ReLU kernel, the scaled value
 * mean μ̂ = μ/ν (column means, in two kernels so that the rows are split among many work-items),
 * then s = (Q − c)θ and t = (K − c)θ, one work-item per row.
 *
 * <p>Why the centre: the operator only sees s_i − t_j, so subtracting the same c from every query
 * and key row changes nothing mathematically, but it removes a shared offset (1e3 in the
 * SHARED_OFFSET data) <em>before</em> the dot product, where float32 would otherwise round away the
 * digits that tell the keys apart. Queries and keys go through the same arithmetic, so equal rows
 * give equal scalars and ties stay ties.
 *
 * <p>Ragged batches (SPEC §4): {@code lengths} holds the key lengths L_p (then the query lengths
 * M_p, unused here). Every mean runs over problem p's first L_p rows only, and its key slots from
 * L_p on are padding.
 *
 * <p>The bump's projections ({@link #projectQueriesCompensated}, {@link #projectKeysCompensated})
 * carry the dot product's running sum as a float-float pair. The bump is sensitive to s − t
 * relative to b, and a float32 running sum over d terms errs by about √d roundings of its partial
 * sums: measured at n = 2^20, d = 64, b = 0.25, 1.9e-5 relative error against float64, where s and
 * t rounded once from exact sums give 2.2e-6. With the pair the sum is exact but for the rounding
 * of each product and of each K − c, which is that same once-rounded quality.
 *
 * <p>The keys are written into a padded, segmented array: head p owns slots [p·N, (p+1)·N) with N
 * a power of two ≥ n, which is what the bitonic network needs. Padded slots (j ≥ L_p, which
 * includes j ≥ n) get the largest float; the sort breaks ties by index and padded indices are
 * ≥ L_p, above every real key's, so padding sorts after every real key (even one equal to the
 * largest float) and never reaches a result. The largest float rather than +∞: the default
 * OpenCL flags include {@code -cl-fast-relaxed-math}, which lets the compiler assume no infinities.
 */
public final class ProjectionKernels {
    /** Rows (and, one level up, partial sums) summed in one chunk of a column mean, so that its error grows like a few chunks, not rows. */
    public static final int MEAN_CHUNK = 256;
    /**
     * 1 / MEAN_CHUNK, exact (a power of two): each row enters a partial already divided by the chunk's
     * size, so a partial of MEAN_CHUNK values is at most the largest |value| and never overflows
     * float32, even for keys near its limit (256 keys near 1e37 summed as they are give +∞, a centre
     * of +∞ and an output of zeros). {@link #meansOfPartials} scales its level the same way and
     * undoes both scales with the division by L_p.
     */
    static final float CHUNK_SCALE = 1.0f / MEAN_CHUNK;

    private ProjectionKernels() {}

    /**
     * First level of the parallel column means: partials[(p·chunks + b)·cols + c] = Σ of the rows
     * b·MEAN_CHUNK .. (b+1)·MEAN_CHUNK − 1 of head p in column c, each times {@link #CHUNK_SCALE},
     * stopping at row L_p (a chunk that
     * starts beyond it sums nothing). One work-item per (column, chunk): P·chunks·cols of them
     * instead of P·cols, and the column is the first parallel dimension so that neighbouring
     * work-items read neighbouring addresses of the same row in OpenCL C (the CPU layout; the GPU
     * layout of the PTX backend, which gives the inner loop to x, is {@link #columnPartialsColumnInner}).
     */
    public static void columnPartials(FloatArray x, IntArray lengths, FloatArray partials, int rows, int cols, int chunks) {
        int slots = partials.getSize() / cols;
        for (@Parallel int c = 0; c < cols; c++) {
            for (@Parallel int pb = 0; pb < slots; pb++) {
                columnPartial(x, lengths, partials, rows, cols, chunks, c, pb, CHUNK_SCALE);
            }
        }
    }

    /** As {@link #columnPartials}, the column the inner loop: the GPU layout of the PTX backend. */
    public static void columnPartialsColumnInner(FloatArray x, IntArray lengths, FloatArray partials, int rows, int cols, int chunks) {
        int slots = partials.getSize() / cols;
        for (@Parallel int pb = 0; pb < slots; pb++) {
            for (@Parallel int c = 0; c < cols; c++) {
                columnPartial(x, lengths, partials, rows, cols, chunks, c, pb, CHUNK_SCALE);
            }
        }
    }

    /**
     * As {@link #columnPartials}, over the values divided by their problem's scale ν_p
     * ({@code factors} = [ν | 1/ν | b], P values each; 1/ν and {@link #CHUNK_SCALE} are powers of two,
     * so the product is exact). Summing V itself could overflow float32: 256 values near 1e37 already do.
     */
    public static void scaledColumnPartials(FloatArray x, IntArray lengths, FloatArray factors, FloatArray partials,
                                            int rows, int cols, int chunks) {
        int slots = partials.getSize() / cols;
        int heads = lengths.getSize() / 2;
        for (@Parallel int c = 0; c < cols; c++) {
            for (@Parallel int pb = 0; pb < slots; pb++) {
                columnPartial(x, lengths, partials, rows, cols, chunks, c, pb, factors.get(heads + pb / chunks) * CHUNK_SCALE);
            }
        }
    }

    /** As {@link #scaledColumnPartials}, the column the inner loop: the GPU layout of the PTX backend. */
    public static void scaledColumnPartialsColumnInner(FloatArray x, IntArray lengths, FloatArray factors, FloatArray partials,
                                                       int rows, int cols, int chunks) {
        int slots = partials.getSize() / cols;
        int heads = lengths.getSize() / 2;
        for (@Parallel int pb = 0; pb < slots; pb++) {
            for (@Parallel int c = 0; c < cols; c++) {
                columnPartial(x, lengths, partials, rows, cols, chunks, c, pb, factors.get(heads + pb / chunks) * CHUNK_SCALE);
            }
        }
    }

    /** One work-item of the column partials: column c of chunk slot pb = p·chunks + b, each value times {@code scale}. */
    private static void columnPartial(FloatArray x, IntArray lengths, FloatArray partials, int rows, int cols, int chunks, int c, int pb,
                                      float scale) {
        int p = pb / chunks;
        int b = pb - p * chunks;
        int start = b * MEAN_CHUNK;
        int end = Math.min(lengths.get(p), start + MEAN_CHUNK);
        float sum = 0.0f;
        for (int j = start; j < end; j++) {
            sum += x.get((p * rows + j) * cols + c) * scale;
        }
        partials.set(pb * cols + c, sum);
    }

    /**
     * Second level: out[p·cols + c] = Σ_b partials / L_p, the partials summed with Kahan's compensation
     * (a plain float32 sum of 274 partials near 256 000 was off by 12 ulps of the mean in IEEE order;
     * compensated, by about one). The partials hold their rows times {@link #CHUNK_SCALE}; here each is also divided by 2^k, the
     * power of two at or above the chunk count (exact), so every running total stays within the
     * largest |value| and never overflows float32, nor falls far below the values (2^k·MEAN_CHUNK is
     * within a factor 2 of L_p for L_p ≥ MEAN_CHUNK). The scales are undone exactly and the division
     * rounds once, as without them: the total times MEAN_CHUNK·2^k (the plain sum) divided by L_p,
     * or, where that product would overflow, the total divided by L_p first. That order must hold:
     * the plans compile this kernel's graph without {@code -cl-fast-relaxed-math}
     * ({@link dev.slicedattention.tornado.graphs.ForwardPlan#EXACT_OPENCL_FLAGS}), under which the
     * OpenCL compiler may reassociate (total / L)·s into (total·s) / L, which overflows.
     */
    public static void meansOfPartials(FloatArray partials, IntArray lengths, FloatArray out, int cols, int chunks) {
        for (@Parallel int slot = 0; slot < out.getSize(); slot++) {
            int p = slot / cols;
            int c = slot - p * cols;
            // The power of two at or above chunks, without a loop (a loop here compiled to nothing).
            int bits = chunks - 1;
            bits |= bits >> 1;
            bits |= bits >> 2;
            bits |= bits >> 4;
            bits |= bits >> 8;
            bits |= bits >> 16;
            float scale = (float) MEAN_CHUNK * (bits + 1);
            float inversePower = 1.0f / (bits + 1);
            float total = 0.0f;
            float compensation = 0.0f;                          // the low part that total's rounding lost
            for (int b = 0; b < chunks; b++) {
                float term = partials.get((p * chunks + b) * cols + c) * inversePower - compensation;
                float next = total + term;
                compensation = (next - total) - term;
                total = next;
            }
            float length = lengths.get(p);
            out.set(slot, Math.abs(total) < Float.MAX_VALUE / scale ? total * scale / length : total / length * scale);
        }
    }

    /** s[p·m + i] = Σ_k θ[p·d + k]·(Q[(p·m + i)·d + k] − c[p·d + k]). */
    public static void projectQueries(FloatArray q, FloatArray theta, FloatArray centre, FloatArray s, int m, int d) {
        for (@Parallel int row = 0; row < s.getSize(); row++) {
            int p = row / m;
            float sum = 0.0f;
            for (int k = 0; k < d; k++) {
                sum += theta.get(p * d + k) * (q.get(row * d + k) - centre.get(p * d + k));
            }
            s.set(row, sum);
        }
    }

    /** As {@link #projectQueries}, each sum by {@link #compensatedDot}. */
    public static void projectQueriesCompensated(FloatArray q, FloatArray theta, FloatArray centre, FloatArray s, int m, int d) {
        for (@Parallel int row = 0; row < s.getSize(); row++) {
            int p = row / m;
            s.set(row, compensatedDot(q, row * d, theta, centre, p * d, d));
        }
    }

    /** As {@link #projectKeys}, each sum by {@link #compensatedDot}. */
    public static void projectKeysCompensated(FloatArray k, FloatArray theta, FloatArray centre, IntArray lengths, FloatArray keys,
                                              IntArray index, int n, int paddedN, int d) {
        for (@Parallel int slot = 0; slot < keys.getSize(); slot++) {
            int p = slot / paddedN;
            int j = slot - p * paddedN;
            float key = Float.MAX_VALUE;
            if (j < lengths.get(p)) {
                key = compensatedDot(k, (p * n + j) * d, theta, centre, p * d, d);
            }
            keys.set(slot, key);
            index.set(slot, j);
        }
    }

    /**
     * Σ_k θ[at + k]·(x[row + k] − c[at + k]) with the running sum kept as hi + lo, which hold
     * −Σ: each product is <em>subtracted</em> by TwoSum's difference form (t = hi − p,
     * bv = hi − t, av = t + bv, error = (hi − av) + (bv − p)), so a product only ever meets a
     * subtraction. TornadoVM fuses every {@code a + x·y} into an fma when it compiles for OpenCL
     * ({@code tornado.enable.fma}, on by default), which would break an addition form's identity;
     * it leaves subtractions alone. Needs the exact OpenCL flags, like every float-float kernel
     * (see {@link CompensatedPrefixSumKernels}).
     */
    public static float compensatedDot(FloatArray x, int row, FloatArray theta, FloatArray centre, int at, int d) {
        float hi = 0.0f;
        float lo = 0.0f;
        for (int k = 0; k < d; k++) {
            float product = theta.get(at + k) * (x.get(row + k) - centre.get(at + k));
            float t = hi - product;
            float bv = hi - t;
            float av = t + bv;
            lo += (hi - av) + (bv - product);
            hi = t;
        }
        return -(hi + lo);
    }

    /**
     * The given-scalars front ({@code ForwardPlan.Source.SCALARS}): keys[p·N + j] = t[p·n + j] for
     * j &lt; L_p, the largest float for the padding j ≥ L_p; index[p·N + j] = j. One work-item per
     * key slot; s is used as given.
     */
    public static void givenKeys(FloatArray t, IntArray lengths, FloatArray keys, IntArray index, int n, int paddedN) {
        for (@Parallel int slot = 0; slot < keys.getSize(); slot++) {
            int p = slot / paddedN;
            int j = slot - p * paddedN;
            float key = Float.MAX_VALUE;
            if (j < lengths.get(p)) {
                key = t.get(p * n + j);
            }
            keys.set(slot, key);
            index.set(slot, j);
        }
    }

    /**
     * keys[p·N + j] = (K_j − c)·θ for j &lt; L_p, the largest float for the padding j ≥ L_p;
     * index[p·N + j] = j (the key's row within its head).
     */
    public static void projectKeys(FloatArray k, FloatArray theta, FloatArray centre, IntArray lengths, FloatArray keys,
                                   IntArray index, int n, int paddedN, int d) {
        for (@Parallel int slot = 0; slot < keys.getSize(); slot++) {
            int p = slot / paddedN;
            int j = slot - p * paddedN;
            float key = Float.MAX_VALUE;
            if (j < lengths.get(p)) {
                int row = (p * n + j) * d;
                float sum = 0.0f;
                for (int c = 0; c < d; c++) {
                    sum += theta.get(p * d + c) * (k.get(row + c) - centre.get(p * d + c));
                }
                key = sum;
            }
            keys.set(slot, key);
            index.set(slot, j);
        }
    }
}
