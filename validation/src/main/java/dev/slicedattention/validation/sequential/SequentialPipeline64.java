package dev.slicedattention.validation.sequential;

import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.Kernel;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The same pipeline in float64 throughout, for both kernels and ragged batches: the reference for
 * sizes where the O(m·n·e) naive form is too slow. It agrees with
 * {@link dev.slicedattention.validation.NaiveReference} to about 1e-15 relative (the bump's window
 * sums are differences of float64 prefixes: about 1e-16·n·(1 + |s|/b) of the value scale).
 */
public final class SequentialPipeline64 {
    private SequentialPipeline64() {}

    public static double[] forward(AttentionBatch batch) {
        if (batch.isCausal()) {
            return CausalPipeline.forward64(batch);
        }
        int heads = batch.heads(), d = batch.d(), e = batch.e();
        boolean bump = batch.kernel() == Kernel.BUMP;
        double[] out = new double[heads * batch.m() * e];
        for (int p = 0; p < heads; p++) {
            int n = batch.keyLength(p), m = batch.queryLength(p);
            int keyRow = p * batch.n(), queryRow = p * batch.m();
            // Projection with the key-mean shift (see Projection), all in float64; or the given scalars.
            double[] s, t;
            if (batch.hasScalars()) {
                s = widen(batch.s(), queryRow, m);
                t = widen(batch.t(), keyRow, n);
            } else {
                double[] centre = Projection.valueMean(batch.k(), keyRow, n, d);
                s = project(batch.q(), queryRow, m, d, batch.theta(), p * d, centre);
                t = project(batch.k(), keyRow, n, d, batch.theta(), p * d, centre);
            }
            double[] mu = bump ? new double[e] : Projection.valueMean(batch.v(), keyRow, n, e);

            // Sort: indices by key.
            Integer[] order = new Integer[n];
            Arrays.setAll(order, j -> j);
            double[] keys = t;
            Arrays.sort(order, Comparator.comparingDouble(j -> keys[j]));
            double[] tau = new double[n];
            for (int k = 0; k < n; k++) {
                tau[k] = keys[order[k]];
            }

            // Exclusive prefix sums A, B, C.
            double[] a = new double[(n + 1) * e];
            double[] b = new double[(n + 1) * e];
            double[] c = new double[n + 1];
            for (int k = 0; k < n; k++) {
                int source = (keyRow + order[k]) * e;
                for (int col = 0; col < e; col++) {
                    double u = batch.v()[source + col] - mu[col];
                    a[(k + 1) * e + col] = a[k * e + col] + u;
                    b[(k + 1) * e + col] = b[k * e + col] + tau[k] * u;
                }
                c[k + 1] = c[k] + tau[k];
            }

            // Rank and combine.
            for (int i = 0; i < m; i++) {
                int outRow = (queryRow + i) * e;
                int r = lowerBound(tau, s[i]);
                if (bump) {
                    double width = batch.bandwidth(p);
                    int l = lowerBound(tau, s[i] - width);
                    int h = upperBound(tau, s[i] + width);
                    for (int col = 0; col < e; col++) {
                        double below = (1 - s[i] / width) * (a[r * e + col] - a[l * e + col])
                                + (b[r * e + col] - b[l * e + col]) / width;
                        double above = (1 + s[i] / width) * (a[h * e + col] - a[r * e + col])
                                - (b[h * e + col] - b[r * e + col]) / width;
                        out[outRow + col] = (below + above) / n;
                    }
                } else {
                    double z = s[i] * (2.0 * r - n) + c[n] - 2.0 * c[r];
                    for (int col = 0; col < e; col++) {
                        double numerator = s[i] * a[r * e + col] - b[r * e + col];
                        out[outRow + col] = z > 0.0 ? 2.0 * numerator / z : 0.0;
                    }
                }
            }
        }
        return out;
    }

    /** Problem p's projections {s [M_p], t [L_p]} in float64 (the key-mean shift, or the given scalars widened). */
    static double[][] projections(AttentionBatch batch, int p) {
        int n = batch.keyLength(p), m = batch.queryLength(p), d = batch.d();
        int keyRow = p * batch.n(), queryRow = p * batch.m();
        if (batch.hasScalars()) {
            return new double[][] {widen(batch.s(), queryRow, m), widen(batch.t(), keyRow, n)};
        }
        double[] centre = Projection.valueMean(batch.k(), keyRow, n, d);
        return new double[][] {project(batch.q(), queryRow, m, d, batch.theta(), p * d, centre),
                project(batch.k(), keyRow, n, d, batch.theta(), p * d, centre)};
    }

    private static double[] project(float[] matrix, int firstRow, int rows, int d, float[] theta,
                                    int thetaOffset, double[] centre) {
        double[] out = new double[rows];
        for (int i = 0; i < rows; i++) {
            double sum = 0.0;
            int row = (firstRow + i) * d;
            for (int k = 0; k < d; k++) {
                sum += theta[thetaOffset + k] * (matrix[row + k] - centre[k]);
            }
            out[i] = sum;
        }
        return out;
    }

    private static double[] widen(float[] values, int from, int count) {
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            out[i] = values[from + i];
        }
        return out;
    }

    private static int lowerBound(double[] tau, double value) {
        int low = 0, high = tau.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (tau[mid] < value) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private static int upperBound(double[] tau, double value) {
        int low = 0, high = tau.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (tau[mid] <= value) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }
}
