package dev.slicedattention.jvm.par;

import dev.slicedattention.validation.sequential.KeySort;
import java.util.Arrays;

/**
 * Stage 2 on all cores: the sequential path's packed (key, index) longs, sorted by a parallel merge
 * sort — each thread sorts a run with {@link Arrays#sort(long[], int, int)}, then runs are merged
 * pairwise, every merge split between the threads by "merge path" (binary search for where each
 * thread's share of the output starts in both inputs).
 *
 * <p>Why not {@code Arrays.parallelSort}: it uses the common pool, whose parallelism on a 2-core
 * machine is 1, and then sorts on one thread.
 */
public final class ParallelKeySort {
    private static final int MIN_RUN = 1 << 14;

    private ParallelKeySort() {}

    public static KeySort.SortedKeys sort(Workers workers, float[] keys) {
        int n = keys.length;
        long[] packed = new long[n];
        workers.forRange(n, MIN_RUN, (from, to) -> {
            for (int j = from; j < to; j++) {
                packed[j] = ((long) KeySort.sortableBits(keys[j]) << 32) | j;
            }
        });
        long[] sorted = sortPacked(workers, packed);
        float[] tau = new float[n];
        int[] perm = new int[n];
        workers.forRange(n, MIN_RUN, (from, to) -> {
            for (int k = from; k < to; k++) {
                perm[k] = (int) sorted[k];
                tau[k] = KeySort.fromSortableBits((int) (sorted[k] >> 32));
            }
        });
        return new KeySort.SortedKeys(tau, perm);
    }

    /** Sorts {@code a} ascending; returns the array holding the result (a or a scratch copy). */
    public static long[] sortPacked(Workers workers, long[] a) {
        int n = a.length;
        int runs = Integer.highestOneBit(Math.max(1, Math.min(workers.threads(), n / MIN_RUN)));
        if (runs == 1) {
            Arrays.sort(a);
            return a;
        }
        workers.forEach(runs, r -> Arrays.sort(a, Workers.bound(n, runs, r), Workers.bound(n, runs, r + 1)));
        long[] from = a;
        long[] to = new long[n];
        for (int width = 1; width < runs; width *= 2) {
            int step = width;
            long[] source = from, target = to;
            int merges = runs / (2 * width);
            int pieces = Math.max(1, workers.threads() / merges);
            workers.forEach(merges * pieces, task -> {
                int merge = task / pieces, piece = task % pieces;
                int lo = Workers.bound(n, runs, 2 * merge * step);
                int mid = Workers.bound(n, runs, (2 * merge + 1) * step);
                int hi = Workers.bound(n, runs, (2 * merge + 2) * step);
                mergePiece(source, lo, mid, hi, target, pieces, piece);
            });
            from = target;
            to = source;
        }
        return from;
    }

    /** Writes piece {@code piece} of {@code pieces} of the merge of a[lo, mid) and a[mid, hi) into out[lo, hi). */
    static void mergePiece(long[] a, int lo, int mid, int hi, long[] out, int pieces, int piece) {
        int total = hi - lo;
        int outFrom = lo + Workers.bound(total, pieces, piece);
        int outTo = lo + Workers.bound(total, pieces, piece + 1);
        int i = splitLeft(a, lo, mid, hi, outFrom - lo);
        int j = mid + (outFrom - lo) - (i - lo);
        for (int o = outFrom; o < outTo; o++) {
            if (j >= hi || (i < mid && a[i] <= a[j])) {
                out[o] = a[i++];
            } else {
                out[o] = a[j++];
            }
        }
    }

    /**
     * Merge path: how many of the first {@code diagonal} outputs come from the left run, i.e. the
     * smallest i with a[lo + i] > a[mid + diagonal − i − 1] (left wins ties, as in the merge loop).
     */
    static int splitLeft(long[] a, int lo, int mid, int hi, int diagonal) {
        int leftLength = mid - lo, rightLength = hi - mid;
        int low = Math.max(0, diagonal - rightLength), high = Math.min(diagonal, leftLength);
        while (low < high) {
            int i = (low + high) >>> 1;
            int j = diagonal - i - 1;
            if (a[lo + i] <= a[mid + j]) {
                low = i + 1;
            } else {
                high = i;
            }
        }
        return lo + low;
    }
}
