package dev.slicedattention.spi;

/**
 * float32 values that live outside the Java heap and that a {@link dev.slicedattention.Tensor} views
 * in place: how a backend module lets its own array type (TornadoVM's {@code FloatArray}, for one)
 * enter the API without a copy. See {@code dev.slicedattention.tornado.TornadoTensors}.
 *
 * <p>A backend that recognises {@link #array()} hands it to its device as it is; every other backend
 * reads the values through {@link #copyTo}, one bulk copy per call.
 */
public interface OffHeapFloats {
    /** Number of values. */
    int size();

    /** The value at a flat, row-major index. */
    float get(int index);

    /** Copies all {@link #size()} values into {@code target}, which has exactly that length. */
    void copyTo(float[] target);

    /**
     * Copies values [from, from + length) into target[offset, offset + length): how the JVM backends
     * read off-heap inputs in place, a block of rows at a time. The default reads value by value;
     * an implementation with a bulk copy overrides it.
     */
    default void copyRange(int from, float[] target, int offset, int length) {
        for (int i = 0; i < length; i++) {
            target[offset + i] = get(from + i);
        }
    }

    /** These values as the block reader of the scans ({@link dev.slicedattention.validation.FiniteCheck}): read in place through {@link #copyRange}. */
    default dev.slicedattention.validation.FiniteCheck.BlockReader blocks() {
        return (from, target, length) -> copyRange(from, target, 0, length);
    }

    /** The index of the first NaN or ±∞, read in place (in blocks, on all cores); -1 when every value is finite. */
    default int indexOfNonFinite() {
        return dev.slicedattention.validation.FiniteCheck.firstNonFinite(size(), blocks());
    }

    /** The object that holds the memory, for a backend that can use it directly (a {@code FloatArray}). */
    Object array();
}
