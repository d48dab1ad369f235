package dev.slicedattention.jvm.par;

import dev.slicedattention.validation.sequential.Projection;

/**
 * Stage 1 on all cores: the key centre c and the value mean μ as column sums over row blocks
 * (float64 partial sums per block, added in block order so the result does not depend on timing),
 * then s = (Q − c)θ and t = (K − c)θ row-parallel, bit-identical to the sequential path's
 * {@link Projection#projectRow} (four rows interleaved, {@link #projectFourRows}).
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
            int i = from;
            for (; i + 4 <= to; i += 4) {
                projectFourRows(matrix, (firstRow + i) * d, d, theta, thetaOffset, centre, out, i);
            }
            for (; i < to; i++) {
                out[i] = Projection.projectRow(matrix, (firstRow + i) * d, d, theta, thetaOffset, centre);
            }
        });
        return out;
    }

    /**
     * Four consecutive rows of {@link Projection#projectRow} at once, bit for bit: each row's float64
     * sum is formed in the same order with the same operations. One row is a chain of d dependent
     * additions (latency-bound, ~4 cycles each); four independent chains side by side keep the FP
     * adders busy. A test holds it to {@code projectRow}.
     */
    static void projectFourRows(float[] matrix, int rowStart, int d, float[] theta, int thetaOffset, float[] centre,
                                float[] out, int outIndex) {
        int r0 = rowStart, r1 = r0 + d, r2 = r1 + d, r3 = r2 + d;
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        for (int k = 0; k < d; k++) {
            double th = theta[thetaOffset + k];
            double c = centre[k];
            s0 += th * ((double) matrix[r0 + k] - c);
            s1 += th * ((double) matrix[r1 + k] - c);
            s2 += th * ((double) matrix[r2 + k] - c);
            s3 += th * ((double) matrix[r3 + k] - c);
        }
        out[outIndex] = (float) s0;
        out[outIndex + 1] = (float) s1;
        out[outIndex + 2] = (float) s2;
        out[outIndex + 3] = (float) s3;
    }

    /**
     * Problem p's scalars {s [M_p], t [L_p]} on all cores: the given ones, or s = (Q − c)θ and t = (K − c)θ
     * with c the key centre. Shared by the parallel forward and causal passes.
     */
    public static float[][] scalars(Workers workers, dev.slicedattention.validation.AttentionBatch batch, int p) {
        float[][] given = dev.slicedattention.validation.sequential.Projection.givenScalars(batch, p);
        if (given != null) {
            return given;
        }
        int n = batch.keyLength(p), m = batch.queryLength(p), d = batch.d();
        int keyRow = p * batch.n(), queryRow = p * batch.m();
        float[] centre = centre(workers, batch.k(), keyRow, n, d);
        return new float[][] {project(workers, batch.q(), queryRow, m, d, batch.theta(), p * d, centre),
                project(workers, batch.k(), keyRow, n, d, batch.theta(), p * d, centre)};
    }
}
