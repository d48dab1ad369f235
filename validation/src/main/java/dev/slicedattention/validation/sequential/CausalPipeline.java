package dev.slicedattention.validation.sequential;

import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.Kernel;

/**
 * Causal mode's sequential twin (SPEC §5): query i sees keys j ≤ i only. A 2-D dominance sum — keys
 * before i in the sequence <em>and</em> below s_i in value — done in one pass over the sequence with a
 * Fenwick tree indexed by the keys' ranks in sorted order: step i inserts key i (its count, t, V and
 * t·V), then asks the tree for the sums over the keys inserted so far whose rank is below s_i's.
 * O(n·e·log n), every sum in float64 (the running mean μ_i and the bump's 1/(i+1) included).
 *
 * <pre>
 *   ReLU:  with c, Σt, ΣV, ΣtV over { j ≤ i : t_j &lt; s_i } and C_i, T_i, W_i over { j ≤ i }, μ_i = W_i / C_i,
 *          N = s·ΣV − ΣtV − μ_i·(s·c − Σt),   Z = s·(2c − C_i) + T_i − 2·Σt,   O_i = 2N/Z (0 where Z ≤ 0)
 *   bump:  the window sums of ΣV and ΣtV below and above s_i as in {@link Combine#bumpRow}, divided by C_i
 * </pre>
 *
 * Ragged problems: keys from L_p on are never inserted and queries from M_p on output 0.
 */
public final class CausalPipeline {
    private CausalPipeline() {}

    /** Problem p into its slice of {@code out} (float32; projections in float32 as jvm-seq's), timing the stages. */
    public static void forwardHead(AttentionBatch batch, int p, float[] out, StageTimes times) {
        double[] result = new double[batch.queryLength(p) * batch.e()];
        forwardHead(batch, p, result, times, false);
        int offset = p * batch.m() * batch.e();
        for (int i = 0; i < result.length; i++) {
            out[offset + i] = (float) result[i];
        }
    }

    /** The float64 output [P, m, e]: the sequential reference at sizes where the naive form is too slow. */
    public static double[] forward64(AttentionBatch batch) {
        double[] out = new double[batch.outputLength()];
        StageTimes ignored = new StageTimes();
        for (int p = 0; p < batch.heads(); p++) {
            double[] result = new double[batch.queryLength(p) * batch.e()];
            forwardHead(batch, p, result, ignored, true);
            System.arraycopy(result, 0, out, p * batch.m() * batch.e(), result.length);
        }
        return out;
    }

    /**
     * Problem p's first M_p output rows, in float64; the projections in float32 (jvm-seq) or, with
     * {@code float64Projection}, in float64 (the reference, which then agrees with the naive form to ~1e-15).
     */
    static void forwardHead(AttentionBatch batch, int p, double[] out, StageTimes times, boolean float64Projection) {
        int n = batch.keyLength(p), m = batch.queryLength(p), e = batch.e();
        int keyRow = p * batch.n();
        boolean bump = batch.kernel() == Kernel.BUMP;
        long start = System.nanoTime();
        double[] s, t;
        if (float64Projection) {
            double[][] scalars = SequentialPipeline64.projections(batch, p);
            s = scalars[0];
            t = scalars[1];
        } else {
            float[][] scalars = Projection.scalars(batch, p);
            s = widen(scalars[0]);
            t = widen(scalars[1]);
        }
        long projected = System.nanoTime();

        // Positions in sorted order (ties by index); tau is t sorted. float32 keys sort as packed longs
        // (KeySort); float64 keys (the reference) by a comparator.
        int[] order;
        if (float64Projection) {
            Integer[] boxed = new Integer[n];
            java.util.Arrays.setAll(boxed, j -> j);
            double[] keys = t;
            java.util.Arrays.sort(boxed, java.util.Comparator.comparingDouble(j -> keys[j]));
            order = java.util.Arrays.stream(boxed).mapToInt(Integer::intValue).toArray();
        } else {
            float[] keys = new float[n];
            for (int j = 0; j < n; j++) {
                keys[j] = (float) t[j];
            }
            order = KeySort.sort(keys).perm();
        }
        int[] position = new int[n];              // position[j]: where key j stands in sorted order
        double[] tau = new double[n];
        for (int k = 0; k < n; k++) {
            position[order[k]] = k;
            tau[k] = t[order[k]];
        }
        long sortedAt = System.nanoTime();

        double width = bump ? batch.bandwidth(p) : 0.0;
        int[] below = new int[m], rank = new int[m], above = new int[m];
        for (int i = 0; i < m; i++) {
            rank[i] = bound(tau, s[i], false);
            if (bump) {
                below[i] = bound(tau, s[i] - width, false);
                above[i] = bound(tau, s[i] + width, true);
            }
        }
        long ranked = System.nanoTime();

        Fenwick tree = new Fenwick(n, e);
        double[] sums = new double[2 * e + 2], low = new double[2 * e + 2], high = new double[2 * e + 2];
        double[] totalV = new double[e];
        double totalT = 0.0;
        int inserted = 0;
        float[] v = batch.v();
        for (int i = 0; i < m; i++) {
            if (i < n) {
                tree.add(position[i], t[i], v, (keyRow + i) * e);
                totalT += t[i];
                for (int c = 0; c < e; c++) {
                    totalV[c] += v[(keyRow + i) * e + c];
                }
                inserted++;
            }
            double si = s[i];
            int row = i * e;
            if (bump) {
                tree.prefix(below[i], low);
                tree.prefix(rank[i], sums);
                tree.prefix(above[i], high);
                double under = 1.0 - si / width, over = 1.0 + si / width;
                for (int c = 0; c < e; c++) {
                    double a = sums[2 + c] - low[2 + c], b = sums[2 + e + c] - low[2 + e + c];
                    double aa = high[2 + c] - sums[2 + c], bb = high[2 + e + c] - sums[2 + e + c];
                    out[row + c] = (under * a + b / width + over * aa - bb / width) / inserted;
                }
            } else {
                tree.prefix(rank[i], sums);
                double count = sums[0], sumT = sums[1];
                double z = si * (2.0 * count - inserted) + totalT - 2.0 * sumT;
                for (int c = 0; c < e; c++) {
                    double mu = totalV[c] / inserted;
                    double numerator = si * sums[2 + c] - sums[2 + e + c] - mu * (si * count - sumT);
                    out[row + c] = z > 0.0 ? 2.0 * numerator / z : 0.0;
                }
            }
        }
        long combined = System.nanoTime();
        times.add(Stage.PROJECTION, projected - start);
        times.add(Stage.SORT, sortedAt - projected);
        times.add(Stage.RANK, ranked - sortedAt);
        times.add(Stage.PREFIX_SUM, combined - ranked);
    }

    /** #{τ &lt; value}, or with {@code inclusive} #{τ ≤ value}, by binary search. */
    static int bound(double[] tau, double value, boolean inclusive) {
        int low = 0, high = tau.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (tau[mid] < value || (inclusive && tau[mid] == value)) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private static double[] widen(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /**
     * A Fenwick (binary indexed) tree over n sorted positions of rows [count, Σt, ΣV (e), ΣtV (e)]:
     * adding a key and summing over positions 0..k−1 each touch log₂ n rows.
     */
    static final class Fenwick {
        private final int n, width, e;
        private final double[] rows;

        Fenwick(int n, int e) {
            this.n = n;
            this.e = e;
            this.width = 2 * e + 2;
            this.rows = new double[(n + 1) * width];
        }

        void add(int position, double t, float[] v, int valueRow) {
            for (int x = position + 1; x <= n; x += x & -x) {
                int at = x * width;
                rows[at] += 1.0;
                rows[at + 1] += t;
                for (int c = 0; c < e; c++) {
                    double value = v[valueRow + c];
                    rows[at + 2 + c] += value;
                    rows[at + 2 + e + c] += t * value;
                }
            }
        }

        /** Sums over positions 0..k−1 into {@code out} (width values). */
        void prefix(int k, double[] out) {
            java.util.Arrays.fill(out, 0.0);
            for (int x = k; x > 0; x -= x & -x) {
                int at = x * width;
                for (int c = 0; c < width; c++) {
                    out[c] += rows[at + c];
                }
            }
        }
    }
}
