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

    /**
     * max |array[from .. from + count)|, read through the array's memory in chunks copied to a small
     * heap buffer (a plain loop over a float[] is what the JIT vectorises).
     */
    static float largestMagnitude(FloatArray array, int from, int count) {
        float[] chunk = new float[Math.min(count, 1 << 14)];
        float largest = 0.0f;
        for (int start = 0; start < count; start += chunk.length) {
            int length = Math.min(chunk.length, count - start);
            MemorySegment.copy(array.getSegment(), ValueLayout.JAVA_FLOAT, (long) (from + start) * Float.BYTES, chunk, 0, length);
            for (int i = 0; i < length; i++) {
                largest = Math.max(largest, Math.abs(chunk[i]));
            }
        }
        return largest;
    }

    @Override
    public FloatArray array() {
        return array;
    }
}
