package dev.slicedattention.jvm.par;

/**
 * A Fenwick tree over chunk index whose entries are float64 running sums of keys: ΣV and Σt·V over a
 * range of columns of V, and the count and Σt. {@link CausalChunkSweep} adds each key to the entry of
 * its chunk and asks, at each query, for the sums over all chunks before the query's own.
 *
 * <p>Why a Fenwick tree: a key of chunk c changes the prefixes of every later chunk, and a query needs
 * one prefix; the tree makes both O(log C) rows instead of O(C) and O(1). Why over chunks, not over
 * positions (the sequential twin's tree): with C a few hundred the whole tree, C·2·columns doubles,
 * stays in a core's L2 cache, where a tree over 2^20 positions is 1 GiB touched at random.
 */
final class ChunkFenwickTree {
    // Node x (1-based) holds the sums of chunks (x − lowbit(x), x]. Separate arrays for V and t·V so
    // that the column loops visibly do not overlap (a condition for C2 to vectorise them).
    private final double[][] sumV, sumTV;
    private final double[] count, sumT;
    private final int chunks, columns;

    ChunkFenwickTree(int chunks, int columns) {
        this.chunks = chunks;
        this.columns = columns;
        this.sumV = new double[chunks + 1][columns];
        this.sumTV = new double[chunks + 1][columns];
        this.count = new double[chunks + 1];
        this.sumT = new double[chunks + 1];
    }

    /** Adds a key of chunk {@code chunk}: t, and its values values[from, from + columns). */
    void add(int chunk, float[] values, int from, double t) {
        for (int x = chunk + 1; x <= chunks; x += x & -x) {
            addToNode(x, values, from, t);
        }
    }

    /**
     * Adds a key to its chunk's own entry only, for a tree built in bulk: the sums are not a tree's
     * until {@link #build()}. One row update per key instead of one per level of the tree.
     */
    void addToEntry(int chunk, float[] values, int from, double t) {
        addToNode(chunk + 1, values, from, t);
    }

    private void addToNode(int x, float[] values, int from, double t) {
        // Two loops, each storing into one array: in one loop C2 cannot rule out that v and tv are
        // the same array and leaves it scalar (measured 3× slower).
        double[] v = sumV[x];
        for (int c = 0; c < columns; c++) {
            v[c] += values[from + c];
        }
        double[] tv = sumTV[x];
        for (int c = 0; c < columns; c++) {
            tv[c] += t * values[from + c];
        }
        count[x] += 1.0;
        sumT[x] += t;
    }

    /**
     * Turns per-chunk entries ({@link #addToEntry}) into the tree, in O(C) rows: in increasing order
     * each node, complete by then, adds its sums into its parent x + lowbit(x), which covers its range.
     */
    void build() {
        for (int x = 1; x <= chunks; x++) {
            int parent = x + (x & -x);
            if (parent <= chunks) {
                double[] v = sumV[x], tv = sumTV[x], parentV = sumV[parent], parentTV = sumTV[parent];
                for (int c = 0; c < columns; c++) {
                    parentV[c] += v[c];
                }
                for (int c = 0; c < columns; c++) {
                    parentTV[c] += tv[c];
                }
                count[parent] += count[x];
                sumT[parent] += sumT[x];
            }
        }
    }

    /** Copies this tree's sums (entries or nodes) into {@code other}, of the same shape. */
    void copyInto(ChunkFenwickTree other) {
        for (int x = 0; x <= chunks; x++) {
            System.arraycopy(sumV[x], 0, other.sumV[x], 0, columns);
            System.arraycopy(sumTV[x], 0, other.sumTV[x], 0, columns);
        }
        System.arraycopy(count, 0, other.count, 0, chunks + 1);
        System.arraycopy(sumT, 0, other.sumT, 0, chunks + 1);
    }

    /**
     * Adds α·ΣV + β·Σt·V over the keys of chunks [0, chunk) to out, node by node: every use is such a
     * combination (the ReLU's s·ΣV − ΣtV; the bump's window pieces), and folding the nodes straight into
     * out needs no separate ΣV and ΣtV rows.
     */
    void foldBelow(int chunk, double alpha, double beta, double[] out) {
        // Two nodes per pass over the columns: out is read and written once per pair, not per node
        // (a fold of 256 chunks' tree measured 100 → 85 ns).
        int x = chunk;
        while (x > 0) {
            int next = x - (x & -x);
            double[] v = sumV[x], tv = sumTV[x];
            if (next == 0) {
                for (int c = 0; c < columns; c++) {
                    out[c] += alpha * v[c] + beta * tv[c];
                }
                return;
            }
            double[] v2 = sumV[next], tv2 = sumTV[next];
            for (int c = 0; c < columns; c++) {
                out[c] += alpha * (v[c] + v2[c]) + beta * (tv[c] + tv2[c]);
            }
            x = next - (next & -next);
        }
    }

    /** Σ (s − t_j) over the keys of chunks [0, chunk): s·count − Σt, the ReLU's D part (see {@link CausalSums}). */
    double distancesBelow(int chunk, double s) {
        double keys = 0.0, t = 0.0;
        for (int x = chunk; x > 0; x -= x & -x) {
            keys += count[x];
            t += sumT[x];
        }
        return s * keys - t;
    }
}
