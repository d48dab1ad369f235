package dev.slicedattention.validation.sequential;

/**
 * Stage 1, projection: s = (Q − c)θ, t = (K − c)θ and the value mean μ, for one head.
 *
 * <p>The numerical trick (SPEC §3): the operator only sees differences s_i − t_j, so any vector c
 * may be subtracted from every query and key row first. Here c is the column mean of K, rounded to
 * float32. Subtracting it <em>before</em> the dot product is what keeps float32 accurate when Q and K
 * share a large offset: Q_ik − c_k is computed exactly (or to half an ulp of a small result), while
 * projecting first and subtracting afterwards would round away the digits that distinguish the
 * keys. Queries and keys go through the same arithmetic, so a query row equal to a key row yields
 * exactly the same scalar and ties stay ties.
 *
 * <p>Storage is float32; sums are accumulated in float64, as accurately as float32 storage allows.
 */
public final class Projection {
    private Projection() {}

    /** Column means of {@code rows} rows of a row-major matrix, accumulated in float64, stored as float32. */
    public static float[] centre(float[] matrix, int firstRow, int rows, int cols) {
        double[] sum = columnSums(matrix, firstRow, rows, cols);
        float[] centre = new float[cols];
        for (int c = 0; c < cols; c++) {
            centre[c] = (float) (sum[c] / rows);
        }
        return centre;
    }

    /** The value mean μ in float64 (e values: keeping it exact costs nothing and avoids a systematic bias). */
    public static double[] valueMean(float[] values, int firstRow, int rows, int cols) {
        double[] mean = columnSums(values, firstRow, rows, cols);
        for (int c = 0; c < cols; c++) {
            mean[c] /= rows;
        }
        return mean;
    }

    private static double[] columnSums(float[] matrix, int firstRow, int rows, int cols) {
        double[] sum = new double[cols];
        for (int j = 0; j < rows; j++) {
            int row = (firstRow + j) * cols;
            for (int c = 0; c < cols; c++) {
                sum[c] += matrix[row + c];
            }
        }
        return sum;
    }

    /**
     * Projected rows: out[i] = Σ_k θ_k·(X_ik − c_k) for {@code rows} rows starting at {@code firstRow}.
     *
     * @param theta       θ of all heads, [P, d]
     * @param thetaOffset where this head's θ starts (p·d)
     */
    public static float[] project(float[] matrix, int firstRow, int rows, int d,
                                  float[] theta, int thetaOffset, float[] centre) {
        float[] out = new float[rows];
        for (int i = 0; i < rows; i++) {
            out[i] = projectRow(matrix, (firstRow + i) * d, d, theta, thetaOffset, centre);
        }
        return out;
    }

    /** One projected row; shared with the parallel JVM backend so both give bit-identical scalars. */
    public static float projectRow(float[] matrix, int rowStart, int d, float[] theta, int thetaOffset, float[] centre) {
        double sum = 0.0;
        for (int k = 0; k < d; k++) {
            sum += (double) theta[thetaOffset + k] * ((double) matrix[rowStart + k] - centre[k]);
        }
        return (float) sum;
    }

    /**
     * Problem p's scalars {s [M_p], t [L_p]}: the given ones ({@link #givenScalars}), or s = (Q − c)θ and
     * t = (K − c)θ with c the key centre. Shared by the sequential forward and causal passes.
     */
    public static float[][] scalars(dev.slicedattention.validation.AttentionBatch batch, int p) {
        float[][] given = givenScalars(batch, p);
        if (given != null) {
            return given;
        }
        int n = batch.keyLength(p), m = batch.queryLength(p), d = batch.d();
        int keyRow = p * batch.n(), queryRow = p * batch.m();
        float[] centre = centre(batch.k(), keyRow, n, d);
        float[] s = project(batch.q(), queryRow, m, d, batch.theta(), p * d, centre);
        float[] t = project(batch.k(), keyRow, n, d, batch.theta(), p * d, centre);
        ProjectionRange.requireFinite(s, t, p);
        return new float[][] {s, t};
    }

    /**
     * Problem p's projections when the batch was given them ({@link AttentionBatch#ofScalars}):
     * {s [M_p], t [L_p]} as copies; null when they are to be projected from Q, K and θ.
     */
    public static float[][] givenScalars(dev.slicedattention.validation.AttentionBatch batch, int p) {
        if (!batch.hasScalars()) {
            return null;
        }
        int queryRow = p * batch.m(), keyRow = p * batch.n();
        return new float[][] {java.util.Arrays.copyOfRange(batch.s(), queryRow, queryRow + batch.queryLength(p)),
                java.util.Arrays.copyOfRange(batch.t(), keyRow, keyRow + batch.keyLength(p))};
    }
}
