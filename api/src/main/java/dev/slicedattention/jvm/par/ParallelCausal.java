package dev.slicedattention.jvm.par;

import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.Kernel;

/**
 * Causal mode on all cores (SPEC §5): divide and conquer over the sequence (the CDQ scheme). At level
 * w the sequence is cut into blocks of 2w; in each, the first w positions' keys act on the last w
 * positions' queries — the only pairs j &lt; i that cross the cut — through the forward pass's own
 * primitives: the left keys sorted by t, the right queries sorted by s, and one merge walk that
 * carries running sums (count, Σt, ΣV, ΣtV) to each query. Pairs j = i are the level below the first.
 * Every pair j ≤ i is counted at exactly one level, so the accumulated sums are those the sequential
 * twin's Fenwick tree returns. Blocks of one level are independent (parallel); within a level the
 * sorted orders come from merging the level below (bottom-up merge sort), so the whole is
 * O(n·e·log n) work and O(log n) levels deep. All sums in float64, as the twin's.
 *
 * <p>The bump walks three pointers instead of one (s − b, s, s + b) and adds each query's window
 * contribution directly; the ReLU kernel finishes with the twin's formula and the running mean μ_i.
 */
public final class ParallelCausal {
    private ParallelCausal() {}

    public static float[] forward(Workers workers, AttentionBatch batch, StageTimes times) {
        float[] out = new float[batch.outputLength()];
        for (int p = 0; p < batch.heads(); p++) {
            forwardHead(workers, batch, p, out, times);
        }
        return out;
    }

    private static void forwardHead(Workers workers, AttentionBatch batch, int p, float[] out, StageTimes times) {
        int n = batch.keyLength(p), m = batch.queryLength(p), e = batch.e();
        int keyRow = p * batch.n(), queryRow = p * batch.m();
        boolean bump = batch.kernel() == Kernel.BUMP;
        long start = System.nanoTime();
        float[][] scalars = ParallelProjection.scalars(workers, batch, p);
        float[] s = scalars[0], t = scalars[1];
        long projected = System.nanoTime();

        int length = Math.max(n, m);
        Walk walk = new Walk(s, t, batch.v(), keyRow, n, m, e, bump ? batch.bandwidth(p) : Float.NaN);
        // keyOrder / queryOrder: indices sorted by t / by s within every aligned block of the current width.
        int[] keyOrder = new int[length], queryOrder = new int[length];
        int[] spareKeys = new int[length], spareQueries = new int[length];
        for (int i = 0; i < length; i++) {
            keyOrder[i] = i;
            queryOrder[i] = i;
        }
        // Width 0: the diagonal pairs j = i.
        workers.forRange(Math.min(n, m), 4096, (from, to) -> {
            for (int i = from; i < to; i++) {
                walk.pair(i, i);
            }
        });
        for (int width = 1; width < length; width <<= 1) {
            int w = width;
            int blocks = (length + 2 * w - 1) / (2 * w);
            int[] keys = keyOrder, queries = queryOrder;
            // Few blocks at the top levels: split each block's queries so that every worker has work.
            int splits = Math.max(1, workers.threads() * 2 / blocks);
            workers.forEach(blocks * splits, task -> {
                int block = task / splits, part = task % splits;
                int lo = block * 2 * w, mid = Math.min(length, lo + w), hi = Math.min(length, lo + 2 * w);
                if (mid >= hi) {
                    return;
                }
                int from = mid + Workers.bound(hi - mid, splits, part), to = mid + Workers.bound(hi - mid, splits, part + 1);
                walk.cross(keys, lo, mid, queries, from, to);
            });
            // Merge the sorted halves into sorted blocks of width 2w, for the next level.
            int[] mergedKeys = spareKeys, mergedQueries = spareQueries;
            workers.forEach(blocks, block -> {
                int lo = block * 2 * w, mid = Math.min(length, lo + w), hi = Math.min(length, lo + 2 * w);
                merge(keys, lo, mid, hi, mergedKeys, walk::keyValue);
                merge(queries, lo, mid, hi, mergedQueries, walk::queryValue);
            });
            spareKeys = keyOrder;
            spareQueries = queryOrder;
            keyOrder = mergedKeys;
            queryOrder = mergedQueries;
        }
        long summed = System.nanoTime();
        walk.finish(out, queryRow * e, workers);
        long combined = System.nanoTime();
        times.add(Stage.PROJECTION, projected - start);
        times.add(Stage.PREFIX_SUM, summed - projected);
        times.add(Stage.COMBINE, combined - summed);
    }

    /** Merges sorted runs order[lo, mid) and order[mid, hi) by {@code value} into target[lo, hi); ties keep index order. */
    private static void merge(int[] order, int lo, int mid, int hi, int[] target, java.util.function.IntToDoubleFunction value) {
        int a = lo, b = mid, k = lo;
        while (a < mid && b < hi) {
            double va = value.applyAsDouble(order[a]), vb = value.applyAsDouble(order[b]);
            target[k++] = va <= vb ? order[a++] : order[b++];
        }
        while (a < mid) {
            target[k++] = order[a++];
        }
        while (b < hi) {
            target[k++] = order[b++];
        }
    }

    /** The accumulators and the walk of one problem. */
    private static final class Walk {
        final float[] s, t, v;
        final int keyRow, n, m, e;
        final float width;
        final boolean bump;
        /** ReLU: per query count and Σt of the keys below it, ΣV and ΣtV (e each); bump: the weighted sum (e). */
        final double[] count, sumT, sumV, sumTV;

        Walk(float[] s, float[] t, float[] v, int keyRow, int n, int m, int e, float width) {
            this.s = s;
            this.t = t;
            this.v = v;
            this.keyRow = keyRow;
            this.n = n;
            this.m = m;
            this.e = e;
            this.width = width;
            this.bump = !Float.isNaN(width);
            this.count = bump ? null : new double[m];
            this.sumT = bump ? null : new double[m];
            this.sumV = new double[m * e];
            this.sumTV = bump ? null : new double[m * e];
        }

        double keyValue(int j) {
            return j < n ? t[j] : Double.POSITIVE_INFINITY;     // positions beyond L_p hold no key
        }

        double queryValue(int i) {
            return i < m ? s[i] : Double.POSITIVE_INFINITY;     // positions beyond M_p hold no query
        }

        /** Key j acting on query i (the diagonal). */
        void pair(int j, int i) {
            double si = s[i], tj = t[j];
            int valueRow = (keyRow + j) * e, row = i * e;
            if (bump) {
                double weight = Math.max(0.0, 1.0 - Math.abs(si - tj) / width);
                for (int c = 0; c < e; c++) {
                    sumV[row + c] += weight * v[valueRow + c];
                }
            } else if (tj < si) {
                count[i] += 1;
                sumT[i] += tj;
                for (int c = 0; c < e; c++) {
                    sumV[row + c] += v[valueRow + c];
                    sumTV[row + c] += tj * v[valueRow + c];
                }
            }
        }

        /** Keys keys[lo, mid) (sorted by t) on queries queries[from, to) (sorted by s, a run of the right half). */
        void cross(int[] keys, int lo, int mid, int[] queries, int from, int to) {
            // Keys beyond L_p sort last (t = +inf): only keys[lo, end) are real.
            int end = lo;
            for (int k = lo; k < mid; k++) {
                if (keys[k] < n) {
                    end = k + 1;
                }
            }
            if (bump) {
                crossBump(keys, lo, end, queries, from, to);
                return;
            }
            double runCount = 0, runT = 0;
            double[] runV = new double[e], runTV = new double[e];
            int k = lo;
            for (int q = from; q < to; q++) {
                int i = queries[q];
                if (i >= m) {
                    break;                                      // queries beyond M_p sort last
                }
                double si = s[i];
                while (k < end && t[keys[k]] < si) {
                    int j = keys[k++];
                    double tj = t[j];
                    int valueRow = (keyRow + j) * e;
                    runCount += 1;
                    runT += tj;
                    for (int c = 0; c < e; c++) {
                        double value = v[valueRow + c];
                        runV[c] += value;
                        runTV[c] += tj * value;
                    }
                }
                count[i] += runCount;
                sumT[i] += runT;
                int row = i * e;
                for (int c = 0; c < e; c++) {
                    sumV[row + c] += runV[c];
                    sumTV[row + c] += runTV[c];
                }
            }
        }

        private void crossBump(int[] keys, int lo, int end, int[] queries, int from, int to) {
            double[][] run = {new double[2 * e], new double[2 * e], new double[2 * e]};   // at l, r, h: ΣV | ΣtV
            int[] at = {lo, lo, lo};
            for (int q = from; q < to; q++) {
                int i = queries[q];
                if (i >= m) {
                    break;
                }
                double si = s[i];
                double[] limits = {si - width, si, si + width};
                for (int pointer = 0; pointer < 3; pointer++) {
                    double[] sums = run[pointer];
                    int k = at[pointer];
                    // l and r count keys strictly below their limit, h those at most its limit.
                    while (k < end && (t[keys[k]] < limits[pointer] || (pointer == 2 && t[keys[k]] == limits[pointer]))) {
                        int j = keys[k++];
                        double tj = t[j];
                        int valueRow = (keyRow + j) * e;
                        for (int c = 0; c < e; c++) {
                            double value = v[valueRow + c];
                            sums[c] += value;
                            sums[e + c] += tj * value;
                        }
                    }
                    at[pointer] = k;
                }
                double under = 1.0 - si / width, over = 1.0 + si / width;
                double[] l = run[0], r = run[1], h = run[2];
                int row = i * e;
                for (int c = 0; c < e; c++) {
                    sumV[row + c] += under * (r[c] - l[c]) + (r[e + c] - l[e + c]) / width
                            + over * (h[c] - r[c]) - (h[e + c] - r[e + c]) / width;
                }
            }
        }

        /** The outputs: the ReLU formula with the running mean, or the bump's division by the visible count. */
        void finish(float[] out, int offset, Workers workers) {
            // Running totals over the sequence (count, Σt, ΣV) at each query: a sequential prefix, O(n·e).
            double[] totalV = new double[e];
            double totalT = 0;
            double[] seenT = new double[m];
            double[] seenV = bump ? null : new double[m * e];
            for (int i = 0; i < m; i++) {
                if (i < n) {
                    totalT += t[i];
                    for (int c = 0; c < e; c++) {
                        totalV[c] += v[(keyRow + i) * e + c];
                    }
                }
                seenT[i] = totalT;
                if (!bump) {
                    System.arraycopy(totalV, 0, seenV, i * e, e);
                }
            }
            workers.forRange(m, 2048, (from, to) -> {
                for (int i = from; i < to; i++) {
                    int visible = Math.min(i + 1, n);
                    int row = i * e;
                    if (bump) {
                        for (int c = 0; c < e; c++) {
                            out[offset + row + c] = (float) (sumV[row + c] / visible);
                        }
                        continue;
                    }
                    double si = s[i];
                    double z = si * (2.0 * count[i] - visible) + seenT[i] - 2.0 * sumT[i];
                    for (int c = 0; c < e; c++) {
                        double mu = seenV[row + c] / visible;
                        double numerator = si * sumV[row + c] - sumTV[row + c] - mu * (si * count[i] - sumT[i]);
                        out[offset + row + c] = z > 0.0 ? (float) (2.0 * numerator / z) : 0.0f;
                    }
                }
            });
        }
    }
}
