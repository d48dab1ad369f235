package dev.slicedattention.tornado.graphs;

import dev.slicedattention.spi.OffHeapFloats;
import dev.slicedattention.validation.npy.MappedNpy;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.FloatBuffer;
import java.util.Objects;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The values a plan copies into one of its input arrays before a pass: a heap array, or float32
 * values outside the heap (a memory-mapped {@code .npy}, {@link OffHeapFloats}) read where they are.
 * Why not always a heap array: reading a mapped 2^20 × 64 tensor onto the heap first cost 256 MiB of
 * heap and a pass per tensor (0.77 GB for Q, K and V) only to copy it once more into the plan's
 * {@code FloatArray}; here it goes from the mapping into the plan's array in blocks.
 *
 * <p>A mapped file's pages are given back as soon as a block is copied ({@link HostArrays#giveBack}):
 * they stay in the page cache, but no longer count in the process's resident set, where they would
 * otherwise sit beside the plan's copy of the same values for the rest of the call (0.77 GB for Q, K
 * and V at n = 2^20, d = e = 64). Reading the file again, if the caller does, faults them back in.
 */
public final class HostValues {
    /** Values per block copied from off-heap memory through a small heap buffer (64 KiB). */
    private static final int BLOCK = 16384;

    private final float[] heap;
    private final OffHeapFloats offHeap;

    private HostValues(float[] heap, OffHeapFloats offHeap) {
        this.heap = heap;
        this.offHeap = offHeap;
    }

    public static HostValues of(float[] values) {
        return new HostValues(Objects.requireNonNull(values, "values"), null);
    }

    public static HostValues of(OffHeapFloats values) {
        return new HostValues(null, Objects.requireNonNull(values, "values"));
    }

    /** Heap arrays, each wrapped; a null entry stays null (an input the plan takes from the caller). */
    public static HostValues[] ofArrays(float[]... values) {
        HostValues[] wrapped = new HostValues[values.length];
        for (int i = 0; i < values.length; i++) {
            wrapped[i] = values[i] == null ? null : of(values[i]);
        }
        return wrapped;
    }

    /** Whether the values are a mapped {@code .npy} file's. */
    boolean isMappedFile() {
        return mappedFile() != null;
    }

    /** The mapped {@code .npy} file the values are, or null. */
    private MappedNpy mappedFile() {
        return offHeap != null && offHeap.array() instanceof MappedNpy mapped ? mapped : null;
    }

    /** Copies every value to the start of {@code target}; a mapped file's pages are given back block by block. */
    void copyInto(FloatArray target) {
        if (heap != null) {
            MemorySegment.copy(heap, 0, target.getSegment(), ValueLayout.JAVA_FLOAT, 0, heap.length);
            return;
        }
        MappedNpy file = mappedFile();
        FloatBuffer[] pieces = file == null ? null : file.pieces();
        long[] givenBack = file == null ? null : new long[pieces.length];   // per piece: bytes given back so far
        float[] block = new float[Math.min(BLOCK, offHeap.size())];
        for (int from = 0; from < offHeap.size(); from += block.length) {
            int length = Math.min(block.length, offHeap.size() - from);
            read(from, block, length);
            MemorySegment.copy(block, 0, target.getSegment(), ValueLayout.JAVA_FLOAT, (long) from * Float.BYTES, length);
            if (file != null) {
                giveBack(pieces, givenBack, file.valuesPerPiece(), from + length);
            }
        }
    }

    /**
     * Gives back the mapped pages of the values before {@code end} that are not given back yet: whole
     * pages only, so a page that holds the next block's first values waits for that block.
     */
    private static void giveBack(FloatBuffer[] pieces, long[] givenBack, int perPiece, int end) {
        int piece = (end - 1) / perPiece;
        long to = (long) (end - piece * perPiece) * Float.BYTES;
        givenBack[piece] = HostArrays.giveBack(MemorySegment.ofBuffer(pieces[piece]), givenBack[piece], to);
    }

    /** Copies values [from, from + length) into target[0, length). */
    public void read(int from, float[] target, int length) {
        if (heap != null) {
            System.arraycopy(heap, from, target, 0, length);
        } else {
            offHeap.copyRange(from, target, 0, length);
        }
    }
}
