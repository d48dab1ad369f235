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
 *
 * <p>Below W the levels run depth first: each region of R positions ({@link #regionWidth}, R = W at
 * large n) sums its tiles and then its own levels, one task, so that its accumulator and value rows
 * stay in cache from level to level; breadth first, each level was a pass over all m accumulator
 * rows (≈ 90 ms a level for the bump at 2^20; the tiles and seven levels took ≈ 790 ms wall breadth
 * first and ≈ 520 ms depth first). Only when a region of W would leave workers idle (short sequences,
 * or no sweep) do the levels from R up run breadth first, each block's columns split across workers.
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
     * As {@link #RELU_CHUNKS} for the bump. With three trees (one per window edge, each key added
     * three times) 256 chunks took ≈2650 ms of CPU for sweep and levels at n = 2^20, 1024 ≈2750–3000.
     * With one tree and three folds per query (the sweep since) and the levels depth first, 256, 512
     * and 1024 chunks measured within the machine's noise of each other (1.16–1.43 s a call against
     * the non-causal 0.29–0.37 s, interleaved runs); 256 kept.
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
            CausalChunkSweep.cross(workers, sums, chunkWidth, keys.perm(), keys.tau(), rows, ranks, workspace);
        }
        SortedRuns runs = new SortedRuns(workspace, length);
        // Depth first up to the region width R: each region of R positions runs its tiles and all its
        // levels below R in one task, while its accumulator and value rows stay in cache. Why: breadth
        // first, every level is a pass over all m accumulator rows (512 MiB at 2^20, e = 64).
        int region = regionWidth(length, top, workers.threads());
        int regions = (length + region - 1) / region, merges = 0;
        for (int w = TILE; w < region && 2 * w < top; w <<= 1) {
            merges++;
        }
        // When the regions hold every level (R reaches the chunk width), a region's rows are final as
        // soon as its task has run its levels: it writes their outputs there, while the rows are in
        // cache, instead of a pass over all m accumulator rows afterwards.
        boolean finishInRegions = region >= top;
        // The ReLU's running totals at each region's start (null for the bump, or when not finishing here).
        double[][] totalsBefore = null;
        if (finishInRegions) {
            int[] regionStarts = new int[regions];
            for (int r = 0; r < regions; r++) {
                regionStarts[r] = Math.min(m, r * region);
            }
            totalsBefore = sums.totalsBefore(regionStarts, workers);
        }
        double[][] before = totalsBefore;
        // Regions in groups, each with one buffer for the bump's gathered rows: sixteen groups per
        // worker, so that the last groups still balance the workers (the groups are taken as they free).
        int groups = Math.min(regions, 16 * workers.threads());
        float[][] gatheredRows = new float[groups][];
        for (int g = 0; g < groups; g++) {                      // the workspace is not shared: sized before the groups run
            gatheredRows[g] = workspace.causalGathered(g, CausalMergeWalk.gatheredLength(sums, region / 2, e));
        }
        workers.forEach(groups, g -> {
            float[] gathered = gatheredRows[g];
            for (int r = Workers.bound(regions, groups, g), end = Workers.bound(regions, groups, g + 1); r < end; r++) {
                int lo = r * region, hi = Math.min(length, lo + region);
                sumRegion(sums, lo, hi, region, top, runs.view(), gathered);
                if (finishInRegions) {
                    sums.finishRows(out, queryRow * e, Math.min(m, lo), Math.min(m, hi), before == null ? null : before[r]);
                }
            }
        });
        if (merges % 2 == 1) {
            runs.swap();                                        // the regions' last merges wrote the spares
        }
        // The levels from R up to the chunk width, breadth first: few blocks, each split across workers.
        for (int width = region; width < top; width <<= 1) {
            int w = width;
            int blocks = (length + 2 * w - 1) / (2 * w);
            // Few blocks at the top levels: split each block's columns of V so that every worker has work.
            // Why columns, not queries: a run of queries high in s needs the running sums over nearly
            // all keys, so each part would walk the keys again; column parts share the walk evenly.
            int splits = Math.max(1, Math.min(e, workers.threads() * 2 / blocks));
            workers.forEach(blocks * splits, task -> {
                int block = task / splits, part = task % splits;
                int lo = block * 2 * w, mid = Math.min(length, lo + w), hi = Math.min(length, lo + 2 * w);
                if (mid < hi) {
                    int c0 = Workers.bound(e, splits, part), c1 = Workers.bound(e, splits, part + 1);
                    runs.cross(sums, lo, mid, hi, c0, c1, part == 0, new float[CausalMergeWalk.gatheredLength(sums, mid - lo, c1 - c0)]);
                }
            });
            if (2 * w >= top) {
                break;                                          // the top level: nothing left to merge for
            }
            // Merge the sorted halves into sorted blocks of width 2w, for the next level.
            workers.forEach(blocks, block -> {
                int lo = block * 2 * w;
                runs.merge(lo, Math.min(length, lo + w), Math.min(length, lo + 2 * w));
            });
            runs.swap();
        }
        long summed = System.nanoTime();
        if (!finishInRegions) {
            sums.finish(out, queryRow * e, workers);
        }
        long combined = System.nanoTime();
        times.add(Stage.PROJECTION, projected - start);
        times.add(Stage.SORT, sorted - projected);
        times.add(Stage.PREFIX_SUM, summed - sorted);
        times.add(Stage.COMBINE, combined - summed);
    }


    /**
     * The region width R: the largest power of two from {@link #TILE} up to {@code top} that still
     * leaves about four regions per worker (the top levels of a short sequence stay breadth first).
     */
    static int regionWidth(int length, int top, int threads) {
        int region = TILE;
        while (region < top && (length + 2L * region - 1) / (2L * region) >= 4L * threads) {
            region <<= 1;
        }
        return region;
    }

    /**
     * Positions [lo, hi) (a region of width {@code region}, shorter at the end): its tiles, their
     * sorted orders, and every level below the region width, depth first, on {@code runs}, the
     * region's own view of the sorted runs (its merges swap the view's arrays; the caller counts them).
     */
    private static void sumRegion(CausalSums sums, int lo, int hi, int region, int top, SortedRuns runs, float[] gathered) {
        long[] packed = new long[TILE];
        for (int tile = lo; tile < hi; tile += TILE) {
            int tileEnd = Math.min(hi, tile + TILE);
            CausalTiles.sum(sums, tile, tileEnd);
            sortTile(sums.t, sums.n, tile, tileEnd, packed, runs.keys, runs.keyT);
            sortTile(sums.s, sums.m, tile, tileEnd, packed, runs.queries, runs.queryS);
        }
        for (int w = TILE; w < region; w <<= 1) {
            for (int block = lo; block + w < hi; block += 2 * w) {
                runs.cross(sums, block, block + w, Math.min(hi, block + 2 * w), 0, sums.e, true, gathered);
            }
            if (2 * w >= top) {
                break;
            }
            for (int block = lo; block < hi; block += 2 * w) {
                runs.merge(block, Math.min(hi, block + w), Math.min(hi, block + 2 * w));
            }
            runs.swap();
        }
    }

    /**
     * Positions sorted by t ({@code keys}, their t in {@code keyT}) and by s ({@code queries},
     * {@code queryS}) within every aligned block of the current width (+∞ where a position has no key
     * or query), and the spare arrays the next merge writes.
     */
    private static final class SortedRuns {
        int[] keys, queries, spareKeys, spareQueries;
        float[] keyT, queryS, spareT, spareS;

        /** The workspace's arrays (at least {@code length} long; every position is written before it is read). */
        SortedRuns(Workspace workspace, int length) {
            keys = workspace.causalRunOrder(0, length);
            queries = workspace.causalRunOrder(1, length);
            spareKeys = workspace.causalRunOrder(2, length);
            spareQueries = workspace.causalRunOrder(3, length);
            keyT = workspace.causalRunValues(0, length);
            queryS = workspace.causalRunValues(1, length);
            spareT = workspace.causalRunValues(2, length);
            spareS = workspace.causalRunValues(3, length);
        }

        private SortedRuns(SortedRuns other) {
            keys = other.keys;
            queries = other.queries;
            spareKeys = other.spareKeys;
            spareQueries = other.spareQueries;
            keyT = other.keyT;
            queryS = other.queryS;
            spareT = other.spareT;
            spareS = other.spareS;
        }

        /** The same arrays, to swap on its own (a region task's). */
        SortedRuns view() {
            return new SortedRuns(this);
        }

        /** The keys of [lo, mid) on the queries of [mid, hi), for the columns [c0, c1) ({@link CausalMergeWalk}). */
        void cross(CausalSums sums, int lo, int mid, int hi, int c0, int c1, boolean scalars, float[] gathered) {
            CausalMergeWalk.cross(sums, keys, keyT, lo, mid, queries, queryS, mid, hi, c0, c1, scalars, gathered);
        }

        /** Merges the sorted runs [lo, mid) and [mid, hi) of both orders into the spares. */
        void merge(int lo, int mid, int hi) {
            ParallelCausal.merge(keys, keyT, lo, mid, hi, spareKeys, spareT);
            ParallelCausal.merge(queries, queryS, lo, mid, hi, spareQueries, spareS);
        }

        /** Makes the spares, just merged into, the current runs. */
        void swap() {
            int[] k = keys, q = queries;
            float[] t = keyT, s = queryS;
            keys = spareKeys;
            queries = spareQueries;
            keyT = spareT;
            queryS = spareS;
            spareKeys = k;
            spareQueries = q;
            spareT = t;
            spareS = s;
        }
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
