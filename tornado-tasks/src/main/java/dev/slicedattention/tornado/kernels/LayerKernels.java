package dev.slicedattention.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The attention layer's front on the device (SPEC §3, §4): the dense maps q, k, v = X·Wᵀ + b as a
 * matrix product tiled in work-group local memory, the rotary embedding, the head split, the exact
 * GELU and the learned scalar projection (the same tiled product), and the hand-over to the kernel
 * stage: the scalars s and the padded keys t per problem, in the order of a padding mask, and the
 * value scales ν.
 *
 * <p>Layouts: X and the dense outputs are token-major, [B·T, hidden] with hidden = H·d; the values the
 * kernel stage reads are per problem, [B·H, T, d] (problem b·H + h, PyTorch's
 * {@code transpose_for_scores}); the learned projection's inputs are [B·T, H·d] matrices whose row r
 * is the "token vector" that the head layout picks, and its outputs [B·T, H].
 *
 * <p>Masks ({@code order}, [B·T]): position r of item b takes token order[b·T + r] — the item's real
 * tokens first (see {@code TokenOrder}) — so that padding becomes ragged lengths. The reordering is
 * done where the per-problem arrays are written ({@link #splitHeads}, {@link #problemScalars},
 * {@link #problemKeys}): the learned projection itself runs over the tokens in their own order,
 * padded ones included, as the authors' module does (with their head layout a real token's vector
 * can hold padded tokens' values).
 */
public final class LayerKernels {
    /** Side of the square tiles of {@link #linear}: TILE × TILE work-items per group. */
    public static final int TILE = 16;
    /** Rows per partial maximum of {@link #valueScalePartials}. */
    public static final int SCALE_CHUNK = 256;
    private static final float INV_SQRT2 = 0.70710677f;
    private static final float TWO_OVER_SQRT_PI = 1.1283792f;
    /** The largest value scale on the device (see ForwardPlan: 1/ν stays a normal float). */
    private static final float LARGEST_SCALE = 0x1p126f;

    private LayerKernels() {}

    /**
     * out[r·outs + o] = Σ_k x[r·in + k]·w[o·in + k] + bias[o]: nn.Linear, y = x·Wᵀ + b, for x [rows, in]
     * and W [outs, in] in PyTorch's own layout (both operands are read along k, so no transposed copy).
     *
     * <p>Tiling. Launched on a 2-D grid of ⌈outs/TILE⌉·TILE × ⌈rows/TILE⌉·TILE work-items in groups of
     * TILE × TILE: work-item (lx, ly) of group (gx, gy) computes out[gy·TILE + ly, gx·TILE + lx]. A plain
     * kernel would read each x value outs times and each W value rows times from global memory; here
     * the group walks the k axis one TILE-wide slab at a time and every work-item loads exactly one
     * value of x's slab (row gy·TILE + ly, column k0 + lx) and one of W's (row gx·TILE + ly — an
     * output of this group — column k0 + lx) into local memory. Each value loaded is then read TILE
     * times from local memory: global traffic falls by a factor TILE. Neighbouring work-items (lx)
     * load neighbouring k: coalesced reads.
     *
     * <p>Barriers: the first {@code localBarrier} makes the whole slab visible before anyone multiplies
     * (a work-item reads values its neighbours loaded); the second keeps a fast work-item from
     * overwriting the slab with the next one while a slow one still reads it. Both are reached by
     * every work-item of the group the same number of times (the trip count is a constant, ⌈in/TILE⌉;
     * out-of-range work-items load zeros instead of skipping the loop), which OpenCL requires.
     *
     * <p>The W slab is stored with a row stride of TILE + 1: the inner loop reads wTile[lx][kk] for
     * all lx at once, a column, and with a stride of TILE every access would fall in the same local
     * memory bank on a GPU (a TILE-way bank conflict); the padding spreads them over the banks.
     *
     * <p>Bounds use nested ifs, not {@code &&} (see BitonicSortKernels#order: compound conditions are
     * miscompiled).
     */
    public static void linear(KernelContext context, FloatArray x, FloatArray w, FloatArray bias, FloatArray out,
                              int rows, int in, int outs) {
        float[] xTile = context.allocateFloatLocalArray(TILE * TILE);
        float[] wTile = context.allocateFloatLocalArray(TILE * (TILE + 1));
        int lx = context.localIdx;
        int ly = context.localIdy;
        int row = context.groupIdy * TILE + ly;       // the output row this work-item computes and the x row it loads
        int col = context.groupIdx * TILE + lx;       // the output column it computes
        int wRow = context.groupIdx * TILE + ly;      // the W row (an output column of this group) it loads
        int slabs = (in + TILE - 1) / TILE;
        float sum = 0.0f;
        for (int slab = 0; slab < slabs; slab++) {
            int k = slab * TILE + lx;
            float xValue = 0.0f;
            float wValue = 0.0f;
            if (k < in) {
                if (row < rows) {
                    xValue = x.get(row * in + k);
                }
                if (wRow < outs) {
                    wValue = w.get(wRow * in + k);
                }
            }
            xTile[ly * TILE + lx] = xValue;
            wTile[ly * (TILE + 1) + lx] = wValue;
            context.localBarrier();                   // the slab is complete
            for (int kk = 0; kk < TILE; kk++) {
                sum += xTile[ly * TILE + kk] * wTile[lx * (TILE + 1) + kk];
            }
            context.localBarrier();                   // everyone is done with it before the next slab overwrites it
        }
        if (row < rows) {
            if (col < outs) {
                out.set(row * outs + col, sum + bias.get(col));
            }
        }
    }

    /**
     * The rotary embedding of q or k, as the authors' rope.py (SPEC §4), and the head layout of the
     * learned projection's input. raw [B·T, hidden] (token-major, fresh from {@link #linear}); for
     * channel c = h·d + j of token t: without rope the value itself; with rope, for j &lt; d/2 (i = j)
     * x_{2i}·cos − x_{2i+1}·sin and for j ≥ d/2 (i = j − d/2) x_{2i}·sin + x_{2i+1}·cos, with the
     * float32 tables cos, sin [T, d/2] of {@code Rope} (the result laid out [rotated evens | rotated
     * odds]). Written to out at [B·T, H·d] row-major — the token's own vector, INTENDED — or, with
     * {@code authors} = 1, at the per-problem position ((b·H + h)·T + t)·d + j, whose rows of H·d
     * values are exactly the authors' {@code q.reshape(B, T, -1)} of [B, H, T, d]. One work-item per
     * (token, channel); {@code rope} and {@code authors} are 0/1 constants of the plan.
     */
    public static void rotaryLayout(FloatArray raw, FloatArray cos, FloatArray sin, FloatArray out, int tokens, int heads,
                                    int d, int rope, int authors) {
        int hidden = heads * d;
        int rows = raw.getSize() / hidden;
        for (@Parallel int row = 0; row < rows; row++) {
            for (@Parallel int c = 0; c < hidden; c++) {
                int b = row / tokens;
                int t = row - b * tokens;
                int h = c / d;
                int j = c - h * d;
                float value = raw.get(row * hidden + c);
                if (rope == 1) {
                    int half = d / 2;
                    int i = j;
                    if (j >= half) {
                        i = j - half;
                    }
                    float x1 = raw.get(row * hidden + h * d + 2 * i);
                    float x2 = raw.get(row * hidden + h * d + 2 * i + 1);
                    float cosine = cos.get(t * half + i);
                    float sine = sin.get(t * half + i);
                    value = x1 * cosine - x2 * sine;
                    if (j >= half) {
                        value = x1 * sine + x2 * cosine;
                    }
                }
                int target = row * hidden + c;
                if (authors == 1) {
                    target = ((b * heads + h) * tokens + t) * d + j;
                }
                out.set(target, value);
            }
        }
    }

    /**
     * v [B·H, T, d] from raw [B·T, hidden]: v[((b·H + h)·T + r)·d + j] = raw[(b·T + order[b·T + r])·hidden
     * + h·d + j], the heads split and the tokens in mask order. One work-item per value.
     */
    public static void splitHeads(FloatArray raw, IntArray order, FloatArray v, int tokens, int heads, int d) {
        int rows = v.getSize() / d;
        for (@Parallel int pr = 0; pr < rows; pr++) {
            for (@Parallel int j = 0; j < d; j++) {
                int p = pr / tokens;
                int r = pr - p * tokens;
                int b = p / heads;
                int h = p - b * heads;
                int token = order.get(b * tokens + r);
                v.set(pr * d + j, raw.get((b * tokens + token) * heads * d + h * d + j));
            }
        }
    }

    /** The exact GELU x·Φ(x) = x/2·(1 + erf(x/√2)) in place (PyTorch's default), one work-item per value. */
    public static void gelu(FloatArray values) {
        for (@Parallel int i = 0; i < values.getSize(); i++) {
            float x = values.get(i);
            values.set(i, 0.5f * x * (1.0f + erf(x * INV_SQRT2)));
        }
    }

    /** out[i] = erf(x[i]) (for the accuracy test of {@link #erf} on the device). */
    public static void erfValues(FloatArray x, FloatArray out) {
        for (@Parallel int i = 0; i < x.getSize(); i++) {
            out.set(i, erf(x.get(i)));
        }
    }

    /**
     * erf in float32; OpenCL C has erf, but TornadoVM's TornadoMath exposes none, so it is computed
     * here, within about 2e-7 relative of the exact value everywhere (a few float32 ulps; measured
     * against commons-numbers' Erf by LayerKernelsTest). Two pieces, both with fixed operation counts:
     * <ul>
     *   <li>|x| &lt; 0.75: the Maclaurin series erf(x) = 2/√π · Σ_n (−1)^n x^{2n+1} / (n!(2n+1)),
     *       eleven terms (n ≤ 10) in Horner form in x²; the first omitted term is below 1e-11 of the
     *       sum, so only float32 rounding remains, and for small x the result stays relatively exact
     *       (erf(x) ≈ 2x/√π), which 1 − erfc could not give.</li>
     *   <li>|x| ≥ 0.75: erf = 1 − erfc with Numerical Recipes' Chebyshev fit (Press et al., Numerical
     *       Recipes in C, 2nd ed., §6.2, {@code erfcc}): erfc(z) = t·exp(−z² − 1.26551223 + t·P(t)),
     *       t = 1/(1 + z/2), fractional error below 1.2e-7 for all z ≥ 0; as erfc(0.75) &lt; 0.3,
     *       erf's relative error is below 0.5e-7 plus rounding.</li>
     * </ul>
     * Odd: erf(−x) = −erf(x). Beyond |x| ≈ 4, erfc is below float32's resolution at 1 and erf = ±1.
     * The graph that runs it is compiled without -cl-fast-relaxed-math (its exp keeps full accuracy).
     */
    public static float erf(float x) {
        float z = Math.min(Math.abs(x), 10.0f);   // erf(10) is 1 in float32; no z² overflows
        float z2 = z * z;
        float series = -1.0892221e-09f;
        series = series * z2 + 1.3122533e-08f;
        series = series * z2 - 1.4503852e-07f;
        series = series * z2 + 1.4589169e-06f;
        series = series * z2 - 1.3227513e-05f;
        series = series * z2 + 1.0683761e-04f;
        series = series * z2 - 7.5757576e-04f;
        series = series * z2 + 4.6296296e-03f;
        series = series * z2 - 2.3809524e-02f;
        series = series * z2 + 1.0000000e-01f;
        series = series * z2 - 3.3333333e-01f;
        series = series * z2 + 1.0f;
        float small = TWO_OVER_SQRT_PI * z * series;
        float t = 1.0f / (1.0f + 0.5f * z);
        float poly = 0.17087277f;
        poly = poly * t - 0.82215223f;
        poly = poly * t + 1.48851587f;
        poly = poly * t - 1.13520398f;
        poly = poly * t + 0.27886807f;
        poly = poly * t - 0.18628806f;
        poly = poly * t + 0.09678418f;
        poly = poly * t + 0.37409196f;
        poly = poly * t + 1.00002368f;
        poly = poly * t - 1.26551223f;
        float large = 1.0f - t * TornadoMath.exp(poly - z2);
        float result = large;
        if (z < 0.75f) {
            result = small;
        }
        if (x < 0.0f) {
            result = -result;
        }
        return result;
    }

    /**
     * s [B·H, T] from the learned projection's output scalars [B·T, H]: s[(b·H + h)·T + r] =
     * scalars[(b·T + order[b·T + r])·H + h], mask order. One work-item per value.
     */
    public static void problemScalars(FloatArray scalars, IntArray order, FloatArray s, int tokens, int heads) {
        for (@Parallel int slot = 0; slot < s.getSize(); slot++) {
            int p = slot / tokens;
            int r = slot - p * tokens;
            int b = p / heads;
            int h = p - b * heads;
            s.set(slot, scalars.get((b * tokens + order.get(b * tokens + r)) * heads + h));
        }
    }

    /**
     * The sort's key slots, as {@link ProjectionKernels#givenKeys} but read through the mask order:
     * keys[p·N + j] = scalars[(b·T + order[b·T + j])·H + h] for j &lt; L_p, the largest float for the
     * padding; index[p·N + j] = j.
     */
    public static void problemKeys(FloatArray scalars, IntArray order, IntArray lengths, FloatArray keys, IntArray index,
                                   int tokens, int heads, int paddedN) {
        for (@Parallel int slot = 0; slot < keys.getSize(); slot++) {
            int p = slot / paddedN;
            int j = slot - p * paddedN;
            float key = Float.MAX_VALUE;
            if (j < lengths.get(p)) {
                int b = p / heads;
                int h = p - b * heads;
                key = scalars.get((b * tokens + order.get(b * tokens + j)) * heads + h);
            }
            keys.set(slot, key);
            index.set(slot, j);
        }
    }

    /**
     * First level of the value scales ν_p (SPEC §6) of values computed on the device:
     * partials[p·chunks + b] = max |v| over rows b·SCALE_CHUNK .. (b+1)·SCALE_CHUNK − 1 of problem p,
     * stopping at L_p, all e columns. One work-item per (problem, chunk).
     */
    public static void valueScalePartials(FloatArray v, IntArray lengths, FloatArray partials, int n, int e, int chunks) {
        for (@Parallel int pb = 0; pb < partials.getSize(); pb++) {
            int p = pb / chunks;
            int b = pb - p * chunks;
            int start = b * SCALE_CHUNK;
            int end = Math.min(lengths.get(p), start + SCALE_CHUNK);
            float largest = 0.0f;
            for (int j = start; j < end; j++) {
                for (int c = 0; c < e; c++) {
                    largest = Math.max(largest, Math.abs(v.get((p * n + j) * e + c)));
                }
            }
            partials.set(pb, largest);
        }
    }

    /**
     * ν_p = the smallest power of two strictly above max|V| of problem p (1 when every value is 0),
     * capped at 2^126, and 1/ν_p, written into factors = [ν | 1/ν | b] as the host writes them for
     * the other fronts. Both are built by exact doublings and halvings (no division, which the default
     * fast-math flags may approximate), in loops of fixed trip count with the test inside.
     */
    public static void valueScales(FloatArray partials, FloatArray factors, int chunks) {
        int heads = factors.getSize() / 3;
        for (@Parallel int p = 0; p < heads; p++) {
            float largest = 0.0f;
            for (int b = 0; b < chunks; b++) {
                largest = Math.max(largest, partials.get(p * chunks + b));
            }
            float scale = 1.0f;
            float inverse = 1.0f;
            for (int step = 0; step < 300; step++) {
                if (scale <= largest) {
                    if (scale < LARGEST_SCALE) {
                        scale = scale * 2.0f;
                        inverse = inverse * 0.5f;
                    }
                }
            }
            for (int step = 0; step < 300; step++) {
                if (scale * 0.5f > largest) {
                    scale = scale * 0.5f;
                    inverse = inverse * 2.0f;
                }
            }
            factors.set(p, scale);
            factors.set(heads + p, inverse);
        }
    }
}
