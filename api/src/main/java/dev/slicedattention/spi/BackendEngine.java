package dev.slicedattention.spi;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.layer.LayerWeights;
import dev.slicedattention.validation.layer.TokenOrder;
import dev.slicedattention.validation.projection.HeadLayout;
import java.util.Optional;

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

    /**
     * What an engine's own layer path returned: the output [B, T, hidden] (padded tokens' rows 0), and
     * the time of the dense stage (q, k, v, RoPE) and of the learned scalar projection.
     */
    record LayerRun(float[] output, long denseNanos, long projectionNanos) {}

    /**
     * The attention layer ({@link dev.slicedattention.Layer}) computed by this engine from end to end
     * — for a device, the dense stages and the learned projection on the device, chained with the
     * kernel stage — or empty when the engine has no such path (the default): the layer then runs its
     * dense stages and the projection on the JVM and calls {@link #forward(AttentionBatch, StageTimes)}
     * with the scalars given. X [B, T, hidden] has been checked; {@code order} is the mask's token order
     * and {@code options} carry the kernel, the bandwidth per problem b·H + h and, with a mask, the
     * lengths. The kernel stage's times go to {@code times}.
     */
    default Optional<LayerRun> layer(LayerWeights weights, boolean rope, HeadLayout layout, float[] x, int items, int tokens,
                                     TokenOrder order, AttentionOptions options, StageTimes times) {
        return Optional.empty();
    }

    /**
     * Whether {@link #layer} computes a layer with {@code options} here rather than declining: a caller
     * that checks the result starts its float64 check beside the engine's work only then.
     */
    default boolean hasLayerPath(AttentionOptions options) {
        return false;
    }

    /** The softmax-attention baseline output [P, m, e], flat (θ unused). */
    float[] softmax(AttentionBatch batch);

    /** Releases the engine's resources; further calls fail. */
    @Override
    void close();
}
