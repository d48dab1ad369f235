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
 * the diagonal j = i are summed directly instead ({@link #reluTile}, {@link #bumpTile}, the jvm-par
 * {@code CausalTiles}), so the levels run for
 * w = TILE, 2·TILE, …, N/2.
 *
 * <p>Per level, with the keys sorted within every aligned block of w slots (the bitonic network of
 * {@link BitonicSortKernels} leaves exactly that after its stage k = w, the left blocks ascending):
 * <ol>
 *   <li>a segmented inclusive scan of the left blocks' rows in sorted order, over chunks of
 *       {@code chunk} rows: for the ReLU a chunk-local scan with chunk totals ({@link #reluChunkScan})
 *       and the totals turned into offsets ({@link #offsets}), which the level adds; for the
 *       bump three float-float phases, reduce then scan ({@link #bumpTotals}, {@link #bumpOffsets},
 *       {@link #bumpScan});</li>
 *   <li>each right-half query's rank in its left block by binary search (with
 *       {@link RankKernels#lowerBound}) and the prefix at that rank added to the query's accumulators:
 *       {@link #reluLevel}, {@link #bumpLevel}.</li>
 * </ol>
 * The tiles, scans, levels and the ReLU's combine run one work-item per row (query row, or chunk of sorted slots) with the columns
 * in inner loops, which is much faster on PoCL than a work-item per (column, row): see {@link #reluLevel}.
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
 *   [ ΣU (e) | Στ̂ ]                     over { j ≤ i } in the tile          (offsets 2e + 2, 3e + 2)
 * </pre>
 * (the running sums over { j ≤ i }, for the running mean, are these plus the left blocks' totals of
 * the levels where i lies in a right half: {@link #blockTotal})
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
     * (the sort stages below it run as one local launch). A tile's work doubles with TILE, and each
     * level it removes costs about the same whatever w. Measured at n = 2^18, e = 64 on PoCL (CPU),
     * once the kernels ran a row per work-item: 32 against 64 took the ReLU's tiles from 0.44 s to
     * 0.24 s per call for one more level (about 0.05 s), causal call 13% shorter; the bump's 3% (its
     * levels cost 0.26 s each, so 16 would lose there). Before, with slower levels, 64 had won.
     */
    public static final int TILE = 32;
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
     * memory twice and takes three launches (scan, offsets, level), whatever w; a tile's keys and values stay in cache, and
     * below a few dozen positions summing them is cheaper than the log₂ tile levels it replaces.
     * Keys are still in sequence order here (slot p·N + i holds t_i). One work-item per query row, the
     * sums accumulated in its row of {@code acc} (why a row: see {@link #reluLevel}).
     *
     * <p>Key j counts below query i when t_j &lt; s_i (compared unscaled, as the ranks compare s with
     * the keys), and always in the running totals. Both sums add the same u in the same order, so when
     * every key lies below s they are the same float, as reluCombine's exact 0 needs (see there).
     *
     * <p>Also zeroes the tile's slot of the block totals ({@link #blockTotal}), which the levels then
     * fill: the graph that names an array in a transfer must use it, or TornadoVM allocates nothing.
     */
    public static void reluTile(FloatArray s, FloatArray keys, FloatArray v, FloatArray mu, FloatArray sigma, IntArray lengths,
                                FloatArray factors, FloatArray acc, FloatArray blockTotals, int n, int paddedN, int e, int tile) {
        int width = 3 * e + RELU_EXTRA;
        int heads = sigma.getSize();
        for (@Parallel int row = 0; row < s.getSize(); row++) {
            int p = row / n;
            int i = row - p * n;
            int first = i - (i & (tile - 1));
            int last = Math.min(i + 1, lengths.get(p));
            float query = s.get(row);
            // σ is a power of two ≥ 1, so 1/σ is exact and key·(1/σ) is the same float as key/σ (one rounding
            // of the same real number), as in the scan: a multiply per key, not a divide.
            float inverseScale = 1.0f / sigma.get(p);
            float inverse = factors.get(heads + p);
            int at = row * width;
            int means = p * e;
            for (int c = 0; c < e; c++) {
                acc.set(at + c, 0.0f);
                acc.set(at + e + c, 0.0f);
                acc.set(at + 2 * e + 2 + c, 0.0f);
            }
            float belowKeys = 0.0f;
            float count = 0.0f;
            float seenKeys = 0.0f;
            for (int j = first; j < last; j++) {
                float key = keys.get(p * paddedN + j);
                float scaledKey = key * inverseScale;
                int values = (p * n + j) * e;
                // Branch-free: below is 1 for a key below s, else 0, and the sums below s add below·u
                // (adding an exact 0 leaves a float as it is). Why not an if around the column loop:
                // TornadoVM 5.2 miscompiles a loop-carried float updated in a branch that also holds a
                // loop — the generated OpenCL resets it at the merge (measured: count and Σ τ̂ below s
                // stayed 0 once e was large enough, 32, for the column loop not to be unrolled).
                float below = 0.0f;
                if (key < query) {
                    below = 1.0f;
                }
                float belowKey = below * scaledKey;
                for (int c = 0; c < e; c++) {
                    float u = v.get(values + c) * inverse - mu.get(means + c);
                    acc.set(at + c, acc.get(at + c) + below * u);
                    acc.set(at + e + c, acc.get(at + e + c) + belowKey * u);
                    acc.set(at + 2 * e + 2 + c, acc.get(at + 2 * e + 2 + c) + u);
                }
                belowKeys += belowKey;
                count += below;
                seenKeys += scaledKey;
            }
            acc.set(at + 2 * e, belowKeys);
            acc.set(at + 2 * e + 1, count);
            acc.set(at + 3 * e + 2, seenKeys);
            if (i == first) {
                int slot = (p * (paddedN / tile) + i / tile) * (e + 1);
                for (int c = 0; c < e + 1; c++) {
                    blockTotals.set(slot + c, 0.0f);
                }
            }
        }
    }

    /**
     * The bump's pairs inside a tile, as {@link #reluTile}: acc[row·e + c] = Σ max(0, 1 − |s_i − t_j|/b)·V_j/ν
     * over the keys j ≤ i (j &lt; L) of the query's aligned tile. Plain float sums, no float-float: the
     * levels need it because they take a window as the difference of two prefixes of a whole block,
     * which cancels; here each weight is computed directly and at most {@code tile} terms are added,
     * the rounding of any float32 sum of them. One work-item per query row, the sums accumulated in its
     * row of {@code acc} (see {@link #reluLevel}).
     */
    public static void bumpTile(FloatArray s, FloatArray keys, FloatArray v, IntArray lengths, FloatArray factors,
                                FloatArray acc, int n, int paddedN, int e, int tile) {
        int heads = lengths.getSize() / 2;
        for (@Parallel int row = 0; row < s.getSize(); row++) {
            int p = row / n;
            int i = row - p * n;
            int first = i - (i & (tile - 1));
            int last = Math.min(i + 1, lengths.get(p));
            float query = s.get(row);
            float inverse = factors.get(heads + p);
            float bandwidth = factors.get(2 * heads + p);
            // Σ (b − |s − t_j|)⁺·U_j, divided by b once at the end: the hat without a divide per key and
            // column. Each term is below 2b (|U| < 2), so a bandwidth above 2^100 is first shrunk by 2^-7
            // (exact: a power of two, and far above underflow there) to keep the sum of a tile's terms finite.
            float shrink = 1.0f;
            if (bandwidth > 0x1p100f) {
                shrink = 0x1p-7f;
            }
            int at = row * e;
            for (int c = 0; c < e; c++) {
                acc.set(at + c, 0.0f);
            }
            for (int j = first; j < last; j++) {
                // |s − t| may overflow to +∞ for keys near float32's limit: the weight is then 0, not NaN.
                float weight = Math.max(0.0f, bandwidth - Math.abs(query - keys.get(p * paddedN + j))) * shrink;
                int values = (p * n + j) * e;
                for (int c = 0; c < e; c++) {
                    acc.set(at + c, acc.get(at + c) + weight * (v.get(values + c) * inverse));
                }
            }
            for (int c = 0; c < e; c++) {
                acc.set(at + c, acc.get(at + c) / (bandwidth * shrink));
            }
        }
    }

    /**
     * The ReLU's phase 1 (of two): table[slot·width + col] = the inclusive prefix of the slot's rows
     * [ U (e) | τ̂·U (e) | τ̂ ] from the start of its chunk (w ≥ chunk) or block (w &lt; chunk: a chunk
     * then holds whole blocks), for the slots of left blocks; and, when w ≥ chunk, totals[cb·width +
     * col] = chunk cb's sum. U = V/ν − μ̂, zeros for a padding key (index ≥ L_p); τ̂ = t·(1/σ), the same
     * float as t/σ (σ is a power of two ≥ 1, so 1/σ is exact). {@link #offsets} turns the totals into
     * each chunk's offset in its block, and the level adds it ({@link #reluLevel}): one pass over the
     * rows, where reduce-then-scan (the bump's {@link #bumpTotals}, {@link #bumpScan}) evaluates them
     * twice. The bump keeps the two passes: its float-float prefixes would need a float-float add at
     * every read. Blocks inside a chunk also store their totals ({@link #blockTotal}).
     *
     * <p>One work-item per chunk, the columns in inner loops (see {@link #reluLevel} for why): each
     * slot's row is added to the previous slot's prefix, read back from the table row just written.
     */
    public static void reluChunkScan(FloatArray keys, IntArray index, FloatArray v, FloatArray mu, FloatArray sigma, IntArray lengths,
                                     FloatArray factors, IntArray params, FloatArray totals, FloatArray table, FloatArray blockTotals,
                                     int n, int paddedN, int e, int chunk, int tile) {
        int width = 2 * e + 1;
        int heads = sigma.getSize();
        int w = params.get(0);
        for (@Parallel int cb = 0; cb < totals.getSize() / width; cb++) {
            int start = cb * chunk;
            int p = start / paddedN;
            float inverseScale = 1.0f / sigma.get(p);
            float inverse = factors.get(heads + p);
            int means = p * e;
            int active = 1;
            if (w >= chunk) {
                if (((start - p * paddedN) & w) != 0) {
                    active = 0;   // a right block's chunk: its keys act on no one at this level
                }
            }
            if (active == 1) {
                for (int slot = start; slot < start + chunk; slot++) {
                    // Left blocks only (bit w clear), for the blocks inside a chunk (w < chunk).
                    if ((slot & w) == 0) {
                        int at = slot * width;
                        int fresh = 0;
                        if (slot == start) {
                            fresh = 1;
                        }
                        if ((slot & (w - 1)) == 0) {
                            fresh = 1;
                        }
                        // The previous slot's prefix, or (zeroed below) this slot's row where a chunk or
                        // block starts. Chosen arithmetically, not in the branch that zeroes the row: a
                        // value assigned in a branch that holds a loop is miscompiled (see reluTile).
                        int from = at - width * (1 - fresh);
                        if (fresh == 1) {
                            for (int col = 0; col < width; col++) {
                                table.set(at + col, 0.0f);
                            }
                        }
                        int j = index.get(slot);
                        if (j < lengths.get(p)) {
                            float scaledKey = keys.get(slot) * inverseScale;
                            int values = (p * n + j) * e;
                            for (int c = 0; c < e; c++) {
                                float u = v.get(values + c) * inverse - mu.get(means + c);
                                table.set(at + c, table.get(from + c) + u);
                                table.set(at + e + c, table.get(from + e + c) + scaledKey * u);
                            }
                            table.set(at + 2 * e, table.get(from + 2 * e) + scaledKey);
                        } else {
                            for (int col = 0; col < width; col++) {
                                table.set(at + col, table.get(from + col) + 0.0f);   // padding: a row of zeros
                            }
                        }
                        if (w < chunk) {
                            if ((slot & (w - 1)) == w - 1) {
                                int q = (p * (paddedN / tile) + (slot - p * paddedN + 1) / tile) * (e + 1);
                                for (int c = 0; c < e; c++) {
                                    blockTotals.set(q + c, table.get(at + c));
                                }
                                blockTotals.set(q + e, table.get(at + 2 * e));
                            }
                        }
                    }
                }
                if (w >= chunk) {
                    int last = (start + chunk - 1) * width;
                    for (int col = 0; col < width; col++) {
                        totals.set(cb * width + col, table.get(last + col));
                    }
                }
            }
        }
    }

    /**
     * Phase 2 (w ≥ chunk), in place: the chunk totals of each left block become exclusive offsets,
     * one sequential pass over the block's w/chunk chunks by the work-item of its first chunk, which
     * also stores the block's total ({@link #blockTotal}).
     */
    public static void offsets(FloatArray totals, IntArray params, FloatArray blockTotals, int paddedN, int chunk, int width, int e,
                               int tile) {
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
                        // The last offset plus the last chunk's total, as reluLevel adds them at rank w: the same float.
                        blockTotal(blockTotals, cb * chunk / paddedN, position + w, col, running, paddedN, e, tile);
                    }
                }
            }
        }
    }

    /**
     * Stores a left block's total of column {@code col} when the running totals need it (the U columns
     * and τ̂), at the block's right half {@code q} = left + w. Why: every query of that right half adds
     * the same total, so instead of adding it to n/2 accumulator rows per level (a third of the
     * accumulation's memory traffic), {@link #reluCombine} adds the totals of the query's levels in
     * the same order, to the same float as the levels' prefixes below s when every key lies below s. q's lowest set bit is w, so one slot per (level, block) serves
     * all levels: blockTotals[(p·N/T + q/T)·(e + 1) + c], c = e for τ̂.
     */
    public static void blockTotal(FloatArray blockTotals, int p, int q, int col, float total, int paddedN, int e, int tile) {
        int at = (p * (paddedN / tile) + q / tile) * (e + 1);
        if (col < e) {
            blockTotals.set(at + col, total);
        }
        if (col == 2 * e) {
            blockTotals.set(at + e, total);
        }
    }

    /**
     * Phase 1 of the bump's scan (levels with w ≥ chunk): totals[cb·width + col] = Σ of chunk cb's rows
     * as a float-float pair (hi in totals, lo in totalsLow), for the chunks of left blocks. Smaller
     * levels need no totals: a chunk then holds whole blocks. One work-item per chunk, the columns in
     * inner loops, the running pair kept in the chunk's totals (see {@link #reluLevel} for why).
     */
    public static void bumpTotals(FloatArray keys, IntArray index, FloatArray v, FloatArray sigma, IntArray lengths, FloatArray factors,
                                  IntArray params, FloatArray totals, FloatArray totalsLow, int n, int paddedN, int e, int chunk) {
        int width = 2 * e;
        int heads = sigma.getSize();
        int w = params.get(0);
        for (@Parallel int cb = 0; cb < totals.getSize() / width; cb++) {
            int start = cb * chunk;
            int p = start / paddedN;
            float inverseScale = 1.0f / sigma.get(p);
            float inverse = factors.get(heads + p);
            int at = cb * width;
            if (w >= chunk) {
                if (((start - p * paddedN) & w) == 0) {
                    for (int col = 0; col < width; col++) {
                        totals.set(at + col, 0.0f);
                        totalsLow.set(at + col, 0.0f);
                    }
                    for (int slot = start; slot < start + chunk; slot++) {
                        int j = index.get(slot);
                        float scaledKey = keys.get(slot) * inverseScale;
                        int values = (p * n + j) * e;
                        // The row [ U | τ̂·U ] (U = V/ν, τ̂ as in reluChunkScan), zeros for padding, added by TwoSum ({@link #twoSumInto}) as
                        // CompensatedPrefixSumKernels (and, like them, compiled without fast-math): columns c and e + c together.
                        int real = 0;
                        if (j < lengths.get(p)) {
                            real = 1;
                        }
                        for (int c = 0; c < e; c++) {
                            float x = 0.0f;
                            float y = 0.0f;
                            if (real == 1) {
                                x = v.get(values + c) * inverse;
                                y = scaledKey * x;
                            }
                            twoSumInto(totals, totalsLow, at + c, at + c, x);
                            twoSumInto(totals, totalsLow, at + e + c, at + e + c, y);
                        }
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
     * block start it holds (w &lt; chunk). One work-item per chunk, the columns in inner loops: each
     * slot's row is added to the previous slot's prefix, read back from the table (see {@link #reluLevel}).
     */
    public static void bumpScan(FloatArray keys, IntArray index, FloatArray v, FloatArray sigma, IntArray lengths, FloatArray factors,
                                IntArray params, FloatArray totals, FloatArray totalsLow, FloatArray table, FloatArray tableLow,
                                int n, int paddedN, int e, int chunk) {
        int width = 2 * e;
        int heads = sigma.getSize();
        int w = params.get(0);
        for (@Parallel int cb = 0; cb < totals.getSize() / width; cb++) {
            int start = cb * chunk;
            int p = start / paddedN;
            float inverseScale = 1.0f / sigma.get(p);
            float inverse = factors.get(heads + p);
            int active = 1;
            if (w >= chunk) {
                if (((start - p * paddedN) & w) != 0) {
                    active = 0;
                }
            }
            if (active == 1) {
                for (int slot = start; slot < start + chunk; slot++) {
                    // Left blocks only, as in reluChunkScan.
                    if ((slot & w) == 0) {
                        int at = slot * width;
                        // The previous slot's prefix, or this slot's row where a block starts (zeroed) or a
                        // chunk starts (its offset): chosen arithmetically, not in the branches that fill the
                        // row — a value assigned in a branch that holds a loop is miscompiled (see reluTile).
                        int restart = 0;
                        if ((slot & (w - 1)) == 0) {
                            restart = 1;
                        }
                        if (slot == start) {
                            restart = 1;
                        }
                        int from = at - width * (1 - restart);
                        if ((slot & (w - 1)) == 0) {
                            for (int col = 0; col < width; col++) {
                                table.set(at + col, 0.0f);
                                tableLow.set(at + col, 0.0f);
                            }
                        } else {
                            if (slot == start) {
                                for (int col = 0; col < width; col++) {
                                    table.set(at + col, totals.get(cb * width + col));
                                    tableLow.set(at + col, totalsLow.get(cb * width + col));
                                }
                            }
                        }
                        int j = index.get(slot);
                        float scaledKey = keys.get(slot) * inverseScale;
                        int values = (p * n + j) * e;
                        int real = 0;
                        if (j < lengths.get(p)) {
                            real = 1;
                        }
                        for (int c = 0; c < e; c++) {
                            float x = 0.0f;   // the row [ U | τ̂·U ] as in bumpTotals, zeros for padding
                            float y = 0.0f;
                            if (real == 1) {
                                x = v.get(values + c) * inverse;
                                y = scaledKey * x;
                            }
                            twoSumInto(table, tableLow, from + c, at + c, x);
                            twoSumInto(table, tableLow, from + e + c, at + e + c, y);
                        }
                    }
                }
            }
        }
    }

    /** (hi, lo) at {@code to} = the float-float pair at {@code from} plus x, by TwoSum (as CompensatedPrefixSumKernels). */
    public static void twoSumInto(FloatArray hiArray, FloatArray loArray, int from, int to, float x) {
        float hi = hiArray.get(from);
        float lo = loArray.get(from);
        float t = hi + x;
        float z = t - hi;
        float err = (hi - (t - z)) + (x - z) + lo;
        float sum = t + err;
        hiArray.set(to, sum);
        loArray.set(to, err - (sum - t));
    }

    // ---------------------------------------------------------------- one level: ranks and accumulation

    /** Real keys in the left block at position {@code left} of a problem with L keys: min(w, max(0, L − left)). */
    public static int realKeys(int keyLength, int left, int w) {
        return Math.min(w, Math.max(0, keyLength - left));
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
     * One ReLU level for the queries in right halves (i has bit w set): r = #{ keys of the left block
     * below s_i } by binary search over the block's real keys (they sort first in it), and the block's
     * inclusive prefix of r rows (the row's chunk-local prefix plus its chunk's offset when w ≥ chunk)
     * added to the query's accumulators, r to its count. When the rows after r − 1 are all zeros
     * (padding), that prefix is the block's total, the same float as {@link #blockTotal}'s.
     *
     * <p>One work-item per query row, the columns in an inner loop. Why: PoCL runs each work-item's
     * body as scalar code here (TornadoVM's kernels address buffers through integer arithmetic, which
     * its compiler does not vectorize), so the cost is instructions and cache lines per work-item. A
     * work-item per (column, row), as the forward pass's kernels, repeated the search and the index
     * arithmetic e times and visited the rows column by column; a row per work-item streams the
     * contiguous table and accumulator rows. Measured at n = 2^18, e = 64 on PoCL (2 shared cores,
     * TornadoVM's kernel times per call, ReLU): rank + accumulate 1.76 s became 0.41 s, the scan 0.86 s
     * 0.26 s, the tiles 0.73 s 0.42 s; the bump's level and scan about a fifth less.
     */
    public static void reluLevel(FloatArray s, FloatArray keys, IntArray lengths, IntArray params, FloatArray table, FloatArray totals,
                                 FloatArray acc, int n, int paddedN, int e, int chunk) {
        int width = 2 * e + 1;
        int accWidth = 3 * e + RELU_EXTRA;
        int w = params.get(0);
        for (@Parallel int row = 0; row < s.getSize(); row++) {
            int p = row / n;
            int i = row - p * n;
            if ((i & w) != 0) {
                int left = i - (i & (2 * w - 1));
                int count = realKeys(lengths.get(p), left, w);
                int r = RankKernels.lowerBound(keys, p * paddedN + left, count, s.get(row));
                int at = row * accWidth;
                if (r > 0) {
                    int slot = p * paddedN + left + r - 1;
                    int from = slot * width;
                    if (w >= chunk) {
                        int offset = slot / chunk * width;
                        for (int c = 0; c < 2 * e + 1; c++) {
                            acc.set(at + c, acc.get(at + c) + (totals.get(offset + c) + table.get(from + c)));
                        }
                    } else {
                        for (int c = 0; c < 2 * e + 1; c++) {
                            acc.set(at + c, acc.get(at + c) + table.get(from + c));
                        }
                    }
                }
                acc.set(at + 2 * e + 1, acc.get(at + 2 * e + 1) + r);
            }
        }
    }

    /**
     * One bump level for the queries in right halves: the window in the left block, as
     * RankKernels.windows, (l, r, h) = #{ τ &lt; s − b }, #{ τ &lt; s }, #{ τ ≤ s + b } among the block's
     * real keys, and its weighted sum added to the accumulator, as CombineKernels.bump does for the
     * whole sequence: each window difference half by half, (hi − hi) + (lo − lo), and an empty side
     * skipped (|s/b| may exceed float32's range, and ∞·0 is NaN). One work-item per query row, the
     * columns in an inner loop (see {@link #reluLevel}).
     */
    public static void bumpLevel(FloatArray s, FloatArray keys, IntArray lengths, FloatArray sigma, FloatArray table, FloatArray tableLow,
                                 FloatArray factors, IntArray params, FloatArray acc, int n, int paddedN, int e) {
        int width = 2 * e;
        int heads = sigma.getSize();
        int w = params.get(0);
        for (@Parallel int row = 0; row < s.getSize(); row++) {
            int p = row / n;
            int i = row - p * n;
            if ((i & w) != 0) {
                int left = i - (i & (2 * w - 1));
                int first = p * paddedN + left;
                int count = realKeys(lengths.get(p), left, w);
                float query = s.get(row);
                float bandwidth = factors.get(2 * heads + p);
                int l = RankKernels.lowerBound(keys, first, count, query - bandwidth);
                int r = RankKernels.lowerBound(keys, first, count, query);
                int h = RankKernels.upperBound(keys, first, count, query + bandwidth);
                int blockAt = first * width;
                float ratio = query / bandwidth;
                float inverseWidth = sigma.get(p) / bandwidth;
                int at = row * e;
                for (int c = 0; c < e; c++) {
                    float value = 0.0f;
                    if (r > l) {
                        float a = (exclusive(table, blockAt + c, r, width) - exclusive(table, blockAt + c, l, width))
                                + (exclusive(tableLow, blockAt + c, r, width) - exclusive(tableLow, blockAt + c, l, width));
                        float b = (exclusive(table, blockAt + e + c, r, width) - exclusive(table, blockAt + e + c, l, width))
                                + (exclusive(tableLow, blockAt + e + c, r, width) - exclusive(tableLow, blockAt + e + c, l, width));
                        value += (1.0f - ratio) * a + b * inverseWidth;
                    }
                    if (h > r) {
                        float a = (exclusive(table, blockAt + c, h, width) - exclusive(table, blockAt + c, r, width))
                                + (exclusive(tableLow, blockAt + c, h, width) - exclusive(tableLow, blockAt + c, r, width));
                        float b = (exclusive(table, blockAt + e + c, h, width) - exclusive(table, blockAt + e + c, r, width))
                                + (exclusive(tableLow, blockAt + e + c, h, width) - exclusive(tableLow, blockAt + e + c, r, width));
                        value += (1.0f + ratio) * a - b * inverseWidth;
                    }
                    acc.set(at + c, acc.get(at + c) + value);
                }
            }
        }
    }

    // ---------------------------------------------------------------- after the levels

    /**
     * The ReLU's outputs from the accumulators (class comment), with C = min(i + 1, L) keys seen and
     * ŝ clamped as in CombineKernels; 0 where Z ≤ 0 (every seen key equals s) and for rows i ≥ M.
     * The running totals are the tile's plus the block totals of the levels where i is in a right
     * half, added in level order, as the levels add their prefixes below s ({@link #blockTotal}).
     * One work-item per query row (see {@link #reluLevel}); the output row holds the running totals
     * until it is written.
     */
    public static void reluCombine(FloatArray s, FloatArray sigma, FloatArray acc, FloatArray blockTotals, IntArray lengths,
                                   FloatArray factors, FloatArray out, int n, int paddedN, int e, int tile) {
        int accWidth = 3 * e + RELU_EXTRA;
        int heads = sigma.getSize();
        for (@Parallel int row = 0; row < s.getSize(); row++) {
            int p = row / n;
            int i = row - p * n;
            int at = row * accWidth;
            int o = row * e;
            // The running totals ΣU_seen in the output row: the tile's, then each level's block total.
            for (int c = 0; c < e; c++) {
                out.set(o + c, acc.get(at + 2 * e + 2 + c));
            }
            float seenKeys = acc.get(at + 3 * e + 2);
            for (int w = tile; w < paddedN; w <<= 1) {
                if ((i & w) != 0) {
                    int q = (p * (paddedN / tile) + (i - (i & (w - 1))) / tile) * (e + 1);
                    for (int c = 0; c < e; c++) {
                        out.set(o + c, out.get(o + c) + blockTotals.get(q + c));
                    }
                    seenKeys += blockTotals.get(q + e);
                }
            }
            float seen = Math.min(i + 1, lengths.get(p));
            float scaled = Math.max(-CombineKernels.QUERY_CLAMP, Math.min(CombineKernels.QUERY_CLAMP, s.get(row) / sigma.get(p)));
            float count = acc.get(at + 2 * e + 1);
            float keysBelow = acc.get(at + 2 * e);
            float z = scaled * (2.0f * count - seen) + (seenKeys - 2.0f * keysBelow);
            float factor = 2.0f * factors.get(p);
            int empty = 1;
            if (z > 0.0f) {
                empty = 0;   // Z ≤ 0 (or NaN): every seen key equals s
            }
            if (i >= lengths.get(heads + p)) {
                empty = 1;
            }
            for (int c = 0; c < e; c++) {
                // N = ŝ·(ΣU − μ'·count) − (Στ̂U − μ'·Στ̂) with μ' = ΣU_seen / C, each bracket as (x·C − ΣU_seen·y) / C:
                // when every seen key lies below s, ΣU and ΣU_seen are the same float (same sums in the same order)
                // and the bracket is exactly 0, as it is mathematically. Through μ' it kept a rounding of ŝ·ΣU,
                // which is all there is when the exact output is 0 (measured: 4.5e-5 relative with all keys equal).
                float seenValues = out.get(o + c);
                float centred = (acc.get(at + c) * seen - seenValues * count) / seen;
                float centredMoment = (acc.get(at + e + c) * seen - seenValues * keysBelow) / seen;
                float numerator = scaled * centred - centredMoment;
                float value = 0.0f;
                if (empty == 0) {
                    value = numerator / z * factor;
                }
                out.set(o + c, value);
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
