package dev.slicedattention.jvm.par;

import dev.slicedattention.validation.sequential.KeySort;
import java.util.Arrays;

/**
 * Stage 2 on all cores: the sequential path's packed (key, index) longs, sorted by a parallel radix
 * sort on the key word ({@link #sortPacked}); the result is the same permutation as
 * {@link KeySort#sort}, ties in index order.
 *
 * <p>Why not {@code Arrays.parallelSort}: it uses the common pool, whose parallelism on a 2-core
 * machine is 1, and then sorts on one thread; and a comparison sort of 2^20 longs (no AVX-512 here,
 * so no vectorised {@code Arrays.sort}) cost ~200 ms against a few tens for the radix passes.
 */
public final class ParallelKeySort {
    private static final int MIN_RUN = 1 << 14;
    /** Below this, one {@link Arrays#sort} beats the radix passes' fixed cost (2048-entry counts). */
    private static final int SMALL = 1 << 12;

    private ParallelKeySort() {}

    public static KeySort.SortedKeys sort(Workers workers, float[] keys) {
        return sort(workers, keys, new Workspace());
    }

    /** As {@link #sort(Workers, float[])}, with the packed arrays taken from {@code workspace}. */
    public static KeySort.SortedKeys sort(Workers workers, float[] keys, Workspace workspace) {
        int n = keys.length;
        long[] sorted = sortPacked(workers, pack(workers, keys, workspace.packed(Workspace.SortBuffer.KEYS, n)),
                workspace.scratch(Workspace.SortBuffer.KEYS, n));
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

    /** The (value, index) pairs of {@link KeySort#pack}, packed in parallel into {@code packed}. */
    static long[] pack(Workers workers, float[] values, long[] packed) {
        workers.forRange(values.length, MIN_RUN, (from, to) -> {
            for (int j = from; j < to; j++) {
                packed[j] = ((long) KeySort.sortableBits(values[j]) << 32) | j;
            }
        });
        return packed;
    }

    /**
     * Sorts packed pairs ascending: a stable sort by the high word (the key), so the result is the
     * full (key, index) order whenever the low words ascend along the array, as {@link #pack} leaves
     * them. Returns the array holding the result ({@code a} or a new one).
     */
    public static long[] sortPacked(Workers workers, long[] a) {
        return sortPacked(workers, a, new long[a.length]);
    }

    /**
     * Parallel LSD radix sort on the 32-bit key in three passes of 11, 11 and 10 bits: each block of
     * the array counts its digits, the counts are turned into per-(block, digit) output offsets on one
     * thread (blocks × 2048 ints), and each block scatters its elements in order, which keeps the sort
     * stable. Linear work, where the merge sort it replaces spent n log n comparisons; a pass whose
     * digit is the same for every element is skipped. {@code spare} is a buffer of the same length.
     */
    static long[] sortPacked(Workers workers, long[] a, long[] spare) {
        int n = a.length;
        if (n < SMALL) {
            Arrays.sort(a);
            return a;
        }
        int blocks = workers.chunks(n, MIN_RUN);
        int[][] offsets = new int[blocks][];
        long[] source = a, target = spare;
        for (int pass = 0; pass < 3; pass++) {
            int shift = 32 + 11 * pass;
            int radix = pass < 2 ? 1 << 11 : 1 << 10;
            // The top digit holds the key's sign bit: flipping it makes unsigned digit order signed order.
            int flip = pass < 2 ? 0 : radix >> 1;
            long[] from = source, to = target;
            workers.forEach(blocks, block -> {
                int[] count = new int[radix];
                int end = Workers.bound(n, blocks, block + 1);
                for (int i = Workers.bound(n, blocks, block); i < end; i++) {
                    count[digit(from[i], shift, radix, flip)]++;
                }
                offsets[block] = count;
            });
            int running = 0;
            boolean oneDigit = false;
            for (int digit = 0; digit < radix && !oneDigit; digit++) {
                int total = 0;
                for (int block = 0; block < blocks; block++) {
                    int count = offsets[block][digit];
                    offsets[block][digit] = running + total;
                    total += count;
                }
                oneDigit = total == n;
                running += total;
            }
            if (oneDigit) {
                continue;
            }
            workers.forEach(blocks, block -> {
                int[] next = offsets[block];
                int end = Workers.bound(n, blocks, block + 1);
                for (int i = Workers.bound(n, blocks, block); i < end; i++) {
                    long value = from[i];
                    to[next[digit(value, shift, radix, flip)]++] = value;
                }
            });
            source = to;
            target = from;
        }
        return source;
    }

    private static int digit(long value, int shift, int radix, int flip) {
        return ((int) (value >>> shift) & (radix - 1)) ^ flip;
    }
}
