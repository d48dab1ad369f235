package dev.slicedattention.tornado;

import dev.slicedattention.spi.OffHeapFloats;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** A TornadoVM {@link FloatArray} as the API's off-heap values: read in place through its segment. */
final class FloatArrayValues implements OffHeapFloats {
    private final FloatArray array;

    FloatArrayValues(FloatArray array) {
        this.array = array;
    }

    @Override
    public int size() {
        return array.getSize();
    }

    @Override
    public float get(int index) {
        return array.get(index);
    }

    @Override
    public void copyTo(float[] target) {
        MemorySegment.copy(array.getSegment(), ValueLayout.JAVA_FLOAT, 0, target, 0, target.length);
    }

    @Override
    public void copyRange(int from, float[] target, int offset, int length) {
        MemorySegment.copy(array.getSegment(), ValueLayout.JAVA_FLOAT, (long) from * Float.BYTES, target, offset, length);
    }

    @Override
    public FloatArray array() {
        return array;
    }
}
