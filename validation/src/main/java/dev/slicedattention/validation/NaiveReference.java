package dev.slicedattention.validation;

/**
 * The literal definitions of SPEC §1 evaluated in float64: the ground truth of every check.
 *
 * <pre>
 *   s_i = &lt;θ, Q_i&gt;,  t_j = &lt;θ, K_j&gt;,  μ = mean_j V_j
 *   ReLU: O_i = 2·Σ_j max(s_i − t_j, 0)·(V_j − μ) / Σ_j |s_i − t_j|     (0 when the denominator is 0)
 *   bump: O_i = (1/n)·Σ_j max(0, 1 − |s_i − t_j|/b)·V_j
 * </pre>
 *
 * For a ragged batch (SPEC §4) j runs over problem p's first L_p keys only (μ and the bump's n
 * included), and rows i ≥ M_p are 0.
 *
 * It costs O(m·n·e) per head, so it is only practical up to a few thousand keys; beyond that the
 * float64 sequential pipeline ({@link SequentialPipeline64}) stands in for it.
 */
public final class NaiveReference {
    private NaiveReference() {}

    /** The reference output [P, m, e] in float64. */
    public static double[] attend(AttentionBatch batch) {
        int heads = batch.heads(), d = batch.d(), e = batch.e();
        int stride = batch.n(), queryStride = batch.m();
        double[] out = new double[heads * queryStride * e];
        for (int p = 0; p < heads; p++) {
            int n = batch.keyLength(p), m = batch.queryLength(p);
            // s_i − t_j = <θ, Q_i − K_0> − <θ, K_j − K_0>: an identity, but without it the float64 dot
            // products of offset data (SPEC §3) round at the offset's scale, ~1e-12 of s − t at 1e3.
            // Q_ik − K_0k of two floats is exact in double, and equal rows still give equal scalars.
            double[] s = batch.hasScalars() ? widen(batch.s(), p * queryStride, m)
                    : projectFrom(batch.q(), p * queryStride, m, batch.k(), p * stride, batch.theta(), p * d, d);
            double[] t = batch.hasScalars() ? widen(batch.t(), p * stride, n)
                    : projectFrom(batch.k(), p * stride, n, batch.k(), p * stride, batch.theta(), p * d, d);
            double[] v = widen(batch.v(), p * stride * e, n * e);
            double width = batch.kernel() == Kernel.BUMP ? batch.bandwidth(p) : 0.0;
            if (batch.isCausal()) {
                causal(batch.kernel(), width, s, t, v, e, out, p * queryStride * e);
            } else {
                kernel(batch.kernel(), width, s, t, v, e, out, p * queryStride * e);
            }
        }
        return out;
    }

    /**
     * One problem's output, the literal sums of SPEC §1 in float64: m = s.length queries, n =
     * t.length keys, V [n, e]; rows written from {@code outOffset}. Shared with the layer's float64
     * reference.
     */
    public static void kernel(Kernel kernel, double bandwidth, double[] s, double[] t, double[] v, int e,
                              double[] out, int outOffset) {
        int m = s.length, n = t.length;
        boolean bump = kernel == Kernel.BUMP;
        double[] mu = bump ? new double[e] : columnMean(v, n, e);
        double[] numerator = new double[e];
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(numerator, 0.0);
            double denominator = 0.0;
            for (int j = 0; j < n; j++) {
                double diff = s[i] - t[j];
                double weight = bump ? Math.max(0.0, 1.0 - Math.abs(diff) / bandwidth) : Math.max(diff, 0.0);
                denominator += Math.abs(diff);
                if (weight > 0) {
                    for (int c = 0; c < e; c++) {
                        numerator[c] += weight * (v[j * e + c] - mu[c]);
                    }
                }
            }
            int outRow = outOffset + i * e;
            for (int c = 0; c < e; c++) {
                if (bump) {
                    out[outRow + c] = numerator[c] / n;
                } else {
                    out[outRow + c] = denominator == 0.0 ? 0.0 : 2.0 * numerator[c] / denominator;
                }
            }
        }
    }

    /**
     * The causal form (SPEC §5), literally: query i sees the first min(i + 1, n) keys, with their
     * own mean (ReLU) and count (bump). O(m·n·e) like {@link #kernel}, which it calls per query.
     */
    public static void causal(Kernel kernel, double bandwidth, double[] s, double[] t, double[] v, int e,
                              double[] out, int outOffset) {
        for (int i = 0; i < s.length; i++) {
            int visible = Math.min(i + 1, t.length);
            kernel(kernel, bandwidth, new double[] {s[i]}, java.util.Arrays.copyOf(t, visible),
                    java.util.Arrays.copyOf(v, visible * e), e, out, outOffset + i * e);
        }
    }

    /** {@code count} values from {@code from}, as float64. */
    static double[] widen(float[] values, int from, int count) {
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            out[i] = values[from + i];
        }
        return out;
    }

    /** Row-wise dot products with θ, in float64, for {@code rows} rows starting at row {@code firstRow}. */
    static double[] project(float[] matrix, int firstRow, int rows, float[] theta, int thetaOffset, int d) {
        double[] out = new double[rows];
        for (int i = 0; i < rows; i++) {
            int row = (firstRow + i) * d;
            double sum = 0.0;
            for (int k = 0; k < d; k++) {
                sum += (double) theta[thetaOffset + k] * matrix[row + k];
            }
            out[i] = sum;
        }
        return out;
    }

    /** Row-wise <θ, X_i − X_origin> in float64, {@code origin} being a row index of {@code base}. */
    private static double[] projectFrom(float[] matrix, int firstRow, int rows, float[] base, int origin,
                                        float[] theta, int thetaOffset, int d) {
        double[] out = new double[rows];
        for (int i = 0; i < rows; i++) {
            int row = (firstRow + i) * d;
            double sum = 0.0;
            for (int k = 0; k < d; k++) {
                sum += (double) theta[thetaOffset + k] * ((double) matrix[row + k] - base[origin * d + k]);
            }
            out[i] = sum;
        }
        return out;
    }

    /** Column means of {@code rows} rows of {@code cols} values, in float64. */
    static double[] columnMean(double[] matrix, int rows, int cols) {
        double[] mean = new double[cols];
        for (int j = 0; j < rows; j++) {
            for (int c = 0; c < cols; c++) {
                mean[c] += matrix[j * cols + c];
            }
        }
        for (int c = 0; c < cols; c++) {
            mean[c] /= rows;
        }
        return mean;
    }
}
