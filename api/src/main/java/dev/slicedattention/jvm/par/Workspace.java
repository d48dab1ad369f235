package dev.slicedattention.jvm.par;

/**
 * Scratch arrays that one jvm-par engine keeps between calls: the value rows in sorted-key order (n·e
 * floats, 256 MiB at n = 2^20, e = 64), the inverse permutation, and the buffers of the two sorts
 * (keys, then queries).
 * Allocating them afresh on every call costs a zeroing pass and, on fresh heap, a page fault per 4 KiB:
 * about as much as the stage itself. They are reused while the shape stays the same and dropped with
 * the engine (the sorted rows and the inverse permutation keep the largest size seen). Not thread-safe: one call at a time, as {@link dev.slicedattention.spi.BackendEngine} requires.
 * Contents are whatever the last call left: every user overwrites what it reads.
 */
public final class Workspace {
    private float[] sortedRows = new float[0];
    private int[] inverse = new int[0];
    private double[] causalAccumulators = new double[0];
    private double[] causalScalars = new double[0];
    private double[][] causalRings = new double[0][];
    private final long[][] packed = {new long[0], new long[0]};
    private final long[][] scratch = {new long[0], new long[0]};

    /** Which sort a buffer is for, so that m ≠ n does not reallocate on every call. */
    public enum SortBuffer { KEYS, QUERIES }

    /**
     * At least {@code length} floats for the value rows in sorted order (users read a prefix): one
     * array serves every head of a ragged batch, however many keys each has.
     */
    float[] sortedRows(int length) {
        if (sortedRows.length < length) {
            sortedRows = new float[length];
        }
        return sortedRows;
    }

    /**
     * At least {@code length} doubles for causal mode's accumulators (users read a prefix): 512 MiB at
     * n = 2^20, e = 64, which a fresh array per call costs a zeroing pass and often a GC on top
     * (measured: a new 512 MiB double[] in a steady loop on a 12 GB heap, 11 ms at best, 211 ms on average).
     */
    double[] causalAccumulators(int length) {
        if (causalAccumulators.length < length) {
            causalAccumulators = new double[length];
        }
        return causalAccumulators;
    }

    /**
     * At least {@code length} doubles for part {@code part} of the bump's causal sweep, its ring of
     * waiting rows ({@link CausalChunkSweep}); kept for the next call as the accumulators are.
     */
    double[] causalRing(int part, long length) {
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the causal bump sweep needs " + length + " doubles for one ring, more than a Java array holds");
        }
        if (causalRings.length <= part) {
            causalRings = java.util.Arrays.copyOf(causalRings, part + 1);
        }
        if (causalRings[part] == null || causalRings[part].length < length) {
            causalRings[part] = new double[(int) length];
        }
        return causalRings[part];
    }

    /** At least {@code length} doubles for the ReLU's causal D per query (users read a prefix). */
    double[] causalScalars(int length) {
        if (causalScalars.length < length) {
            causalScalars = new double[length];
        }
        return causalScalars;
    }

    /** At least {@code length} ints for the inverse permutation (users read a prefix). */
    int[] inverse(int length) {
        if (inverse.length < length) {
            inverse = new int[length];
        }
        return inverse;
    }

    long[] packed(SortBuffer which, int length) {
        int i = which.ordinal();
        if (packed[i].length != length) {
            packed[i] = new long[length];
        }
        return packed[i];
    }

    long[] scratch(SortBuffer which, int length) {
        int i = which.ordinal();
        if (scratch[i].length != length) {
            scratch[i] = new long[length];
        }
        return scratch[i];
    }
}
