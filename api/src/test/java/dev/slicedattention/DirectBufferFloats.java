package dev.slicedattention;

import dev.slicedattention.spi.OffHeapFloats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** Off-heap values in a direct NIO buffer: the API's view of foreign memory, without TornadoVM. */
final class DirectBufferFloats implements OffHeapFloats {
    final FloatBuffer buffer;
    int bulkCopies;
    /** Calls of {@link #copyRange}: how the JVM backends read a view in place, a block at a time. */
    int rangeCopies;

    DirectBufferFloats(float[] values) {
        buffer = ByteBuffer.allocateDirect(values.length * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        buffer.put(0, values);
    }

    @Override
    public int size() {
        return buffer.capacity();
    }

    @Override
    public float get(int index) {
        return buffer.get(index);
    }

    @Override
    public void copyTo(float[] target) {
        bulkCopies++;
        buffer.get(0, target);
    }

    @Override
    public void copyRange(int from, float[] target, int offset, int length) {
        synchronized (this) {
            rangeCopies++;
        }
        buffer.get(from, target, offset, length);
    }

    @Override
    public Object array() {
        return buffer;
    }
}
