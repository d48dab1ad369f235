package dev.slicedattention.spi;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;

/**
 * An opened backend: runs forward passes on validated batches. It may hold device resources
 * (compiled execution plans, device buffers) keyed by shape and reuse them across calls; it releases
 * them in {@link #close()}. One call at a time: engines are not thread-safe.
 */
public interface BackendEngine extends AutoCloseable {
    BackendInfo info();

    /**
     * The sliced ReLU attention output [P, m, e], flat. Charges each stage's time to {@code times}
     * and one-off preparation (plan building, JIT) to {@link StageTimes#addSetup}.
     */
    float[] forward(AttentionBatch batch, StageTimes times);

    /**
     * The same, for inputs of which some are {@linkplain dev.slicedattention.Tensor#isOffHeap()
     * off-heap} (shapes and values already checked). An engine that can use such memory in place
     * overrides this; the default copies the inputs to the heap.
     */
    default float[] forward(TensorBatch batch, StageTimes times) {
        return forward(batch.toHeap(), times);
    }

    /** The softmax-attention baseline output [P, m, e], flat (θ unused). */
    float[] softmax(AttentionBatch batch);

    /** Releases the engine's resources; further calls fail. */
    @Override
    void close();
}
