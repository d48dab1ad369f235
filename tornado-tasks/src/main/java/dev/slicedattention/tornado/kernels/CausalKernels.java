package dev.slicedattention.tornado.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Causal mode on the device (SPEC §5): query i sees keys j ≤ i only. Divide and conquer over the
 * sequence (the jvm-par {@code ParallelCausal} scheme, its twin): at level w the positions of each
 * problem are cut into blocks of 2w, and in each block the first w keys (the <em>left</em> half) act
 * on the last w queries (the <em>right</em> half). Every pair j &lt; i crosses such a cut at exactly
 * one level. The levels w &lt; {@link #TILE} (all pairs inside an aligned tile of TILE positions) and
 * the diagonal j = i are summed directly instead, one work-item per query and column
 * ({@link #reluTile}, {@link #bumpTile}, the jvm-par {@code CausalTiles}), so the levels run for
 * w = TILE, 2·TILE, …, N/2.
 *
 * <p>Per level, with the keys sorted within every aligned block of w slots (the bitonic network of
 * {@link BitonicSortKernels} leaves exactly that after its stage k = w, the left blocks ascending):
 * <ol>
 *   <li>a segmented inclusive scan of the left blocks' rows in sorted order, over chunks of
 *       {@code chunk} rows: for the ReLU a chunk-local scan with chunk totals ({@link #reluChunkScan})
 *       and the totals turned into offsets ({@link #offsets}), which the accumulation adds; for the
 *       bump three float-float phases, reduce then scan ({@link #bumpTotals}, {@link #bumpOffsets},
 *       {@link #bumpScan});</li>
 *   <li>each right-half query's rank in its left block by binary search ({@link #reluRanks},
 *       {@link #bumpWindows}, with {@link RankKernels#lowerBound});</li>
 *   <li>the prefix at that rank added to the query's accumulators ({@link #reluAccumulate},
 *       {@link #bumpAccumulate}).</li>
 * </ol>
 * O(n log² n) work for the sort and O(n·e·log n) for the sums. The level w is the only thing that
 * changes from level to level: it is read from {@code params[0]} (a device {@link IntArray}), so each
 * kernel compiles once (TornadoVM folds int arguments into the kernel: see BitonicSortKernels).
 *
 * <p>Units as in the forward pass: τ̂ = t/σ (σ a power of two above every |t_j|, here from the keys
 * before the sort: {@link #keyScale}), U = V/ν − μ̂ for the ReLU (centred by the global mean μ̂ = μ/ν:
 * the ReLU's numerator Σ_j ReLU(s − t_j)(V_j − μ_i) does not change when one vector is subtracted
 * from every V, and centring first keeps the sums small), U = V/ν for the bump.
 *
 * <p>ReLU accumulators, {@value #RELU_EXTRA} + 3e floats per query row (see {@link #reluWidth}):
 * <pre>
 *   [ ΣU (e) | Στ̂U (e) | Στ̂ | count ]  over { j ≤ i : t_j &lt; s_i }     (offsets 0, e, 2e, 2e + 1)
 *   [ ΣU (e) | Στ̂ ]                     over { j ≤ i }  (the running mean) (offsets 2e + 2, 3e + 2)
 * </pre>
 * and {@link #reluCombine} finishes with the sequential twin's formula ({@code CausalPipeline}):
 * μ' = ΣU_seen / C, N = ŝ·(ΣU − μ'·count) − (Στ̂U − μ'·Στ̂), Z = ŝ·(2·count − C) + Στ̂_seen − 2·Στ̂, O = 2ν·N/Z
 * with C = min(i + 1, L). Bump accumulators: e floats, the weighted sum itself; O = ν·Σ/C.
 *
 * <p>Ragged problems: keys j ≥ L_p are padding (the largest float, index ≥ L_p: they sort last in
 * every block and their rows are zeros), rows i ≥ M_p output 0. No kernel uses {@code &&} or
 * {@code ||} (TornadoVM miscompiles them: see {@link BitonicSortKernels#order}); nested ifs instead.
 */
public final class CausalKernels {
    /** Rows one work-item scans sequentially (or fewer, when a problem has fewer slots). */
    public static final int CHUNK = 256;
    /**
     * Positions of a tile ({@link #reluTile}): a power of two, at most BitonicSortKernels.LOCAL_BLOCK
     * (the sort stages below it run as one local launch). Measured at n = 2^18, e = 64 on PoCL (CPU):
     * 64 a few per cent ahead of 32; a tile's work doubles with TILE, while each level it removes costs
     * about what the whole 64-tile costs, so 128 would lose.
     */
    public static final int TILE = 64;
    /** The ReLU accumulators' scalar columns: Στ̂ and count below s, Στ̂ seen. */
    public static final int RELU_EXTRA = 3;

    private CausalKernels() {}

    /** Floats per query row of the ReLU accumulators. */
    public static int reluWidth(int e) {
        return 3 * e + RELU_EXTRA;
    }

    // ---------------------------------------------------------------- before the sort

    /**
     * sigma[p] = the smallest power of two strictly above max |t_j| over the L_p real keys, read from
     * the keys in sequence order (before the sort: the levels need τ̂ from the first one on). One
     * work-item per problem.
     */
    public static void keyScale(FloatArray keys, IntArray lengths, FloatArray sigma, int paddedN) {
        for (@Parallel int p = 0; p < sigma.getSize(); p++) {
            int count = lengths.get(p);
            float largest = 0.0f;
            for (int j = 0; j < count; j++) {
                largest = Math.max(largest, Math.abs(keys.get(p * paddedN + j)));
            }
            sigma.set(p, GatherKernels.powerOfTwoAbove(largest));
        }
    }

    /**
     * The ReLU's pairs inside a tile, which also start the accumulators: query i sums over the keys
     * j ≤ i of its aligned tile of {@code tile} positions directly (the jvm-par {@code CausalTiles}),
     * O(tile·e) per query. These are the diagonal j = i and every pair that a level w &lt; tile would
     * see, so the levels start at w = tile. Why: a level streams a table of n·(2e + 1) floats through
     * memory twice and takes four launches, whatever w; a tile's keys and values stay in cache, and
     * below a few dozen positions summing them is cheaper than the log₂ tile levels it replaces.
     * Keys are still in sequence order here (slot p·N + i holds t_i). One work-item per (column, query row).
     *
     * <p>Key j counts below query i when t_j &lt; s_i (compared unscaled, as the ranks compare s with
     * the keys), and always in the running totals. Both sums add the same u in the same order, so when
     * every key lies below s they are the same float, as reluCombine's exact 0 needs (see there).
     */
    public static void reluTile(FloatArray s, FloatArray keys, FloatArray v, FloatArray mu, FloatArray sigma, IntArray lengths,
                                FloatArray factors, FloatArray acc, int n, int paddedN, int e, int tile) {
        int width = 3 * e + RELU_EXTRA;
        int heads = sigma.getSize();
        int rows = s.getSize();
        for (@Parallel int c = 0; c < e; c++) {
            for (@Parallel int row = 0; row < rows; row++) {
                int p = row / n;
                int i = row - p * n;
                int first = i - (i & (tile - 1));
                int last = Math.min(i + 1, lengths.get(p));
                float query = s.get(row);
                // σ is a power of two ≥ 1, so 1/σ is exact and key·(1/σ) is the same float as key/σ (one
                // rounding of the same real number), as in reluRow: a multiply per key, not a divide.
                float inverseScale = 1.0f / sigma.get(p);
                float inverse = factors.get(heads + p);
                float mean = mu.get(p * e + c);
                float below = 0.0f;
                float belowMoment = 0.0f;
                float belowKeys = 0.0f;
                float count = 0.0f;
                float seen = 0.0f;
                float seenKeys = 0.0f;
                for (int j = first; j < last; j++) {
                    float key = keys.get(p * paddedN + j);
                    float scaledKey = key * inverseScale;
                    float u = v.get((p * n + j) * e + c) * inverse - mean;
                    if (key < query) {
                        below += u;
                        belowMoment += scaledKey * u;
                        belowKeys += scaledKey;
                        count += 1.0f;
                    }
                    seen += u;
                    seenKeys += scaledKey;
                }
                int at = row * width;
                acc.set(at + c, below);
                acc.set(at + e + c, belowMoment);
                acc.set(at + 2 * e + 2 + c, seen);
                if (c == 0) {
                    acc.set(at + 2 * e, belowKeys);
                    acc.set(at + 2 * e + 1, count);
                    acc.set(at + 3 * e + 2, seenKeys);
                }
            }
        }
    }

    /**
     * The bump's pairs inside a tile, as {@link #reluTile}: acc[row·e + c] = Σ max(0, 1 − |s_i − t_j|/b)·V_j/ν
     * over the keys j ≤ i (j &lt; L) of the query's aligned tile. Plain float sums, no float-float: the
     * levels need it because they take a window as the difference of two prefixes of a whole block,
     * which cancels; here each weight is computed directly and at most {@code tile} terms are added,
     * the rounding of any float32 sum of them.
     */
    public static void bumpTile(FloatArray s, FloatArray keys, FloatArray v, IntArray lengths, FloatArray factors,
                                FloatArray acc, int n, int paddedN, int e, int tile) {
        int heads = lengths.getSize() / 2;
        int rows = s.getSize();
        for (@Parallel int c = 0; c < e; c++) {
            for (@Parallel int row = 0; row < rows; row++) {
                int p = row / n;
                int i = row - p * n;
                int first = i - (i & (tile - 1));
                int last = Math.min(i + 1, lengths.get(p));
                float query = s.get(row);
                float inverse = factors.get(heads + p);
                float bandwidth = factors.get(2 * heads + p);
                // Σ (b − |s − t_j|)⁺·U_j, divided by b once at the end: the hat without a divide per key and
                // column (e work-items share each key's weight, and a divide costs several multiplies). Each
                // term is below 2b (|U| < 2), so a bandwidth above 2^100 is first shrunk by 2^-7 (exact: a power
                // of two, and far above underflow there) to keep the sum of a tile's terms finite.
                float shrink = 1.0f;
                if (bandwidth > 0x1p100f) {
                    shrink = 0x1p-7f;
                }
                float sum = 0.0f;
                for (int j = first; j < last; j++) {
                    // |s − t| may overflow to +∞ for keys near float32's limit: the weight is then 0, not NaN.
                    float weight = Math.max(0.0f, bandwidth - Math.abs(query - keys.get(p * paddedN + j))) * shrink;
                    sum += weight * (v.get((p * n + j) * e + c) * inverse);
                }
                acc.set(row * e + c, sum / (bandwidth * shrink));
            }
        }
    }

    // ---------------------------------------------------------------- one level: the left blocks' scan

    /**
     * Column {@code col} of the ReLU row of sorted slot {@code slot} (problem p):
     * [ U (e) | τ̂·U (e) | τ̂ ]; zeros for a padding key (index ≥ L_p). τ̂ = t·(1/σ), the same float as
     * t/σ (σ is a power of two ≥ 1, so 1/σ is exact): the caller computes 1/σ once, not a divide per
     * slot and column.
     */
    public static float reluRow(FloatArray keys, IntArray index, FloatArray v, FloatArray mu, float inverseScale, IntArray lengths,
                                FloatArray factors, int p, int slot, int col, int n, int e) {
        int heads = lengths.getSize() / 2;
        int j = index.get(slot);
        float result = 0.0f;
        if (j < lengths.get(p)) {
            float scaledKey = keys.get(slot) * inverseScale;
            result = scaledKey;
            if (col < 2 * e) {
                int c = col;
                if (col >= e) {
                    c = col - e;
                }
                float u = v.get((p * n + j) * e + c) * factors.get(heads + p) - mu.get(p * e + c);
                result = u;
                if (col >= e) {
                    result = scaledKey * u;
                }
            }
        }
        return result;
    }

    /** Column {@code col} of the bump row of sorted slot {@code slot}: [ U (e) | τ̂·U (e) ], U = V/ν; zeros for padding; τ̂ as in reluRow. */
    public static float bumpRow(FloatArray keys, IntArray index, FloatArray v, float inverseScale, IntArray lengths,
                                FloatArray factors, int p, int slot, int col, int n, int e) {
        int heads = lengths.getSize() / 2;
        int j = index.get(slot);
        float result = 0.0f;
        if (j < lengths.get(p)) {
            int c = col;
            if (col >= e) {
                c = col - e;
            }
            float u = v.get((p * n + j) * e + c) * factors.get(heads + p);
            result = u;
            if (col >= e) {
                result = keys.get(slot) * inverseScale * u;
            }
        }
        return result;
    }

    /**
     * The ReLU's phase 1 (of two): table[slot·width + col] = the inclusive prefix of the slot's rows
     * from the start of its chunk (w ≥ chunk) or block (w &lt; chunk: a chunk then holds whole blocks),
     * for the slots of left blocks; and, when w ≥ chunk, totals[cb·width + col] = chunk cb's sum.
     * {@link #offsets} turns the totals into each chunk's offset in its block, and the accumulation
     * adds it ({@link #reluPrefix}): one pass over the rows, where reduce-then-scan (the bump's
     * {@link #bumpTotals}, {@link #bumpScan}) evaluates them twice. The bump keeps the two passes: its
     * float-float prefixes would need a float-float add at every read.
     */
    public static void reluChunkScan(FloatArray keys, IntArray index, FloatArray v, FloatArray mu, FloatArray sigma, IntArray lengths,
                                     FloatArray factors, IntArray params, FloatArray totals, FloatArray table, int n, int paddedN,
                                     int e, int chunk) {
        int width = 2 * e + 1;
        int w = params.get(0);
        int chunks = totals.getSize() / width;
        for (@Parallel int col = 0; col < width; col++) {
            for (@Parallel int cb = 0; cb < chunks; cb++) {
                int start = cb * chunk;
                int p = start / paddedN;
                float inverseScale = 1.0f / sigma.get(p);
                int active = 1;
                if (w >= chunk) {
                    if (((start - p * paddedN) & w) != 0) {
                        active = 0;   // a right block's chunk: its keys act on no one at this level
                    }
                }
                if (active == 1) {
                    float running = 0.0f;
                    for (int slot = start; slot < start + chunk; slot++) {
                        // Left blocks only (bit w clear), as above, for the blocks inside a chunk (w < chunk).
                        if ((slot & w) == 0) {
                            if ((slot & (w - 1)) == 0) {
                                running = 0.0f;   // a block starts here
                            }
                            running += reluRow(keys, index, v, mu, inverseScale, lengths, factors, p, slot, col, n, e);
                            table.set(slot * width + col, running);
                        }
                    }
                    if (w >= chunk) {
                        totals.set(cb * width + col, running);
                    }
                }
            }
        }
    }

    /**
     * Phase 2 (w ≥ chunk), in place: the chunk totals of each left block become exclusive offsets,
     * one sequential pass over the block's w/chunk chunks by the work-item of its first chunk.
     */
    public static void offsets(FloatArray totals, IntArray params, int paddedN, int chunk, int width) {
        int w = params.get(0);
        int chunks = totals.getSize() / width;
        for (@Parallel int col = 0; col < width; col++) {
            for (@Parallel int cb = 0; cb < chunks; cb++) {
                int position = cb * chunk % paddedN;
                if (w >= chunk) {
                    if ((position & (2 * w - 1)) == 0) {
                        float running = 0.0f;
                        for (int b = cb; b < cb + w / chunk; b++) {
                            float total = totals.get(b * width + col);
                            totals.set(b * width + col, running);
                            running += total;
                        }
                    }
                }
            }
        }
    }

    /**
     * Phase 1 of the bump's scan (levels with w ≥ chunk): totals[cb·width + col] = Σ of chunk cb's rows
     * as a float-float pair (hi in totals, lo in totalsLow), for the chunks of left blocks. Smaller
     * levels need no totals: a chunk then holds whole blocks.
     */
    public static void bumpTotals(FloatArray keys, IntArray index, FloatArray v, FloatArray sigma, IntArray lengths, FloatArray factors,
                                  IntArray params, FloatArray totals, FloatArray totalsLow, int n, int paddedN, int e, int chunk) {
        int width = 2 * e;
        int w = params.get(0);
        int chunks = totals.getSize() / width;
        for (@Parallel int col = 0; col < width; col++) {
            for (@Parallel int cb = 0; cb < chunks; cb++) {
                int start = cb * chunk;
                int p = start / paddedN;
                float inverseScale = 1.0f / sigma.get(p);
                if (w >= chunk) {
                    if (((start - p * paddedN) & w) == 0) {
                        // TwoSum, as CompensatedPrefixSumKernels (and, like them, compiled without fast-math).
                        float hi = 0.0f;
                        float lo = 0.0f;
                        for (int slot = start; slot < start + chunk; slot++) {
                            float x = bumpRow(keys, index, v, inverseScale, lengths, factors, p, slot, col, n, e);
                            float t = hi + x;
                            float z = t - hi;
                            lo += (hi - (t - z)) + (x - z);
                            hi = t;
                        }
                        float sum = hi + lo;
                        totals.set(cb * width + col, sum);
                        totalsLow.set(cb * width + col, lo - (sum - hi));
                    }
                }
            }
        }
    }

    /** Phase 2 of the bump's scan: {@link #offsets} in float-float. */
    public static void bumpOffsets(FloatArray totals, FloatArray totalsLow, IntArray params, int paddedN, int chunk, int width) {
        int w = params.get(0);
        int chunks = totals.getSize() / width;
        for (@Parallel int col = 0; col < width; col++) {
            for (@Parallel int cb = 0; cb < chunks; cb++) {
                int position = cb * chunk % paddedN;
                if (w >= chunk) {
                    if ((position & (2 * w - 1)) == 0) {
                        float hi = 0.0f;
                        float lo = 0.0f;
                        for (int b = cb; b < cb + w / chunk; b++) {
                            int at = b * width + col;
                            float xHi = totals.get(at);
                            float xLo = totalsLow.get(at);
                            totals.set(at, hi);
                            totalsLow.set(at, lo);
                            float t = hi + xHi;
                            float z = t - hi;
                            float err = (hi - (t - z)) + (xHi - z) + (lo + xLo);
                            hi = t + err;
                            lo = err - (hi - t);
                        }
                    }
                }
            }
        }
    }

    /**
     * Phase 3 of the bump's scan: table[slot·width + col] = the inclusive float-float prefix (hi in
     * table, lo in tableLow) of the slot's block up to the slot, for the slots of left blocks (no one
     * reads the right blocks' rows). A chunk starts from its offset (w ≥ chunk) or from 0 at every
     * block start it holds (w &lt; chunk).
     */
    public static void bumpScan(FloatArray keys, IntArray index, FloatArray v, FloatArray sigma, IntArray lengths, FloatArray factors,
                                IntArray params, FloatArray totals, FloatArray totalsLow, FloatArray table, FloatArray tableLow,
                                int n, int paddedN, int e, int chunk) {
        int width = 2 * e;
        int w = params.get(0);
        int chunks = totals.getSize() / width;
        for (@Parallel int col = 0; col < width; col++) {
            for (@Parallel int cb = 0; cb < chunks; cb++) {
                int start = cb * chunk;
                int p = start / paddedN;
                float inverseScale = 1.0f / sigma.get(p);
                int active = 1;
                float hi = 0.0f;
                float lo = 0.0f;
                if (w >= chunk) {
                    if (((start - p * paddedN) & w) != 0) {
                        active = 0;
                    }
                    hi = totals.get(cb * width + col);
                    lo = totalsLow.get(cb * width + col);
                }
                if (active == 1) {
                    for (int slot = start; slot < start + chunk; slot++) {
                        // Left blocks only, as in reluChunkScan.
                        if ((slot & w) == 0) {
                            if ((slot & (w - 1)) == 0) {
                                hi = 0.0f;
                                lo = 0.0f;
                            }
                            float x = bumpRow(keys, index, v, inverseScale, lengths, factors, p, slot, col, n, e);
                            float t = hi + x;
                            float z = t - hi;
                            float err = (hi - (t - z)) + (x - z) + lo;
                            hi = t + err;
                            lo = err - (hi - t);
                            table.set(slot * width + col, hi);
                            tableLow.set(slot * width + col, lo);
                        }
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- one level: ranks and accumulation

    /** Real keys in the left block at position {@code left} of a problem with L keys: min(w, max(0, L − left)). */
    public static int realKeys(int keyLength, int left, int w) {
        return Math.min(w, Math.max(0, keyLength - left));
    }

    /**
     * rank[row] = #{ keys of the left block below s_i } for the queries in right halves (i has bit w
     * set); 0 elsewhere. Only the block's real keys are searched (they sort first in it).
     */
    public static void reluRanks(FloatArray s, FloatArray keys, IntArray lengths, IntArray params, IntArray rank, int n, int paddedN) {
        int w = params.get(0);
        for (@Parallel int row = 0; row < s.getSize(); row++) {
            int p = row / n;
            int i = row - p * n;
            int r = 0;
            if ((i & w) != 0) {
                int left = i - (i & (2 * w - 1));
                int count = realKeys(lengths.get(p), left, w);
                r = RankKernels.lowerBound(keys, p * paddedN + left, count, s.get(row));
            }
            rank.set(row, r);
        }
    }

    /**
     * The bump's window in the left block, as RankKernels.windows: (l, r, h) = #{ τ &lt; s − b },
     * #{ τ &lt; s }, #{ τ ≤ s + b } among the block's real keys; zeros outside right halves.
     */
    public static void bumpWindows(FloatArray s, FloatArray keys, IntArray lengths, FloatArray factors, IntArray params,
                                   IntArray windows, int n, int paddedN) {
        int heads = lengths.getSize() / 2;
        int w = params.get(0);
        for (@Parallel int row = 0; row < s.getSize(); row++) {
            int p = row / n;
            int i = row - p * n;
            int l = 0;
            int r = 0;
            int h = 0;
            if ((i & w) != 0) {
                int left = i - (i & (2 * w - 1));
                int first = p * paddedN + left;
                int count = realKeys(lengths.get(p), left, w);
                float value = s.get(row);
                float bandwidth = factors.get(2 * heads + p);
                l = RankKernels.lowerBound(keys, first, count, value - bandwidth);
                r = RankKernels.lowerBound(keys, first, count, value);
                h = RankKernels.upperBound(keys, first, count, value + bandwidth);
            }
            windows.set(3 * row, l);
            windows.set(3 * row + 1, r);
            windows.set(3 * row + 2, h);
        }
    }

    /** The exclusive prefix of {@code rank} rows of a block from its inclusive scan: 0 for rank 0, else row rank − 1. */
    public static float exclusive(FloatArray table, int blockAt, int rank, int width) {
        float result = 0.0f;
        if (rank > 0) {
            result = table.get(blockAt + (rank - 1) * width);
        }
        return result;
    }

    /**
     * The inclusive prefix of a left block's first k rows (k ≥ 1) in column {@code col}, from
     * {@link #reluChunkScan}'s table: the row's chunk-local prefix plus its chunk's offset (w ≥ chunk;
     * none below, where the table holds block prefixes). When the rows after k − 1 are all zeros
     * (padding), the block's total is the same float: the next chunk's offset is this one plus this
     * chunk's last prefix, rounded as here.
     */
    public static float reluPrefix(FloatArray table, FloatArray totals, int firstSlot, int k, int col, int width, int w, int chunk) {
        int slot = firstSlot + k - 1;
        float result = table.get(slot * width + col);
        if (w >= chunk) {
            result = totals.get(slot / chunk * width + col) + result;
        }
        return result;
    }

    /** The exclusive prefix of {@code rank} rows of a block: 0 for rank 0, else {@link #reluPrefix} of rank rows. */
    public static float reluExclusive(FloatArray table, FloatArray totals, int firstSlot, int rank, int col, int width, int w, int chunk) {
        float result = 0.0f;
        if (rank > 0) {
            result = reluPrefix(table, totals, firstSlot, rank, col, width, w, chunk);
        }
        return result;
    }

    /**
     * Adds the left block's prefix at the query's rank (the sums below s) and its total (the running
     * totals) to the query's accumulators; right-half queries only. One work-item per (column, row).
     */
    public static void reluAccumulate(IntArray rank, FloatArray table, FloatArray totals, IntArray params, FloatArray acc, int n,
                                      int paddedN, int e, int chunk) {
        int width = 2 * e + 1;
        int accWidth = 3 * e + RELU_EXTRA;
        int w = params.get(0);
        int rows = rank.getSize();
        for (@Parallel int c = 0; c < e; c++) {
            for (@Parallel int row = 0; row < rows; row++) {
                int p = row / n;
                int i = row - p * n;
                if ((i & w) != 0) {
                    int first = p * paddedN + i - (i & (2 * w - 1));
                    int r = rank.get(row);
                    int at = row * accWidth;
                    acc.set(at + c, acc.get(at + c) + reluExclusive(table, totals, first, r, c, width, w, chunk));
                    acc.set(at + e + c, acc.get(at + e + c) + reluExclusive(table, totals, first, r, e + c, width, w, chunk));
                    acc.set(at + 2 * e + 2 + c, acc.get(at + 2 * e + 2 + c) + reluPrefix(table, totals, first, w, c, width, w, chunk));
                    if (c == 0) {
                        acc.set(at + 2 * e, acc.get(at + 2 * e) + reluExclusive(table, totals, first, r, 2 * e, width, w, chunk));
                        acc.set(at + 2 * e + 1, acc.get(at + 2 * e + 1) + r);
                        acc.set(at + 3 * e + 2, acc.get(at + 3 * e + 2) + reluPrefix(table, totals, first, w, 2 * e, width, w, chunk));
                    }
                }
            }
        }
    }

    /**
     * Adds the left block's weighted window sum to the bump accumulator, as CombineKernels.bump does
     * for the whole sequence: each window difference half by half, (hi − hi) + (lo − lo), and an
     * empty side skipped (|s/b| may exceed float32's range, and ∞·0 is NaN).
     */
    public static void bumpAccumulate(FloatArray s, IntArray windows, FloatArray sigma, FloatArray table, FloatArray tableLow,
                                      FloatArray factors, IntArray params, FloatArray acc, int n, int paddedN, int e) {
        int width = 2 * e;
        int heads = sigma.getSize();
        int w = params.get(0);
        int rows = s.getSize();
        for (@Parallel int c = 0; c < e; c++) {
            for (@Parallel int row = 0; row < rows; row++) {
                int p = row / n;
                int i = row - p * n;
                if ((i & w) != 0) {
                    int left = i - (i & (2 * w - 1));
                    int blockAt = (p * paddedN + left) * width + c;
                    int l = windows.get(3 * row);
                    int r = windows.get(3 * row + 1);
                    int h = windows.get(3 * row + 2);
                    float bandwidth = factors.get(2 * heads + p);
                    float ratio = s.get(row) / bandwidth;
                    float inverseWidth = sigma.get(p) / bandwidth;
                    float value = 0.0f;
                    if (r > l) {
                        float a = (exclusive(table, blockAt, r, width) - exclusive(table, blockAt, l, width))
                                + (exclusive(tableLow, blockAt, r, width) - exclusive(tableLow, blockAt, l, width));
                        float b = (exclusive(table, blockAt + e, r, width) - exclusive(table, blockAt + e, l, width))
                                + (exclusive(tableLow, blockAt + e, r, width) - exclusive(tableLow, blockAt + e, l, width));
                        value += (1.0f - ratio) * a + b * inverseWidth;
                    }
                    if (h > r) {
                        float a = (exclusive(table, blockAt, h, width) - exclusive(table, blockAt, r, width))
                                + (exclusive(tableLow, blockAt, h, width) - exclusive(tableLow, blockAt, r, width));
                        float b = (exclusive(table, blockAt + e, h, width) - exclusive(table, blockAt + e, r, width))
                                + (exclusive(tableLow, blockAt + e, h, width) - exclusive(tableLow, blockAt + e, r, width));
                        value += (1.0f + ratio) * a - b * inverseWidth;
                    }
                    acc.set(row * e + c, acc.get(row * e + c) + value);
                }
            }
        }
    }

    // ---------------------------------------------------------------- after the levels

    /**
     * The ReLU's outputs from the accumulators (class comment), with C = min(i + 1, L) keys seen and
     * ŝ clamped as in CombineKernels; 0 where Z ≤ 0 (every seen key equals s) and for rows i ≥ M.
     */
    public static void reluCombine(FloatArray s, FloatArray sigma, FloatArray acc, IntArray lengths, FloatArray factors,
                                   FloatArray out, int n, int e) {
        int accWidth = 3 * e + RELU_EXTRA;
        int heads = sigma.getSize();
        int rows = s.getSize();
        for (@Parallel int c = 0; c < e; c++) {
            for (@Parallel int row = 0; row < rows; row++) {
                int p = row / n;
                int i = row - p * n;
                int at = row * accWidth;
                float seen = Math.min(i + 1, lengths.get(p));
                float scaled = Math.max(-CombineKernels.QUERY_CLAMP, Math.min(CombineKernels.QUERY_CLAMP, s.get(row) / sigma.get(p)));
                float count = acc.get(at + 2 * e + 1);
                float keysBelow = acc.get(at + 2 * e);
                float z = scaled * (2.0f * count - seen) + (acc.get(at + 3 * e + 2) - 2.0f * keysBelow);
                // N = ŝ·(ΣU − μ'·count) − (Στ̂U − μ'·Στ̂) with μ' = ΣU_seen / C, each bracket as (x·C − ΣU_seen·y) / C:
                // when every seen key lies below s, ΣU and ΣU_seen are the same float (same sums in the same order)
                // and the bracket is exactly 0, as it is mathematically. Through μ' it kept a rounding of ŝ·ΣU,
                // which is all there is when the exact output is 0 (measured: 4.5e-5 relative with all keys equal).
                float seenValues = acc.get(at + 2 * e + 2 + c);
                float centred = (acc.get(at + c) * seen - seenValues * count) / seen;
                float centredMoment = (acc.get(at + e + c) * seen - seenValues * keysBelow) / seen;
                float numerator = scaled * centred - centredMoment;
                float value = 0.0f;
                if (z > 0.0f) {
                    value = numerator / z * (2.0f * factors.get(p));
                }
                if (i >= lengths.get(heads + p)) {
                    value = 0.0f;
                }
                out.set(row * e + c, value);
            }
        }
    }

    /** The bump's outputs: ν·Σ/C with C = min(i + 1, L) keys seen; 0 for rows i ≥ M. */
    public static void bumpCombine(FloatArray acc, IntArray lengths, FloatArray factors, FloatArray out, int n, int e) {
        int heads = lengths.getSize() / 2;
        int rows = out.getSize() / e;
        for (@Parallel int c = 0; c < e; c++) {
            for (@Parallel int row = 0; row < rows; row++) {
                int p = row / n;
                int i = row - p * n;
                float seen = Math.min(i + 1, lengths.get(p));
                float value = acc.get(row * e + c) / seen * factors.get(p);
                if (i >= lengths.get(heads + p)) {
                    value = 0.0f;
                }
                out.set(row * e + c, value);
            }
        }
    }
}
