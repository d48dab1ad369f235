package dev.slicedattention.jvm;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.DeviceKind;
import dev.slicedattention.jvm.par.ParallelCausal;
import dev.slicedattention.jvm.par.ParallelInputs;
import dev.slicedattention.jvm.par.ParallelPipeline;
import dev.slicedattention.jvm.par.ParallelSoftmax;
import dev.slicedattention.jvm.par.Workers;
import dev.slicedattention.jvm.par.Workspace;
import dev.slicedattention.spi.BackendEngine;
import dev.slicedattention.spi.BackendProvider;
import dev.slicedattention.spi.TensorBatch;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import java.util.List;

/**
 * {@code jvm-par}: the five stages on every core with plain Java — a dedicated fork/join pool, a
 * parallel merge sort, blocked parallel prefix sums and parallel loops over rows (package
 * {@code jvm.par}). The CPU peer the TornadoVM backend has to beat. The thread count is the number of
 * available processors, or the system property {@code sliced.attention.threads}. An open engine keeps
 * its scratch arrays (the prefix sums, about 2·n·e floats) between calls until it is closed.
 */
public final class JvmParallelProvider implements BackendProvider {
    public static final String NAME = "jvm-par";
    public static final String THREADS_PROPERTY = "sliced.attention.threads";

    @Override
    public String family() {
        return NAME;
    }

    @Override
    public List<BackendInfo> devices() {
        return List.of(info(threads()));
    }

    static int threads() {
        String configured = System.getProperty(THREADS_PROPERTY);
        if (configured != null) {
            try {
                int threads = Integer.parseInt(configured.trim());
                if (threads >= 1) {
                    return threads;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the default, as documented
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    static BackendInfo info(int threads) {
        return new BackendInfo(NAME, NAME, JvmHost.cpuName(), DeviceKind.CPU, Runtime.getRuntime().maxMemory(),
                "JVM", threads);
    }

    @Override
    public boolean accepts(String name) {
        return NAME.equals(name);
    }

    @Override
    public BackendEngine open(String name) {
        Workers workers = new Workers(threads());
        Workspace workspace = new Workspace();
        BackendInfo info = info(workers.threads());
        return new BackendEngine() {
            @Override
            public BackendInfo info() {
                return info;
            }

            @Override
            public float[] forward(AttentionBatch batch, StageTimes times) {
                return batch.isCausal() ? ParallelCausal.forward(workers, batch, times, workspace)
                        : ParallelPipeline.forward(workers, batch, times, workspace);
            }

            /**
             * Off-heap inputs (a mapped {@code .npy} file, a FloatArray) are read in place by the
             * forward pass, a block of rows at a time; the causal pass takes them to the heap.
             */
            @Override
            public float[] forward(TensorBatch batch, StageTimes times) {
                return batch.options().isCausal() ? forward(batch.toHeap(), times)
                        : ParallelPipeline.forward(workers, ParallelInputs.of(batch), times, workspace);
            }

            @Override
            public float[] softmax(AttentionBatch batch) {
                return ParallelSoftmax.forward(workers, batch);
            }

            @Override
            public void close() {
                workers.shutdown();
            }
        };
    }
}
