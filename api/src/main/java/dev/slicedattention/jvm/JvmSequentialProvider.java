package dev.slicedattention.jvm;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.DeviceKind;
import dev.slicedattention.spi.BackendEngine;
import dev.slicedattention.spi.BackendProvider;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.sequential.SequentialPipeline;
import dev.slicedattention.validation.sequential.SequentialSoftmax;
import java.util.List;

/** {@code jvm-seq}: the sequential path of the validation module, one thread, as a backend. */
public final class JvmSequentialProvider implements BackendProvider {
    public static final String NAME = "jvm-seq";

    @Override
    public String family() {
        return NAME;
    }

    @Override
    public List<BackendInfo> devices() {
        return List.of(info());
    }

    static BackendInfo info() {
        return new BackendInfo(NAME, NAME, JvmHost.cpuName(), DeviceKind.CPU, Runtime.getRuntime().maxMemory(), "JVM", 1);
    }

    @Override
    public boolean accepts(String name) {
        return NAME.equals(name);
    }

    @Override
    public BackendEngine open(String name) {
        BackendInfo info = info();
        return new BackendEngine() {
            @Override
            public BackendInfo info() {
                return info;
            }

            @Override
            public float[] forward(AttentionBatch batch, StageTimes times) {
                return SequentialPipeline.forward(batch, times);
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
}
