package dev.slicedattention.jvm.par;

import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.sequential.KeySort;
import java.util.Arrays;

/**
 * Causal mode on all cores (SPEC §5): divide and conquer over the sequence (the CDQ scheme). At level
 * w the sequence is cut into blocks of 2w; in each, the first w positions' keys act on the last w
 * positions' queries — the only pairs j &lt; i that cross the cut — through the forward pass's own
 * primitives: the left keys sorted by t, the right queries sorted by s, and one merge walk that
 * carries running sums to each query ({@link CausalMergeWalk}). Below w = {@link #TILE} the recursion
 * stops: each tile sums its pairs j ≤ i directly ({@link CausalTiles}). Every pair j ≤ i is counted at
 * exactly one level or in one tile, so the accumulated sums are those the sequential twin's Fenwick
 * tree returns. Blocks of one level are independent (parallel); within a level the sorted orders come
 * from merging the level below (bottom-up merge sort, starting from tiles sorted on their own), so the
 * whole is O(n·(B + log n)·e) work and O(log n) levels deep. All sums in float64, as the twin's
 * ({@link CausalSums}, which also holds the output formula).
 *
 * <p>The levels stop at the chunk width W ({@link #chunkWidth}): the pairs whose key lies in an
 * earlier chunk than its query — all the levels from W up — are one sweep over the whole sequence
 * ({@link CausalChunkSweep}), which reads the value rows in sorted order once. Why: a top level walks
 * half the sequence's keys and queries in sorted order, which gathers V rows and updates the
 * accumulators at random over hundreds of MB; below W a block and its rows stay in cache.
 */
public final class ParallelCausal {
    /**
     * The tile B where the recursion stops. Why 32: a direct sum visits about B/2 earlier keys per
     * query and adds half of them (about B/4 row updates), a level costs about one and a half; at
     * n = 2^20 the tiles of 32, 64 and 128 took about 0.34, 0.72 and 0.98 s of CPU for the one or two
     * levels (0.13–0.17 s each) that the larger tiles remove.
     */
    static final int TILE = 32;
    /**
     * The most chunks of the sweep ({@link CausalChunkSweep}) that replaces the levels from the chunk
     * width W up, for the ReLU kernel. Why 1024: each fourfold of chunks removes two levels and adds
     * two nodes to each tree walk; with the sweep's rows written in batches ({@link AccumulatorRows})
     * 1024 chunks (W = 1024 at n = 2^20) took ≈1440 ms of CPU for sweep and levels together, 256
     * ≈1570, 2048 ≈1400–1450, 4096 ≈1460 (its tree, 2 MiB per worker, no longer fits L2).
     */
    static final int RELU_CHUNKS = 1024;
    /**
     * As {@link #RELU_CHUNKS} for the bump, whose sweep keeps three trees and so grows with log C three
     * times over: at n = 2^20, 256 chunks took ≈2650 ms of CPU for sweep and levels, 1024 ≈2750–3000.
     */
    static final int BUMP_CHUNKS = 256;

    private ParallelCausal() {}

    /** One call with its own scratch arrays. */
    public static float[] forward(Workers workers, AttentionBatch batch, StageTimes times) {
        return forward(workers, batch, times, new Workspace());
    }

    /** The output [P, m, e]; the sweep's sorted rows and sort buffers come from {@code workspace}. */
    public static float[] forward(Workers workers, AttentionBatch batch, StageTimes times, Workspace workspace) {
        return forward(workers, batch, times, workspace, batch.kernel() == Kernel.BUMP ? BUMP_CHUNKS : RELU_CHUNKS);
    }

    /** As above with at most {@code maxChunks} chunks (1: divide and conquer all the way up); tests vary it. */
    static float[] forward(Workers workers, AttentionBatch batch, StageTimes times, Workspace workspace, int maxChunks) {
        float[] out = new float[batch.outputLength()];
        for (int p = 0; p < batch.heads(); p++) {
            forwardHead(workers, batch, p, out, times, workspace, maxChunks);
        }
        return out;
    }

    /** The chunk width W: the smallest power of two from {@link #TILE} up with at most maxChunks chunks of it covering length. */
    static int chunkWidth(int length, int maxChunks) {
        int width = TILE;
        while ((long) width * maxChunks < length) {
            width <<= 1;
        }
        return width;
    }

    private static void forwardHead(Workers workers, AttentionBatch batch, int p, float[] out, StageTimes times,
                                    Workspace workspace, int maxChunks) {
        int n = batch.keyLength(p), m = batch.queryLength(p), e = batch.e();
        int keyRow = p * batch.n(), queryRow = p * batch.m();
        boolean bump = batch.kernel() == Kernel.BUMP;
        long start = System.nanoTime();
        float[][] scalars = ParallelProjection.scalars(workers, batch, p);
        float[] s = scalars[0], t = scalars[1];
        long projected = System.nanoTime();

        int length = Math.max(n, m);
        double[] accumulators = workspace.causalAccumulators(m * e), scalarSums = bump ? null : workspace.causalScalars(m);
        CausalSums sums = new CausalSums(s, t, batch.v(), keyRow, n, m, e, bump ? batch.bandwidth(p) : Double.NaN,
                accumulators, scalarSums);
        long sorted = System.nanoTime();
        // The pairs across chunks first: the sweep sets the accumulators, the tiles and levels add to them.
        int chunkWidth = chunkWidth(length, maxChunks), top = Math.min(length, chunkWidth);
        // The workspace's arrays hold the last call's sums: zero the rows the sweep does not set (the
        // first chunk's queries, which have no earlier chunk; every row when there is no sweep).
        int unswept = chunkWidth < length ? Math.min(m, chunkWidth) : m;
        workers.forRange(unswept, 4096, (from, to) -> {
            java.util.Arrays.fill(accumulators, from * e, to * e, 0.0);
            if (scalarSums != null) {
                java.util.Arrays.fill(scalarSums, from, to, 0.0);
            }
        });
        if (chunkWidth < length) {
            KeySort.SortedKeys keys = ParallelKeySort.sort(workers, t, workspace);
            float[] rows = ParallelKeyBlocks.sortedRows(workers, keys.perm(), InputRows.of(batch.v(), e), keyRow, n, workspace);
            ParallelRanks.SortedRanks ranks = ParallelRanks.ranks(workers, s, keys.tau(), n,
                    bump ? batch.bandwidth(p) : Float.NaN, workspace);
            sorted = System.nanoTime();
            CausalChunkSweep.cross(workers, sums, chunkWidth, keys.perm(), keys.tau(), rows, ranks);
        }
        long swept = System.nanoTime();
        // keyOrder / queryOrder: positions sorted by t / by s within every aligned block of the current
        // width; keyT / queryS: their values alongside (+inf where a position has no key or query).
        int[] keyOrder = new int[length], queryOrder = new int[length];
        float[] keyT = new float[length], queryS = new float[length];
        sortAndSumTiles(workers, sums, length, keyOrder, keyT, queryOrder, queryS);
        // The levels below the chunk width.
        int[] spareKeys = new int[length], spareQueries = new int[length];
        float[] spareT = new float[length], spareS = new float[length];
        for (int width = TILE; width < top; width <<= 1) {
            int w = width;
            int blocks = (length + 2 * w - 1) / (2 * w);
            int[] keys = keyOrder, queries = queryOrder;
            float[] kt = keyT, qs = queryS;
            // Few blocks at the top levels: split each block's columns of V so that every worker has work.
            // Why columns, not queries: a run of queries high in s needs the running sums over nearly
            // all keys, so each part would walk the keys again; column parts share the walk evenly.
            int splits = Math.max(1, Math.min(e, workers.threads() * 2 / blocks));
            workers.forEach(blocks * splits, task -> {
                int block = task / splits, part = task % splits;
                int lo = block * 2 * w, mid = Math.min(length, lo + w), hi = Math.min(length, lo + 2 * w);
                if (mid < hi) {
                    CausalMergeWalk.cross(sums, keys, kt, lo, mid, queries, qs, mid, hi,
                            Workers.bound(e, splits, part), Workers.bound(e, splits, part + 1), part == 0);
                }
            });
            if (2 * w >= top) {
                break;                                          // the top level: nothing left to merge for
            }
            // Merge the sorted halves into sorted blocks of width 2w, for the next level.
            int[] mergedKeys = spareKeys, mergedQueries = spareQueries;
            float[] mergedT = spareT, mergedS = spareS;
            workers.forEach(blocks, block -> {
                int lo = block * 2 * w, mid = Math.min(length, lo + w), hi = Math.min(length, lo + 2 * w);
                merge(keys, kt, lo, mid, hi, mergedKeys, mergedT);
                merge(queries, qs, lo, mid, hi, mergedQueries, mergedS);
            });
            spareKeys = keyOrder;
            spareQueries = queryOrder;
            spareT = keyT;
            spareS = queryS;
            keyOrder = mergedKeys;
            queryOrder = mergedQueries;
            keyT = mergedT;
            queryS = mergedS;
        }
        long summed = System.nanoTime();
        sums.finish(out, queryRow * e, workers);
        long combined = System.nanoTime();
        times.add(Stage.PROJECTION, projected - start);
        times.add(Stage.SORT, sorted - projected);
        times.add(Stage.PREFIX_SUM, summed - sorted);
        times.add(Stage.COMBINE, combined - summed);
    }

    /** The base case: each tile's direct sums, and its keys and queries sorted, the runs the first level walks. */
    private static void sortAndSumTiles(Workers workers, CausalSums sums, int length, int[] keyOrder, float[] keyT, int[] queryOrder, float[] queryS) {
        int tiles = (length + TILE - 1) / TILE;
        workers.forRange(tiles, 8, (first, last) -> {
            long[] packed = new long[TILE];
            for (int tile = first; tile < last; tile++) {
                int lo = tile * TILE, hi = Math.min(length, lo + TILE);
                CausalTiles.sum(sums, lo, hi);
                sortTile(sums.t, sums.n, lo, hi, packed, keyOrder, keyT);
                sortTile(sums.s, sums.m, lo, hi, packed, queryOrder, queryS);
            }
        });
    }

    /**
     * Positions [lo, hi) sorted by value (+inf from {@code count} on), ties by position, into order and
     * sorted: (value, position) packed into longs whose order is theirs ({@link KeySort#pack}).
     */
    private static void sortTile(float[] values, int count, int lo, int hi, long[] packed, int[] order, float[] sorted) {
        for (int i = lo; i < hi; i++) {
            float value = i < count ? values[i] : Float.POSITIVE_INFINITY;
            packed[i - lo] = ((long) KeySort.sortableBits(value) << 32) | i;
        }
        Arrays.sort(packed, 0, hi - lo);
        for (int k = lo; k < hi; k++) {
            order[k] = (int) packed[k - lo];
            sorted[k] = KeySort.fromSortableBits((int) (packed[k - lo] >> 32));
        }
    }

    /** Merges ascending runs [lo, mid) and [mid, hi) of order (values alongside) into target; ties keep the left first. */
    private static void merge(int[] order, float[] values, int lo, int mid, int hi, int[] target, float[] targetValues) {
        int a = lo, b = mid, k = lo;
        while (a < mid && b < hi) {
            if (values[a] <= values[b]) {
                target[k] = order[a];
                targetValues[k++] = values[a++];
            } else {
                target[k] = order[b];
                targetValues[k++] = values[b++];
            }
        }
        System.arraycopy(order, a, target, k, mid - a);
        System.arraycopy(values, a, targetValues, k, mid - a);
        k += mid - a;
        System.arraycopy(order, b, target, k, hi - b);
        System.arraycopy(values, b, targetValues, k, hi - b);
    }
}
