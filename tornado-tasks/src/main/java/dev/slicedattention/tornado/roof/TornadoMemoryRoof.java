package dev.slicedattention.tornado.roof;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.spi.MemoryRoofKernel;
import dev.slicedattention.spi.MemoryRoofProvider;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The memory roof of a TornadoVM device ({@code tornado}, {@code tornado:B:D}): STREAM's copy and
 * triad as {@code @Parallel} loops, each in its own one-task graph, over arrays that stay in device
 * memory. The arrays go to the device once ({@code FIRST_EXECUTION}) and come back only on demand
 * ({@code UNDER_DEMAND}, read by {@link MemoryRoofKernel#probe()}), so a timed {@code execute()} is
 * the kernel plus TornadoVM's per-launch overhead, never a host↔device copy — the same conditions as
 * the device-only time of the forward pass. {@code execute()} returns when the device has finished
 * (TornadoVM flushes the queue at the end of a graph).
 *
 * <p>Two graphs rather than one: a graph runs all its tasks on every execute, and each probe must be
 * timed alone. Each graph has its own arrays (a device buffer belongs to one plan unless it is
 * explicitly persisted), so five arrays of {@code length} floats live on the device.
 */
public final class TornadoMemoryRoof implements MemoryRoofProvider {
    private static final String FAMILY = "tornado";

    @Override
    public boolean supports(BackendInfo backend) {
        return FAMILY.equals(backend.family());
    }

    @Override
    public MemoryRoofKernel open(BackendInfo backend, int length) {
        return new DeviceArrays(device(backend.name()), length);
    }

    /** {@code tornado:B:D} → backend B, device D; plain {@code tornado} → TornadoVM's default device. */
    private static TornadoDevice device(String name) {
        String[] parts = name.split(":");
        if (parts.length == 3) {
            return TornadoExecutionPlan.getDevice(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
        }
        return TornadoExecutionPlan.DEFAULT_DEVICE;
    }

    /** b ← a. */
    public static void copyKernel(FloatArray a, FloatArray b) {
        for (@Parallel int i = 0; i < a.getSize(); i++) {
            b.set(i, a.get(i));
        }
    }

    /** a ← b + 3·c; the scalar is a literal so the kernel has no scalar argument to specialise on. */
    public static void triadKernel(FloatArray a, FloatArray b, FloatArray c) {
        for (@Parallel int i = 0; i < a.getSize(); i++) {
            a.set(i, b.get(i) + 3.0f * c.get(i));
        }
    }

    private static final class DeviceArrays implements MemoryRoofKernel {
        private final int length;
        private final FloatArray copyA;
        private final FloatArray copyB;
        private final FloatArray triadA;
        private final FloatArray triadB;
        private final FloatArray triadC;
        private final TornadoExecutionPlan copyPlan;
        private final TornadoExecutionPlan triadPlan;
        private TornadoExecutionResult copyResult;
        private TornadoExecutionResult triadResult;

        DeviceArrays(TornadoDevice device, int length) {
            this.length = length;
            // The JVM roof's data: after one copy and one triad, b[0] + a[last] = 1 + (1 + 3·0.5) = 3.5.
            copyA = filled(length, 1.0f);
            copyB = filled(length, 2.0f);
            triadA = filled(length, 1.0f);
            triadB = filled(length, 1.0f);
            triadC = filled(length, 0.5f);
            ImmutableTaskGraph copyGraph = new TaskGraph("roofCopy")
                    .transferToDevice(DataTransferMode.FIRST_EXECUTION, copyA, copyB)
                    .task("copy", TornadoMemoryRoof::copyKernel, copyA, copyB)
                    .transferToHost(DataTransferMode.UNDER_DEMAND, copyB)
                    .snapshot();
            ImmutableTaskGraph triadGraph = new TaskGraph("roofTriad")
                    .transferToDevice(DataTransferMode.FIRST_EXECUTION, triadA, triadB, triadC)
                    .task("triad", TornadoMemoryRoof::triadKernel, triadA, triadB, triadC)
                    .transferToHost(DataTransferMode.UNDER_DEMAND, triadA)
                    .snapshot();
            copyPlan = new TornadoExecutionPlan(copyGraph).withDevice(device);
            triadPlan = new TornadoExecutionPlan(triadGraph).withDevice(device);
            // First executions, untimed: JIT compilation and the one host→device copy happen here.
            copyResult = copyPlan.execute();
            triadResult = triadPlan.execute();
        }

        private static FloatArray filled(int length, float value) {
            FloatArray array = new FloatArray(length);
            array.init(value);
            return array;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public void copy() {
            copyResult = copyPlan.execute();
        }

        @Override
        public void triad() {
            triadResult = triadPlan.execute();
        }

        @Override
        public double probe() {
            copyResult.transferToHost(copyB);
            triadResult.transferToHost(triadA);
            return (double) copyB.get(0) + triadA.get(length - 1);
        }

        @Override
        public void close() {
            try {
                copyPlan.close();
                triadPlan.close();
            } catch (TornadoExecutionPlanException failed) {
                throw new IllegalStateException("cannot release the memory-roof buffers on the device", failed);
            }
        }
    }
}
