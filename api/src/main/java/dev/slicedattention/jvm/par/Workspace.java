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
    private float[][] causalGathered = new float[0][];
    private final int[][] causalRunOrders = {new int[0], new int[0], new int[0], new int[0]};
    private final float[][] causalRunValues = {new float[0], new float[0], new float[0], new float[0]};
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

    /**
     * At least {@code length} ints for causal mode's sorted runs, array {@code which} of the four
     * (keys, queries and their spares, {@link ParallelCausal}). Why kept: at n = 2^20 each is 4 MiB,
     * a humongous object for G1, and on a heap whose live set is past G1's occupancy threshold each
     * humongous allocation starts a concurrent marking cycle, which takes a core from the workers.
     */
    int[] causalRunOrder(int which, int length) {
        if (causalRunOrders[which].length < length) {
            causalRunOrders[which] = new int[length];
        }
        return causalRunOrders[which];
    }

    /** As {@link #causalRunOrder}: the t or s values alongside each run. */
    float[] causalRunValues(int which, int length) {
        if (causalRunValues[which].length < length) {
            causalRunValues[which] = new float[length];
        }
        return causalRunValues[which];
    }

    /**
     * At least {@code length} floats for group {@code group} of causal mode's regions: the bump's value
     * rows gathered in key order ({@link CausalMergeWalk}); 512 KiB each at n = 2^20, humongous on a
     * heap of 1 MiB regions (see {@link #causalRunOrder}). Allocate for every group before the groups run.
     */
    float[] causalGathered(int group, int length) {
        if (causalGathered.length <= group) {
            causalGathered = java.util.Arrays.copyOf(causalGathered, group + 1);
        }
        if (causalGathered[group] == null || causalGathered[group].length < length) {
            causalGathered[group] = new float[length];
        }
        return causalGathered[group];
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
