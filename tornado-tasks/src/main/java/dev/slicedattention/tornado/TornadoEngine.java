package dev.slicedattention.tornado;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.error.DeviceFailureException;
import dev.slicedattention.spi.BackendEngine;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.tornado.graphs.ForwardPlan;
import dev.slicedattention.tornado.graphs.SoftmaxPlan;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.Shape;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.exceptions.TornadoBailoutRuntimeException;
import uk.ac.manchester.tornado.api.exceptions.TornadoMemoryException;
import uk.ac.manchester.tornado.api.exceptions.TornadoOutOfMemoryException;

/**
 * An opened TornadoVM device. Execution plans are built and compiled once per shape and cached
 * (the {@value #CACHED_SHAPES} most recently used shapes; an evicted plan frees its device buffers),
 * so a second call on a shape neither rebuilds nor recompiles.
 *
 * <p>Kernel gallery: when the system property {@value #KERNEL_DIR_PROPERTY} names a folder, the
 * OpenCL C (or PTX) that TornadoVM generates for each stage is saved there on the stage's first
 * compilation, one file per stage ({@code projection.cl}, {@code sort-local.cl}, ...).
 */
public final class TornadoEngine implements BackendEngine {
    public static final String KERNEL_DIR_PROPERTY = "sliced.attention.kernelDir";
    static final int CACHED_SHAPES = 2;

    private final TornadoDevice device;
    private final BackendInfo info;
    private final Map<Shape, ForwardPlan> plans = new LinkedHashMap<>(4, 0.75f, true);
    private SoftmaxPlan softmax;
    private ForwardPlan lastPlan;
    private int plansBuilt;
    private boolean closed;

    TornadoEngine(TornadoDevice device, BackendInfo info) {
        this.device = device;
        this.info = info;
    }

    @Override
    public BackendInfo info() {
        return info;
    }

    @Override
    public float[] forward(AttentionBatch batch, StageTimes times) {
        requireOpen();
        Shape shape = new Shape(batch.heads(), batch.m(), batch.n(), batch.d(), batch.e());
        try {
            ForwardPlan plan = plans.get(shape);
            if (plan == null) {
                long start = System.nanoTime();
                plan = new ForwardPlan(shape, device, kernelDir());
                plansBuilt++;
                plans.put(shape, plan);
                evict();
                times.addSetup(System.nanoTime() - start);
            }
            lastPlan = plan;
            return plan.forward(batch, times);
        } catch (RuntimeException failed) {
            throw translate(failed, batch);
        }
    }

    @Override
    public float[] softmax(AttentionBatch batch) {
        requireOpen();
        Shape shape = new Shape(batch.heads(), batch.m(), batch.n(), batch.d(), batch.e());
        try {
            if (softmax == null || !softmax.shape().equals(shape)) {
                if (softmax != null) {
                    softmax.close();
                }
                softmax = new SoftmaxPlan(shape, device);
            }
            return softmax.run(batch);
        } catch (RuntimeException failed) {
            throw translate(failed, batch);
        }
    }

    /** Execution plans built so far by this engine (for tests: a cached shape adds none). */
    public int plansBuilt() {
        return plansBuilt;
    }

    /** The plan of the last forward call, for its profiler figures. */
    public ForwardPlan lastPlan() {
        return lastPlan;
    }

    private static Path kernelDir() {
        String dir = System.getProperty(KERNEL_DIR_PROPERTY);
        return dir == null || dir.isBlank() ? null : Path.of(dir);
    }

    private void evict() {
        Iterator<Map.Entry<Shape, ForwardPlan>> oldest = plans.entrySet().iterator();
        while (plans.size() > CACHED_SHAPES) {
            oldest.next().getValue().close();
            oldest.remove();
        }
    }

    private RuntimeException translate(RuntimeException failed, AttentionBatch batch) {
        if (failed instanceof DeviceFailureException) {
            return failed;
        }
        String device = info.name() + " (" + info.deviceName() + ")";
        if (failed instanceof TornadoOutOfMemoryException || failed instanceof TornadoMemoryException) {
            return new DeviceFailureException(device + " ran out of memory for " + batch
                    + ": use fewer heads or shorter sequences, or raise -Dtornado.device.memory", failed);
        }
        if (failed instanceof TornadoBailoutRuntimeException) {
            return new DeviceFailureException("a kernel did not compile for " + device
                    + " and TornadoVM would have run it as Java on the host: run with -Dtornado.printKernel=True to see it", failed);
        }
        return new DeviceFailureException(device + " failed on " + batch + " (" + failed + "); check the device with `tornado --devices`", failed);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this tornado backend is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ForwardPlan plan : plans.values()) {
            plan.close();
        }
        plans.clear();
        if (softmax != null) {
            softmax.close();
        }
    }
}
