package dev.slicedattention.calibration;

import java.util.List;

/**
 * Fits a {@link CostModel} to timed points by least squares on the <em>relative</em> error (each point
 * weighted by 1/time, so a 0.2 ms call counts as much as a 200 ms one), with every coefficient ≥ 0:
 * the unconstrained fit of each subset of the three terms is tried and the best one whose
 * coefficients are all ≥ 0 kept (three terms: seven subsets, an exact non-negative least squares).
 * Between fits of equal error the one tried first wins ({@link #SUBSETS}).
 */
public final class CostFit {
    /**
     * The subsets of terms (bit 0 fixed, 1 elements, 2 sort units) in the order tried: fewer terms first
     * and, among as many, the faster-growing term first — a single point is explained by the sort term,
     * which extrapolates to larger calls with the most caution, not by a fixed cost.
     */
    private static final int[] SUBSETS = {4, 2, 1, 6, 5, 3, 7};
    private CostFit() {}

    public static CostModel fit(List<Calibration.Point> points) {
        int count = points.size();
        if (count == 0) {
            throw new IllegalArgumentException("no timed points to fit");
        }
        double[][] rows = new double[count][];
        for (int j = 0; j < count; j++) {
            Calibration.Point point = points.get(j);
            double nanos = point.millis() * 1e6;
            ProblemWork work = point.work();
            rows[j] = new double[] {1 / nanos, work.elements() / nanos, work.sortUnits() / nanos};
        }
        // Columns scaled to a largest value of 1: the three terms differ by orders of magnitude.
        double[] scales = new double[3];
        for (double[] row : rows) {
            for (int t = 0; t < 3; t++) {
                scales[t] = Math.max(scales[t], row[t]);
            }
        }
        for (double[] row : rows) {
            for (int t = 0; t < 3; t++) {
                row[t] = scales[t] > 0 ? row[t] / scales[t] : 0;
            }
        }
        double[] best = null;
        double bestError = Double.POSITIVE_INFINITY;
        int bestTerms = 4;
        for (int subset : SUBSETS) {
            double[] coefficients = solve(rows, subset);
            if (coefficients == null) {
                continue;
            }
            int terms = Integer.bitCount(subset);
            double error = 0;
            for (double[] row : rows) {
                double predicted = row[0] * coefficients[0] + row[1] * coefficients[1] + row[2] * coefficients[2];
                error += (predicted - 1) * (predicted - 1);
            }
            boolean clearlyBetter = error < bestError * (1 - 1e-9) - 1e-12;
            boolean asGoodAndSmaller = error <= bestError * (1 + 1e-9) + 1e-12 && terms < bestTerms;
            if (clearlyBetter || asGoodAndSmaller) {
                best = coefficients;
                bestError = error;
                bestTerms = terms;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("the timed points admit no non-negative fit");
        }
        return new CostModel(unscale(best[0], scales[0]), unscale(best[1], scales[1]), unscale(best[2], scales[2]));
    }

    private static double unscale(double coefficient, double scale) {
        return coefficient == 0 ? 0 : coefficient / scale;
    }

    /** Least squares over the terms in {@code subset} (bits 0..2); null when singular or a coefficient is negative. */
    private static double[] solve(double[][] rows, int subset) {
        int[] terms = new int[Integer.bitCount(subset)];
        for (int t = 0, k = 0; t < 3; t++) {
            if ((subset & (1 << t)) != 0) {
                terms[k++] = t;
            }
        }
        int size = terms.length;
        if (rows.length < size) {
            return null;
        }
        // Normal equations AᵀA·x = Aᵀ·1, solved by Gaussian elimination with partial pivoting.
        double[][] system = new double[size][size + 1];
        for (double[] row : rows) {
            for (int a = 0; a < size; a++) {
                for (int b = 0; b < size; b++) {
                    system[a][b] += row[terms[a]] * row[terms[b]];
                }
                system[a][size] += row[terms[a]];
            }
        }
        for (int col = 0; col < size; col++) {
            int pivot = col;
            for (int r = col + 1; r < size; r++) {
                if (Math.abs(system[r][col]) > Math.abs(system[pivot][col])) {
                    pivot = r;
                }
            }
            double[] swap = system[col];
            system[col] = system[pivot];
            system[pivot] = swap;
            double scale = Math.abs(system[col][col]);
            if (!(scale > 1e-12)) {
                return null;
            }
            for (int r = 0; r < size; r++) {
                if (r != col) {
                    double factor = system[r][col] / system[col][col];
                    for (int c = col; c <= size; c++) {
                        system[r][c] -= factor * system[col][c];
                    }
                }
            }
        }
        double[] coefficients = new double[3];
        for (int a = 0; a < size; a++) {
            double value = system[a][size] / system[a][a];
            if (!Double.isFinite(value) || value < 0) {
                return null;
            }
            coefficients[terms[a]] = value;
        }
        return coefficients;
    }
}
