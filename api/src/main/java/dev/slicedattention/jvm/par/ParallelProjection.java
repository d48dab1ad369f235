package dev.slicedattention.jvm.par;

import dev.slicedattention.validation.sequential.Projection;

/**
 * Stage 1 on all cores: the key centre c and the value mean μ as column sums over row blocks
 * (float64 partial sums per block, added in block order so the result does not depend on timing),
 * then s = (Q − c)θ and t = (K − c)θ row-parallel with the sequential path's {@link Projection#projectRow}.
 */
public final class ParallelProjection {
    private static final int ROWS_PER_CHUNK = 4096;

    private ParallelProjection() {}

    /** Column means of rows [firstRow, firstRow + rows) of a [*, cols] matrix, in float64. */
    public static double[] columnMeans(Workers workers, float[] matrix, int firstRow, int rows, int cols) {
        int chunks = workers.chunks(rows, ROWS_PER_CHUNK);
        double[][] partial = new double[chunks][cols];
        workers.forEach(chunks, c -> {
            double[] sum = partial[c];
            int end = firstRow + Workers.bound(rows, chunks, c + 1);
            for (int j = firstRow + Workers.bound(rows, chunks, c); j < end; j++) {
                int row = j * cols;
                for (int col = 0; col < cols; col++) {
                    sum[col] += matrix[row + col];
                }
            }
        });
        double[] mean = new double[cols];
        for (double[] sum : partial) {
            for (int col = 0; col < cols; col++) {
                mean[col] += sum[col];
            }
        }
        for (int col = 0; col < cols; col++) {
            mean[col] /= rows;
        }
        return mean;
    }

    /** The centre c: the key column mean rounded to float32, as the sequential path rounds it. */
    public static float[] centre(Workers workers, float[] keys, int firstRow, int rows, int d) {
        double[] mean = columnMeans(workers, keys, firstRow, rows, d);
        float[] centre = new float[d];
        for (int col = 0; col < d; col++) {
            centre[col] = (float) mean[col];
        }
        return centre;
    }

    /** out[i] = Σ_k θ_k·(X_ik − c_k) for rows [firstRow, firstRow + rows). */
    public static float[] project(Workers workers, float[] matrix, int firstRow, int rows, int d,
                                  float[] theta, int thetaOffset, float[] centre) {
        float[] out = new float[rows];
        workers.forRange(rows, ROWS_PER_CHUNK, (from, to) -> {
            for (int i = from; i < to; i++) {
                out[i] = Projection.projectRow(matrix, (firstRow + i) * d, d, theta, thetaOffset, centre);
            }
        });
        return out;
    }
}
