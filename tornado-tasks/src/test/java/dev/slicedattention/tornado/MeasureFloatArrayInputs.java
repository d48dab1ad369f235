package dev.slicedattention.tornado;

import dev.slicedattention.spi.TensorBatch;
import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/**
 * What the zero-copy FloatArray input saves (not a test: nothing is asserted). The same problem,
 * P = 1, n = m = {@code -Dn} (2^20), d = e = 64, as heap arrays (copied into the plan's FloatArrays
 * on every call) and as the caller's FloatArrays (sent as they are), in alternating calls so that
 * the machine's noise hits both alike. Prints the median wall time per call and the median
 * transfer-in stage (host copy plus host-to-device write) of each, and their ratio.
 *
 * <p>The engine keeps both plans only if they fit {@code -Dtornado.device.memory} together (about
 * 4 GB at 2^20); otherwise every call would rebuild a plan and the figures would be JIT time.
 *
 * <pre>
 *   mvn -pl tornado-tasks test -Dtest=MeasureFloatArrayInputs -Dtornado.test.groups=measure \
 *       -Dtornado.test.flags="-Dn=1048576 -Dreps=7 -Dtornado.device.memory=8GB" -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@Tag("measure")
class MeasureFloatArrayInputs {
    @Test
    void measure() {
        int n = Integer.getInteger("n", 1 << 20);
        int reps = Integer.getInteger("reps", 7);
        Shape shape = new Shape(1, n, n, 64, 64);
        AttentionBatch heap = InputGenerator.GAUSSIAN.generate(shape, 7);
        TensorBatch offHeap = TensorBatch.of(
                TornadoTensors.wrap(FloatArray.fromArray(heap.q()), n, 64),
                TornadoTensors.wrap(FloatArray.fromArray(heap.k()), n, 64),
                TornadoTensors.wrap(FloatArray.fromArray(heap.v()), n, 64),
                TornadoTensors.wrap(FloatArray.fromArray(heap.theta()), 64));
        try (TornadoEngine engine = TornadoTestDevice.open()) {
            // First calls build and compile both plans (the engine keeps two).
            engine.forward(heap, new StageTimes());
            engine.forward(offHeap, new StageTimes());
            long[] heapWall = new long[reps], heapIn = new long[reps], arrayWall = new long[reps], arrayIn = new long[reps];
            for (int r = 0; r < reps; r++) {
                StageTimes times = new StageTimes();
                long start = System.nanoTime();
                engine.forward(heap, times);
                heapWall[r] = System.nanoTime() - start;
                heapIn[r] = times.nanos(Stage.TRANSFER_IN);
                times = new StageTimes();
                start = System.nanoTime();
                engine.forward(offHeap, times);
                arrayWall[r] = System.nanoTime() - start;
                arrayIn[r] = times.nanos(Stage.TRANSFER_IN);
            }
            long inputBytes = (long) (heap.q().length + heap.k().length + heap.v().length + heap.theta().length) * Float.BYTES;
            System.out.printf("device %s (%s, %s); n = m = %d, d = e = 64, inputs %.0f MB; median of %d alternating calls%n",
                    engine.info().name(), engine.info().deviceName(), engine.info().runtime(), n, inputBytes / 1e6, reps);
            System.out.printf("heap float[] inputs:   wall %.1f ms, transfer-in %.1f ms%n", median(heapWall) / 1e6, median(heapIn) / 1e6);
            System.out.printf("FloatArray inputs:     wall %.1f ms, transfer-in %.1f ms%n", median(arrayWall) / 1e6, median(arrayIn) / 1e6);
            System.out.printf("heap / FloatArray:     wall %.3f×, transfer-in %.2f×%n",
                    (double) median(heapWall) / median(arrayWall), (double) median(heapIn) / median(arrayIn));
            System.out.printf("(TornadoVM array header %d bytes)%n", TornadoNativeArray.ARRAY_HEADER);
        }
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
