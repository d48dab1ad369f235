package dev.slicedattention.jvm.par;

import dev.slicedattention.validation.sequential.PrefixSums;
import dev.slicedattention.validation.sequential.Projection;
import dev.slicedattention.validation.sequential.ProjectionRange;

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
        return columnMeans(workers, InputRows.of(matrix, cols), firstRow, rows);
    }

    /**
     * The same for a matrix on the heap or off it (read a block of rows at a time). Its own loop, not
     * {@link #columnStatistics}: with the maximum beside the sums the loop no longer vectorises, and
     * the projection stage of a heap batch went from 67–74 to 92–108 ms at 2^20 (measured, one JVM).
     */
    public static double[] columnMeans(Workers workers, InputRows matrix, int firstRow, int rows) {
        int cols = matrix.cols();
        int chunks = workers.chunks(rows, ROWS_PER_CHUNK);
        double[][] partial = new double[chunks][cols];
        workers.forEach(chunks, c -> {
            double[] sum = partial[c];
            InputRows.Window window = matrix.window();
            int end = firstRow + Workers.bound(rows, chunks, c + 1);
            for (int block = firstRow + Workers.bound(rows, chunks, c); block < end; block += matrix.blockRows()) {
                int blockEnd = Math.min(end, block + matrix.blockRows());
                int at = window.load(block, blockEnd);
                float[] values = window.array();
                for (int j = block; j < blockEnd; j++, at += cols) {
                    for (int col = 0; col < cols; col++) {
                        sum[col] += values[at + col];
                    }
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
        return centre(workers, InputRows.of(keys, d), firstRow, rows);
    }

    private static float[] centre(Workers workers, InputRows keys, int firstRow, int rows) {
        double[] mean = columnMeans(workers, keys, firstRow, rows);
        float[] centre = new float[mean.length];
        for (int col = 0; col < mean.length; col++) {
            centre[col] = (float) mean[col];
        }
        return centre;
    }

    /** out[i] = Σ_k θ_k·(X_ik − c_k) for rows [firstRow, firstRow + rows). */
    public static float[] project(Workers workers, float[] matrix, int firstRow, int rows, int d,
                                  float[] theta, int thetaOffset, float[] centre) {
        return project(workers, InputRows.of(matrix, d), firstRow, rows, theta, thetaOffset, centre);
    }

    private static float[] project(Workers workers, InputRows matrix, int firstRow, int rows,
                                   float[] theta, int thetaOffset, float[] centre) {
        int d = matrix.cols();
        float[] out = new float[rows];
        workers.forRange(rows, ROWS_PER_CHUNK, (from, to) -> {
            InputRows.Window window = matrix.window();
            for (int block = from; block < to; block += matrix.blockRows()) {
                int end = Math.min(to, block + matrix.blockRows());
                int at = window.load(firstRow + block, firstRow + end);
                float[] values = window.array();
                int i = block;
                for (; i + 4 <= end; i += 4, at += 4 * d) {
                    projectFourRows(values, at, d, theta, thetaOffset, centre, out, i);
                }
                for (; i < end; i++, at += d) {
                    out[i] = Projection.projectRow(values, at, d, theta, thetaOffset, centre);
                }
            }
        });
        return out;
    }

    /**
     * A matrix's column means (null when not asked for: the bump does not centre V) and the power of
     * two above its largest magnitude: for V, μ and the value scale ν.
     */
    public record ColumnStatistics(double[] mean, float scale) {}

    /**
     * The column means and the scale over rows [firstRow, firstRow + rows), in one pass on all cores:
     * for V, μ and ν of {@link dev.slicedattention.validation.AttentionBatch#valueScale}, for inputs
     * read in place, where a second pass would read the mapping twice. Partial sums per block of rows
     * are added in block order as in {@link #columnMeans} (the same means, bit for bit); a maximum
     * does not depend on order at all.
     */
    public static ColumnStatistics columnStatistics(Workers workers, InputRows values, int firstRow, int rows, boolean withMean) {
        int cols = values.cols();
        int chunks = workers.chunks(rows, ROWS_PER_CHUNK);
        double[][] partial = new double[chunks][cols];
        float[][] largest = new float[chunks][cols];
        workers.forEach(chunks, c -> {
            double[] sum = partial[c];
            float[] max = largest[c];             // per column, so that the loop stays element-wise (vectorised)
            InputRows.Window window = values.window();
            int end = firstRow + Workers.bound(rows, chunks, c + 1);
            for (int block = firstRow + Workers.bound(rows, chunks, c); block < end; block += values.blockRows()) {
                int blockEnd = Math.min(end, block + values.blockRows());
                int at = window.load(block, blockEnd);
                float[] array = window.array();
                for (int j = block; j < blockEnd; j++, at += cols) {
                    for (int col = 0; col < cols; col++) {
                        float value = array[at + col];
                        sum[col] += value;
                        max[col] = Math.max(max[col], Math.abs(value));
                    }
                }
            }
        });
        double[] mean = new double[cols];
        float max = 0.0f;
        for (int c = 0; c < chunks; c++) {
            for (int col = 0; col < cols; col++) {
                mean[col] += partial[c][col];
                max = Math.max(max, largest[c][col]);
            }
        }
        for (int col = 0; col < cols; col++) {
            mean[col] /= rows;
        }
        return new ColumnStatistics(withMean ? mean : null, PrefixSums.powerOfTwoAbove(max));
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
        return scalars(workers, ParallelInputs.of(batch), p);
    }

    /** The same for inputs on the heap or off it. */
    public static float[][] scalars(Workers workers, ParallelInputs inputs, int p) {
        if (inputs.givenScalars() != null) {
            return Projection.givenScalars(inputs.givenScalars(), p);
        }
        int n = inputs.keyLength(p), m = inputs.queryLength(p), d = inputs.d();
        int keyRow = p * inputs.n(), queryRow = p * inputs.m();
        float[] centre = centre(workers, inputs.k(), keyRow, n);
        float[] s = project(workers, inputs.q(), queryRow, m, inputs.theta(), p * d, centre);
        float[] t = project(workers, inputs.k(), keyRow, n, inputs.theta(), p * d, centre);
        ProjectionRange.requireFinite(s, t, p);
        return new float[][] {s, t};
    }
}
