package dev.slicedattention.jvm.par;

import dev.slicedattention.validation.sequential.Combine;
import dev.slicedattention.validation.sequential.PrefixSums;
import dev.slicedattention.validation.sequential.Rank;

/**
 * Stages 4 and 5 on all cores, one loop each over blocks of query rows: the rank of every query
 * among the sorted keys (binary search, {@link Rank#lowerBound}) and the combine
 * ({@link Combine#combineRow}). Queries are independent, so this is the embarrassingly parallel part.
 */
public final class ParallelRankCombine {
    private static final int QUERIES_PER_CHUNK = 2048;

    private ParallelRankCombine() {}

    public static int[] ranks(Workers workers, float[] queries, float[] tau, int n) {
        int[] ranks = new int[queries.length];
        workers.forRange(queries.length, QUERIES_PER_CHUNK, (from, to) -> {
            for (int i = from; i < to; i++) {
                ranks[i] = Rank.lowerBound(tau, n, queries[i]);
            }
        });
        return ranks;
    }

    public static void combine(Workers workers, float[] queries, int[] ranks, float sigma, PrefixSums.Sums sums,
                               float[] out, int outOffset) {
        int e = sums.e();
        double total = sums.c()[sums.n()];
        workers.forRange(queries.length, QUERIES_PER_CHUNK / 4, (from, to) -> {
            for (int i = from; i < to; i++) {
                Combine.combineRow(queries[i], ranks[i], sigma, sums, total, out, outOffset + i * e);
            }
        });
    }
}
