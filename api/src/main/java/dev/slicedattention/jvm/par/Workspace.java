package dev.slicedattention.jvm.par;

/**
 * Scratch arrays that one jvm-par engine keeps between calls: the prefix sums A and B ((n+1)·e floats
 * each, 512 MiB at n = 2^20, e = 64), C, the inverse permutation, and the buffers of the two sorts (keys, then queries).
 * Allocating them afresh on every call costs a zeroing pass and, on fresh heap, a page fault per 4 KiB:
 * about as much as the stage itself. They are reused while the shape stays the same and dropped with
 * the engine. Not thread-safe: one call at a time, as {@link dev.slicedattention.spi.BackendEngine} requires.
 * Contents are whatever the last call left: every user overwrites what it reads.
 */
public final class Workspace {
    private float[] a = new float[0];
    private float[] b = new float[0];
    private float[] c = new float[0];
    private float[] aLow = new float[0];
    private float[] bLow = new float[0];
    private int[] inverse = new int[0];
    private final long[][] packed = {new long[0], new long[0]};
    private final long[][] scratch = {new long[0], new long[0]};

    /** Which sort a buffer is for, so that m ≠ n does not reallocate on every call. */
    public enum SortBuffer { KEYS, QUERIES }

    float[] a(int length) {
        if (a.length != length) {
            a = new float[length];
        }
        return a;
    }

    float[] b(int length) {
        if (b.length != length) {
            b = new float[length];
        }
        return b;
    }

    /** The low halves of A and B's split storage (the bump kernel only). */
    float[] aLow(int length) {
        if (aLow.length != length) {
            aLow = new float[length];
        }
        return aLow;
    }

    float[] bLow(int length) {
        if (bLow.length != length) {
            bLow = new float[length];
        }
        return bLow;
    }

    float[] c(int length) {
        if (c.length != length) {
            c = new float[length];
        }
        return c;
    }

    int[] inverse(int length) {
        if (inverse.length != length) {
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
