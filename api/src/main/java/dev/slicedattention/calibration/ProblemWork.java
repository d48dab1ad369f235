package dev.slicedattention.calibration;

import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;

/**
 * The work of attention problems in the two units the cost model charges ({@link CostModel}):
 *
 * <ul>
 *   <li><b>elements</b> = Σ_p (L_p + M_p)·(d + e): every value that is read, projected, summed or written
 *       once — the projections ((L + M)·d), the prefix sums of V (L·e), the combine (M·e) and, on a
 *       device, the transfers of the same arrays. Memory-bound, linear in the sizes.</li>
 *   <li><b>sort units</b> = Σ_p (L_p·log₂ L_p + M_p·log₂ M_p): the sorts of the projected keys and
 *       queries and the ranks (merge or binary search), the n log n part.</li>
 * </ul>
 *
 * L_p and M_p are problem p's key and query lengths (n and m unless the batch is ragged); a batch of
 * given scalars ({@link AttentionBatch#ofScalars}) has d = 1. Causal calls have the same units; the
 * model keeps separate coefficients for them.
 */
public record ProblemWork(double elements, double sortUnits) {
    public static final ProblemWork NONE = new ProblemWork(0, 0);

    /** The work of one problem of {@code keys} keys and {@code queries} queries. */
    public static ProblemWork of(int keys, int queries, int d, int e) {
        return new ProblemWork((double) (keys + queries) * (d + e), sorted(keys) + sorted(queries));
    }

    /** The work of each problem of {@code batch}, in problem order. */
    public static ProblemWork[] perProblem(AttentionBatch batch) {
        return perProblem(batch.options(), batch.heads(), batch.m(), batch.n(), batch.d(), batch.e());
    }

    /** The work of each of P problems of m queries and n keys, with the lengths {@code options} give. */
    public static ProblemWork[] perProblem(AttentionOptions options, int heads, int m, int n, int d, int e) {
        ProblemWork[] work = new ProblemWork[heads];
        for (int p = 0; p < work.length; p++) {
            work[p] = of(options.keyLengthOf(p, n), options.queryLengthOf(p, m), d, e);
        }
        return work;
    }

    /** The work of P problems of the same shape. */
    public static ProblemWork uniform(int heads, int m, int n, int d, int e) {
        ProblemWork one = of(n, m, d, e);
        return new ProblemWork(one.elements * heads, one.sortUnits * heads);
    }

    /** The sum of {@code work[from..to)}. */
    public static ProblemWork sum(ProblemWork[] work, int from, int to) {
        double elements = 0, sortUnits = 0;
        for (int p = from; p < to; p++) {
            elements += work[p].elements;
            sortUnits += work[p].sortUnits;
        }
        return new ProblemWork(elements, sortUnits);
    }

    private static double sorted(int count) {
        return count < 2 ? 0 : count * (Math.log(count) / Math.log(2));
    }
}
