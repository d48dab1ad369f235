package dev.slicedattention.tornado.graphs;

import dev.slicedattention.tornado.kernels.SoftmaxKernels;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.Shape;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The softmax baseline for one shape: one graph, one kernel; Q, K, V and the lengths (ragged and
 * causal, see {@link SoftmaxKernels}) in, the output back.
 */
public final class SoftmaxPlan implements AutoCloseable {
    private final Shape shape;
    private final FloatArray q, k, v, out;
    private final IntArray lengths;
    private final TornadoExecutionPlan plan;

    public SoftmaxPlan(Shape shape, TornadoDevice device) {
        this.shape = shape;
        int heads = shape.heads(), m = shape.m(), n = shape.n(), d = shape.d(), e = shape.e();
        q = new FloatArray(heads * m * d);
        k = new FloatArray(heads * n * d);
        v = new FloatArray(heads * n * e);
        out = new FloatArray(heads * m * e);
        lengths = new IntArray(2 * heads + 1);
        TaskGraph graph = new TaskGraph("softmax")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, q, k, v, lengths)
                .task("attention", SoftmaxKernels::attention, q, k, v, lengths, out, m, n, d, e)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        plan = new TornadoExecutionPlan(graph.snapshot());
        plan.withDevice(device);
        DeviceLimits.capPtxRegisters(plan);
    }

    /** Device memory the plan's buffers take once it has run. */
    public long deviceBytes() {
        return ForwardPlan.bytesWithHeaders(q, k, v, lengths, out);
    }

    public Shape shape() {
        return shape;
    }

    public float[] run(AttentionBatch batch) {
        MemorySegment.copy(batch.q(), 0, q.getSegment(), ValueLayout.JAVA_FLOAT, 0, batch.q().length);
        MemorySegment.copy(batch.k(), 0, k.getSegment(), ValueLayout.JAVA_FLOAT, 0, batch.k().length);
        MemorySegment.copy(batch.v(), 0, v.getSegment(), ValueLayout.JAVA_FLOAT, 0, batch.v().length);
        int heads = shape.heads();
        for (int p = 0; p < heads; p++) {
            lengths.set(p, batch.keyLength(p));
            lengths.set(heads + p, batch.queryLength(p));
        }
        lengths.set(2 * heads, batch.isCausal() ? 1 : 0);
        DriverErrors.watch("softmax", plan::execute);
        float[] result = new float[out.getSize()];
        MemorySegment.copy(out.getSegment(), ValueLayout.JAVA_FLOAT, 0, result, 0, result.length);
        return result;
    }

    @Override
    public void close() {
        try {
            plan.freeDeviceMemory();
            plan.close();
        } catch (Exception failed) {
            throw new IllegalStateException("cannot release the device buffers of the softmax " + shape + " plan", failed);
        }
    }
}
