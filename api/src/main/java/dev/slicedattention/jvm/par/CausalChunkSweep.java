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
 * <p>The workers split the columns of V: each carries the whole sweep for its columns (and the first
 * also the ReLU's D), so no worker needs another's running sums.
 */
final class CausalChunkSweep {
    private CausalChunkSweep() {}

    /**
     * Adds the cross-chunk pairs to {@code sums}. {@code perm}, {@code tau}: the keys in order of t and
     * their t; {@code rows}: their value rows in that order; {@code ranks}: the queries in order of s
     * with their ranks among tau (and the bump's window ends).
     */
    static void cross(Workers workers, CausalSums sums, int chunkWidth, int[] perm, float[] tau, float[] rows,
                      ParallelRanks.SortedRanks ranks) {
        int e = sums.e;
        int chunks = (Math.max(sums.n, sums.m) + chunkWidth - 1) / chunkWidth;
        int parts = Math.max(1, Math.min(e, workers.threads()));
        workers.forEach(parts, part -> {
            int c0 = Workers.bound(e, parts, part), c1 = Workers.bound(e, parts, part + 1);
            Sweep sweep = new Sweep(sums, chunkWidth, chunks, perm, tau, rows, c0, c1);
            if (sums.bump) {
                sweep.bump(ranks);
            } else {
                sweep.relu(ranks, part == 0);
            }
        });
    }

    /** One worker's sweep over the columns [c0, c1). */
    private static final class Sweep {
        private final CausalSums sums;
        private final int chunkWidth, chunks, c0, c1;
        private final int[] perm;
        private final float[] tau, rows;

        Sweep(CausalSums sums, int chunkWidth, int chunks, int[] perm, float[] tau, float[] rows, int c0, int c1) {
            this.sums = sums;
            this.chunkWidth = chunkWidth;
            this.chunks = chunks;
            this.perm = perm;
            this.tau = tau;
            this.rows = rows;
            this.c0 = c0;
            this.c1 = c1;
        }

        /** Passes the sorted keys [from, to) into the tree; keys of the last chunk precede no query of a later one. */
        void pass(ChunkFenwickTree tree, int from, int to) {
            for (int k = from; k < to; k++) {
                int chunk = perm[k] / chunkWidth;
                if (chunk < chunks - 1) {
                    tree.add(chunk, rows, k * sums.e + c0, tau[k]);
                }
            }
        }

        void relu(ParallelRanks.SortedRanks ranks, boolean scalars) {
            int[] order = ranks.order(), rank = ranks.rank();
            float[] value = ranks.value();
            ChunkFenwickTree tree = new ChunkFenwickTree(chunks, c1 - c0);
            double[] row = new double[c1 - c0];
            AccumulatorRows out = new AccumulatorRows(sums.a, scalars ? sums.d : null, sums.e, c0, c1);
            int r = 0;
            for (int q = 0; q < order.length; q++) {
                pass(tree, r, rank[q]);
                r = rank[q];
                int i = order[q], chunk = i / chunkWidth;
                if (chunk > 0) {
                    double si = value[q];
                    java.util.Arrays.fill(row, 0.0);
                    tree.foldBelow(chunk, si, -1.0, row);            // A: s_i·ΣV − ΣtV
                    out.put(i, row, scalars ? tree.distancesBelow(chunk, si) : 0.0);
                }
            }
            out.flush();
        }

        /**
         * The bump's window as {@link CausalMergeWalk}'s: three trees of the keys below s − b, below s
         * and at most s + b. The window's two linear pieces, (1 − s/b)·ΣV + ΣtV/b over [s − b, s) and
         * (1 + s/b)·ΣV − ΣtV/b over [s, s + b], are the trees' sums combined.
         */
        void bump(ParallelRanks.SortedRanks ranks) {
            int[] order = ranks.order(), rank = ranks.rank(), low = ranks.low(), high = ranks.high();
            float[] value = ranks.value();
            double inverseWidth = 1.0 / sums.width;
            ChunkFenwickTree lowTree = new ChunkFenwickTree(chunks, c1 - c0);
            ChunkFenwickTree centreTree = new ChunkFenwickTree(chunks, c1 - c0);
            ChunkFenwickTree highTree = new ChunkFenwickTree(chunks, c1 - c0);
            double[] row = new double[c1 - c0];
            AccumulatorRows out = new AccumulatorRows(sums.a, null, sums.e, c0, c1);
            int l = 0, r = 0, h = 0;
            for (int q = 0; q < order.length; q++) {
                pass(lowTree, l, low[q]);
                l = low[q];
                pass(centreTree, r, rank[q]);
                r = rank[q];
                pass(highTree, h, high[q]);
                h = high[q];
                int i = order[q], chunk = i / chunkWidth;
                if (chunk > 0) {
                    double ratio = value[q] * inverseWidth, under = 1.0 - ratio, over = 1.0 + ratio;
                    java.util.Arrays.fill(row, 0.0);
                    lowTree.foldBelow(chunk, -under, -inverseWidth, row);
                    centreTree.foldBelow(chunk, under - over, 2.0 * inverseWidth, row);
                    highTree.foldBelow(chunk, over, -inverseWidth, row);
                    out.put(i, row, 0.0);
                }
            }
            out.flush();
        }
    }
}
