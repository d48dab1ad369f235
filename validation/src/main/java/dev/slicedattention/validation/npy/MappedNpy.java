package dev.slicedattention.validation.npy;

import java.nio.FloatBuffer;

/**
 * A float32 {@code .npy} file mapped read-only ({@link Npy#map}): its values are read in place from
 * the page cache, with no copy on the heap. Why: reading a 256 MB tensor into a fresh {@code float[]}
 * costs a page fault for every 4 KiB of the array (measured on the 2-core VM: about 180 ms per
 * 256 MiB, on top of the copy), where the mapped file's pages are already in memory and the kernel
 * maps them 64 KiB at a time.
 *
 * <p>The data is mapped in pieces of at most {@value #PIECE} values (a Java buffer holds at most
 * 2 GiB); {@link #copy} crosses pieces. Reads are absolute, so any number of threads may read at
 * once. The mapping lives as long as this object is reachable. The file must not be truncated while
 * it is mapped (a read past its new end fails with an {@link InternalError}).
 */
public final class MappedNpy {
    /** Values per mapped piece: 2^28 floats, 1 GiB. */
    static final int PIECE = 1 << 28;

    private final String name;
    private final int[] shape;
    private final FloatBuffer[] pieces;
    /** Values per piece: {@link #PIECE}, or fewer in tests of the piece boundaries. */
    private final int piece;
    private final int size;

    MappedNpy(String name, int[] shape, FloatBuffer[] pieces, int piece, int size) {
        this.name = name;
        this.shape = shape.clone();
        this.pieces = pieces;
        this.piece = piece;
        this.size = size;
    }

    /** The file, as the user named it. */
    public String name() {
        return name;
    }

    public int[] shape() {
        return shape.clone();
    }

    /** Number of values. */
    public int size() {
        return size;
    }

    /** The value at a flat, row-major index. */
    public float get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " outside " + size + " values of " + name);
        }
        return pieces[index / piece].get(index % piece);
    }

    /**
     * The mapped pieces, as read-only views over the file's pages ({@link #valuesPerPiece} values each,
     * the last fewer): for code that works on the mapping's memory itself, such as giving its pages
     * back once they have been read (the TornadoVM backend's input copy).
     */
    public FloatBuffer[] pieces() {
        FloatBuffer[] views = new FloatBuffer[pieces.length];
        for (int i = 0; i < views.length; i++) {
            views[i] = pieces[i].asReadOnlyBuffer();
        }
        return views;
    }

    /** Values per mapped piece (see {@link #pieces}). */
    public int valuesPerPiece() {
        return piece;
    }

    /** Copies values [from, from + length) into target[offset, offset + length). */
    public void copy(int from, float[] target, int offset, int length) {
        if (from < 0 || length < 0 || from > size - length) {
            throw new IndexOutOfBoundsException("values [" + from + ", " + ((long) from + length) + ") outside " + size + " of " + name);
        }
        while (length > 0) {
            int within = from % piece;
            int count = Math.min(length, piece - within);
            pieces[from / piece].get(within, target, offset, count);
            from += count;
            offset += count;
            length -= count;
        }
    }
}
