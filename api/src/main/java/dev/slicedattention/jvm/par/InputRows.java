package dev.slicedattention.jvm.par;

import dev.slicedattention.spi.OffHeapFloats;

/**
 * One input matrix — Q, K or V, row-major with {@code cols} values per row — as jvm-par's stages read
 * it: the heap array itself, or an off-heap tensor (a mapped {@code .npy} file, a TornadoVM
 * {@code FloatArray}) read in place.
 *
 * <p>A stage reads through a {@link Window}: it asks for a block of rows and gets an array and the
 * index where the block starts in it. For a heap matrix that is the matrix itself (no copy); for an
 * off-heap one, the block is copied into the window's own small array first. Why blocks: the stages'
 * loops stay plain loops over a {@code float[]} — what C2 vectorises — and a block of
 * {@value #BLOCK_BYTES} bytes is still in L2 when the loop reads it after the copy.
 */
public final class InputRows {
    /** The size of a window's block: small enough for L2, large enough that a copy call is cheap. */
    static final int BLOCK_BYTES = 1 << 16;

    private final float[] heap;
    private final OffHeapFloats offHeap;
    private final int cols;

    private InputRows(float[] heap, OffHeapFloats offHeap, int cols) {
        this.heap = heap;
        this.offHeap = offHeap;
        this.cols = cols;
    }

    /** A matrix on the heap, read where it is. */
    public static InputRows of(float[] values, int cols) {
        return new InputRows(values, null, cols);
    }

    /** An off-heap matrix, read a block at a time. */
    public static InputRows of(OffHeapFloats values, int cols) {
        return new InputRows(null, values, cols);
    }

    /** Values per row. */
    public int cols() {
        return cols;
    }

    /** Rows per block of a {@link Window}. */
    public int blockRows() {
        return Math.max(1, BLOCK_BYTES / Float.BYTES / Math.max(1, cols));
    }

    /** A reader for one worker (not shared between threads). */
    public Window window() {
        return new Window();
    }

    /** One worker's view of a block of rows at a time. */
    public final class Window {
        private final float[] block = heap != null ? null : new float[blockRows() * cols];

        /**
         * Makes rows [from, to) readable in {@link #array()} (at most {@link #blockRows()} of them)
         * and returns the index of row {@code from} in it.
         */
        public int load(int from, int to) {
            if (heap != null) {
                return from * cols;
            }
            offHeap.copyRange(from * cols, block, 0, (to - from) * cols);
            return 0;
        }

        /** The array the last {@link #load} made readable. */
        public float[] array() {
            return heap != null ? heap : block;
        }
    }
}
