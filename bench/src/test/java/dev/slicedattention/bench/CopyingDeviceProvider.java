package dev.slicedattention.bench;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.DeviceKind;
import dev.slicedattention.bench.roof.JvmRoofProvider;
import dev.slicedattention.spi.BackendEngine;
import dev.slicedattention.spi.BackendProvider;
import dev.slicedattention.spi.MemoryRoofKernel;
import dev.slicedattention.spi.MemoryRoofProvider;
import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.sequential.SequentialPipeline;
import dev.slicedattention.validation.sequential.SequentialSoftmax;
import java.util.List;

/**
 * A stand-in device backend for the tests ({@value #NAME}), found through the same ServiceLoader
 * files as a real one: it copies the inputs "to the device" and the output back, charging the copies
 * to the transfer stages, so the benchmarks' device path (transfers in the score, the device-only
 * time) runs without TornadoVM. Its roof is the JVM's one-thread roof.
 */
public final class CopyingDeviceProvider implements BackendProvider {
    public static final String NAME = "copying-device";

    private static BackendInfo info() {
        return new BackendInfo(NAME, NAME, "test device", DeviceKind.CPU, Runtime.getRuntime().maxMemory(), "test", 1);
    }

    @Override
    public String family() {
        return NAME;
    }

    @Override
    public List<BackendInfo> devices() {
        return List.of(info());
    }

    @Override
    public boolean accepts(String name) {
        return NAME.equals(name);
    }

    @Override
    public BackendEngine open(String name) {
        return new BackendEngine() {
            @Override
            public BackendInfo info() {
                return CopyingDeviceProvider.info();
            }

            @Override
            public float[] forward(AttentionBatch batch, StageTimes times) {
                long start = System.nanoTime();
                AttentionBatch onDevice = new AttentionBatch(batch.heads(), batch.m(), batch.n(), batch.d(), batch.e(),
                        batch.q().clone(), batch.k().clone(), batch.v().clone(), batch.theta().clone()).withOptions(batch.options());
                times.add(Stage.TRANSFER_IN, System.nanoTime() - start);
                float[] out = SequentialPipeline.forward(onDevice, times);
                start = System.nanoTime();
                float[] back = out.clone();
                times.add(Stage.TRANSFER_OUT, System.nanoTime() - start);
                return back;
            }

            @Override
            public float[] softmax(AttentionBatch batch) {
                return SequentialSoftmax.forward(batch);
            }

            @Override
            public void close() {
                // nothing held
            }
        };
    }

    /** The stand-in device's roof: the JVM's single-thread copy and triad. */
    public static final class Roof implements MemoryRoofProvider {
        @Override
        public boolean supports(BackendInfo backend) {
            return NAME.equals(backend.family());
        }

        @Override
        public MemoryRoofKernel open(BackendInfo backend, int length) {
            return new JvmRoofProvider().open(backend, length);
        }
    }
}
