package dev.slicedattention.validation;

/**
 * The literal definition of SPEC §1 evaluated in float64: the ground truth of every check.
 *
 * <pre>
 *   s_i = &lt;θ, Q_i&gt;,  t_j = &lt;θ, K_j&gt;,  μ = mean_j V_j
 *   O_i = Σ_j max(s_i − t_j, 0)·(V_j − μ) / Σ_j |s_i − t_j|     (0 when the denominator is 0)
 * </pre>
 *
 * It costs O(m·n·e) per head, so it is only practical up to a few thousand keys; beyond that the
 * float64 sequential pipeline ({@link SequentialPipeline64}) stands in for it.
 */
public final class NaiveReference {
    private NaiveReference() {}

    /** The reference output [P, m, e] in float64. */
    public static double[] attend(AttentionBatch batch) {
        int heads = batch.heads(), m = batch.m(), n = batch.n(), d = batch.d(), e = batch.e();
        double[] out = new double[heads * m * e];
        for (int p = 0; p < heads; p++) {
            // s_i − t_j = <θ, Q_i − K_0> − <θ, K_j − K_0>: an identity, but without it the float64 dot
            // products of offset data (SPEC §3) round at the offset's scale, ~1e-12 of s − t at 1e3.
            // Q_ik − K_0k of two floats is exact in double, and equal rows still give equal scalars.
            double[] s = projectFrom(batch.q(), p * m, m, batch.k(), p * n, batch.theta(), p * d, d);
            double[] t = projectFrom(batch.k(), p * n, n, batch.k(), p * n, batch.theta(), p * d, d);
            double[] mu = columnMean(batch.v(), p * n, n, e);
            double[] numerator = new double[e];
            for (int i = 0; i < m; i++) {
                java.util.Arrays.fill(numerator, 0.0);
                double denominator = 0.0;
                for (int j = 0; j < n; j++) {
                    double diff = s[i] - t[j];
                    denominator += Math.abs(diff);
                    if (diff > 0) {
                        int row = (p * n + j) * e;
                        for (int c = 0; c < e; c++) {
                            numerator[c] += diff * (batch.v()[row + c] - mu[c]);
                        }
                    }
                }
                int outRow = (p * m + i) * e;
                for (int c = 0; c < e; c++) {
                    out[outRow + c] = denominator == 0.0 ? 0.0 : numerator[c] / denominator;
                }
            }
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

    /** Column means over {@code rows} rows starting at {@code firstRow}, in float64. */
    static double[] columnMean(float[] matrix, int firstRow, int rows, int cols) {
        double[] mean = new double[cols];
        for (int j = 0; j < rows; j++) {
            int row = (firstRow + j) * cols;
            for (int c = 0; c < cols; c++) {
                mean[c] += matrix[row + c];
            }
        }
        for (int c = 0; c < cols; c++) {
            mean[c] /= rows;
        }
        return mean;
    }
}
