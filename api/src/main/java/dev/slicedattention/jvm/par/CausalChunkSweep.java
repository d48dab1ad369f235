package dev.slicedattention.jvm.par;

/**
 * The pairs of {@link ParallelCausal} that cross chunks: the sequence is cut into C chunks of W
 * positions, and key j acts on query i when j's chunk comes before i's (then j &lt; i) and t_j &lt; s_i.
 * Pairs within one chunk are the divide and conquer's, at its levels below W.
 *
 * <p>One sweep does it, the forward pass's (SPEC §2's "sort keys and queries together and run one
 * scan"): keys in order of t, queries in order of s, each key passed before the queries above it. Where
 * the forward pass carries one row of running sums, this one carries a {@link ChunkFenwickTree} of them,
 * one entry per chunk; a query reads the sums over the chunks before its own and folds them into its
 * accumulators ({@link CausalSums}) once. Why: the divide and conquer's top levels, each a walk over
 * half the sequence, gather V rows and update accumulators at random over hundreds of MB, level after
 * level; here the value rows are read once, in sorted order (scattered there beforehand as the forward
 * pass does), the tree stays in cache, and each accumulator row is touched once.
 *
 * <p>The workers split the sorted queries: each sweeps its own range of them over all columns, its
 * trees first built in bulk from the keys before its range ({@link ChunkFenwickTree#build()}: one row
 * update per key instead of one per tree level). Why not split the columns of V, which needs no
 * bulk build: the tree's row loops are then half as long, and C2's vector loops on 32 doubles spend
 * much of their time outside the main loop (measured: 3.6 ns per column and key added at 32 columns,
 * 2.6 at 64).
 */
final class CausalChunkSweep {
    private CausalChunkSweep() {}

    /**
     * Adds the cross-chunk pairs to {@code sums}. {@code perm}, {@code tau}: the keys in order of t and
     * their t; {@code rows}: their value rows in that order; {@code ranks}: the queries in order of s
     * with their ranks among tau (and the bump's window ends).
     */
    static void cross(Workers workers, CausalSums sums, int chunkWidth, int[] perm, float[] tau, float[] rows,
                      ParallelRanks.SortedRanks ranks, Workspace workspace) {
        int chunks = (Math.max(sums.n, sums.m) + chunkWidth - 1) / chunkWidth;
        int[] rank = ranks.rank();
        int queries = ranks.order().length;
        int parts = Math.max(1, Math.min(workers.threads(), queries / MIN_QUERIES));
        int[] start = new int[parts + 1];
        for (int part = 0; part <= parts; part++) {
            start[part] = balancedStart(rank, queries, parts, part);
        }
        // The bump's rings, one per part, sized before the parts run (the workspace is not shared).
        double[][] rings = new double[parts][];
        int[] capacity = new int[parts];
        if (sums.bump) {
            for (int part = 0; part < parts; part++) {
                capacity[part] = bumpRingRows(ranks, start[part], start[part + 1]);
                rings[part] = workspace.causalRing(part, (long) capacity[part] * sums.e);
            }
        }
        workers.forEach(parts, part -> {
            int from = start[part], to = start[part + 1];
            if (from < to) {
                Sweep sweep = new Sweep(sums, chunkWidth, chunks, perm, tau, rows);
                if (sums.bump) {
                    sweep.bump(ranks, from, to, rings[part], capacity[part]);
                } else {
                    sweep.relu(ranks, from, to);
                }
            }
        });
    }

    /** Fewest sorted queries per part: below it the bulk builds of several parts cost more than they save. */
    static final int MIN_QUERIES = 128;

    /**
     * The first query of part {@code part} of {@code parts}: the work up to query q is about q folds
     * and rank[q] keys passed, so the parts split q + rank[q] (non-decreasing) evenly.
     */
    static int balancedStart(int[] rank, int queries, int parts, int part) {
        if (part == 0) {
            return 0;
        }
        if (part == parts) {
            return queries;
        }
        long total = (long) queries + (queries == 0 ? 0 : rank[queries - 1]);
        long target = total * part / parts;
        int lo = 0, hi = queries;                               // the first q with q + rank[q] >= target
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (mid + (long) rank[mid] >= target) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** One worker's sweep over a range of the sorted queries, all columns of V. */
    private static final class Sweep {
        private final CausalSums sums;
        /** W = 2^chunkShift ({@link ParallelCausal#chunkWidth}): a position's chunk is a shift, not a division, in the per-key loops. */
        private final int chunkShift, chunks, e;
        private final int[] perm;
        private final float[] tau, rows;

        Sweep(CausalSums sums, int chunkWidth, int chunks, int[] perm, float[] tau, float[] rows) {
            this.sums = sums;
            if (Integer.bitCount(chunkWidth) != 1) {
                throw new IllegalArgumentException("the chunk width must be a power of two, got " + chunkWidth);
            }
            this.chunkShift = Integer.numberOfTrailingZeros(chunkWidth);
            this.chunks = chunks;
            this.perm = perm;
            this.tau = tau;
            this.rows = rows;
            this.e = sums.e;
        }

        /** Passes the sorted keys [from, to) into the tree; keys of the last chunk precede no query of a later one. */
        void pass(ChunkFenwickTree tree, int from, int to) {
            for (int k = from; k < to; k++) {
                int chunk = perm[k] >> chunkShift;
                if (chunk < chunks - 1) {
                    tree.add(chunk, rows, k * e, tau[k]);
                }
            }
        }

        /** As {@link #pass}, into the keys' own chunk entries of a tree to be built in bulk. */
        void passToEntries(ChunkFenwickTree tree, int from, int to) {
            for (int k = from; k < to; k++) {
                int chunk = perm[k] >> chunkShift;
                if (chunk < chunks - 1) {
                    tree.addToEntry(chunk, rows, k * e, tau[k]);
                }
            }
        }

        /** A tree of the sorted keys [0, to), built in bulk. */
        ChunkFenwickTree treeOfKeysBelow(int to) {
            ChunkFenwickTree tree = new ChunkFenwickTree(chunks, e);
            passToEntries(tree, 0, to);
            tree.build();
            return tree;
        }

        /** The sorted queries [from, to). */
        void relu(ParallelRanks.SortedRanks ranks, int from, int to) {
            int[] order = ranks.order(), rank = ranks.rank();
            float[] value = ranks.value();
            int r = rank[from];
            ChunkFenwickTree tree = treeOfKeysBelow(r);
            double[] row = new double[e];
            AccumulatorRows out = new AccumulatorRows(sums.a, sums.d, e, 0, e);
            for (int q = from; q < to; q++) {
                pass(tree, r, rank[q]);
                r = rank[q];
                int i = order[q], chunk = i >> chunkShift;
                if (chunk > 0) {
                    double si = value[q];
                    java.util.Arrays.fill(row, 0.0);
                    tree.foldBelow(chunk, si, -1.0, row);            // A: s_i·ΣV − ΣtV
                    out.put(i, row, tree.distancesBelow(chunk, si));
                }
            }
            out.flush();
        }

        /**
         * The bump's window with one tree, each key added once. The window's two linear pieces,
         * (1 − s/b)·ΣV + ΣtV/b over [s − b, s) and (1 + s/b)·ΣV − ΣtV/b over [s, s + b], are sums over
         * three prefixes of the sorted keys: below s − b (low), below s (rank) and at most s + b
         * (high). A query folds the tree when it holds exactly each prefix, three times as the keys
         * pass: −under·ΣV − ΣtV/b at its low edge, (under − over)·ΣV + 2·ΣtV/b at its centre and
         * over·ΣV − ΣtV/b at its high edge. Why: three trees, one per edge, add each key three times,
         * and an add (a row update per tree level) costs about twice a fold; here a key is added once
         * and a query folds three times.
         *
         * <p>Between its low and its high edge a query's partial row waits in {@code ring}, a ring
         * of rows in sorted-query order (streamed, not scattered): {@code capacity} rows, at least
         * the most queries ever between their two edges ({@link #bumpRingRows}).
         */
        void bump(ParallelRanks.SortedRanks ranks, int from, int to, double[] ring, int capacity) {
            int[] order = ranks.order(), rank = ranks.rank(), low = ranks.low(), high = ranks.high();
            float[] value = ranks.value();
            double inverseWidth = 1.0 / sums.width;
            int k = low[from];                                  // the part's first event: keys below it in bulk
            ChunkFenwickTree tree = treeOfKeysBelow(k);
            double[] row = new double[e];
            AccumulatorRows out = new AccumulatorRows(sums.a, null, e, 0, e);
            int lowQ = from, centreQ = from, highQ = from, lowSlot = 0, centreSlot = 0, highSlot = 0;
            while (highQ < to) {
                // Every edge at the prefix [0, k): low before centre before high, one query's edges
                // nesting (low ≤ rank ≤ high), so a query's row is started before it is added to.
                for (; lowQ < to && low[lowQ] <= k; lowQ++, lowSlot = next(lowSlot, capacity)) {
                    int chunk = order[lowQ] >> chunkShift;
                    if (chunk > 0) {
                        java.util.Arrays.fill(row, 0.0);
                        // An empty window (low = high) weighs exactly 0: its three folds would cancel
                        // only up to rounding, multiplied by s/b (far above the answer where |s| ≫ b).
                        if (low[lowQ] != high[lowQ]) {
                            tree.foldBelow(chunk, value[lowQ] * inverseWidth - 1.0, -inverseWidth, row);
                        }
                        System.arraycopy(row, 0, ring, lowSlot * e, e);
                    }
                }
                for (; centreQ < to && rank[centreQ] <= k; centreQ++, centreSlot = next(centreSlot, capacity)) {
                    int chunk = order[centreQ] >> chunkShift;
                    if (chunk > 0 && low[centreQ] != high[centreQ]) {
                        System.arraycopy(ring, centreSlot * e, row, 0, e);
                        tree.foldBelow(chunk, -2.0 * value[centreQ] * inverseWidth, 2.0 * inverseWidth, row);
                        System.arraycopy(row, 0, ring, centreSlot * e, e);
                    }
                }
                for (; highQ < to && high[highQ] <= k; highQ++, highSlot = next(highSlot, capacity)) {
                    int i = order[highQ], chunk = i >> chunkShift;
                    if (chunk > 0) {
                        System.arraycopy(ring, highSlot * e, row, 0, e);
                        if (low[highQ] != high[highQ]) {
                            tree.foldBelow(chunk, 1.0 + value[highQ] * inverseWidth, -inverseWidth, row);
                        }
                        out.put(i, row, 0.0);
                    }
                }
                if (highQ < to) {
                    pass(tree, k, k + 1);
                    k++;
                }
            }
            out.flush();
        }

        private static int next(int slot, int capacity) {
            return slot + 1 == capacity ? 0 : slot + 1;
        }
    }

    /**
     * The ring rows {@link Sweep#bump} needs for the sorted queries [from, to): the most of them
     * ever past their low edge and not yet past their high edge, found by walking the same edges
     * with counts only (at least 1).
     */
    static int bumpRingRows(ParallelRanks.SortedRanks ranks, int from, int to) {
        int[] low = ranks.low(), high = ranks.high();
        int most = 1, highQ = from;
        for (int lowQ = from; lowQ < to; lowQ++) {
            // Query lowQ starts at prefix low[lowQ]; by then every query with high ≤ that has ended
            // (ends come before starts at the same prefix only for other queries: a query's own
            // high is never below its low).
            while (highQ < lowQ && high[highQ] < low[lowQ]) {
                highQ++;
            }
            most = Math.max(most, lowQ + 1 - highQ);
        }
        return most;
    }
}
