package dev.slicedattention;

import dev.slicedattention.spi.BackendEngine;
import dev.slicedattention.spi.TensorBatch;
import dev.slicedattention.split.SplitEngine;
import dev.slicedattention.split.SplitShare;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.OutputRange;
import java.util.List;
import java.util.function.Function;

/**
 * An opened backend, from {@link SlicedAttention#open(String)}: runs sliced ReLU attention (and the
 * softmax baseline) on tensors.
 *
 * <p>Inputs are either one head — Q [m, d], K [n, d], V [n, e], θ [d] — or a batch of P heads —
 * Q [P, m, d], K [P, n, d], V [P, n, e], θ [P, d]. The output is [m, e] or [P, m, e].
 *
 * <p>What is computed is an {@link AttentionOptions}: the sliced ReLU kernel by default, or the
 * sliced ReLU-bump kernel with its bandwidth, optionally over ragged problems (each with its own
 * number of keys and queries):
 *
 * <pre>{@code
 * Tensor relu = backend.forward(q, k, v, theta);
 * Tensor bump = backend.forward(q, k, v, theta, AttentionOptions.bump(0.7f));
 * Tensor ragged = backend.forward(q, k, v, theta, AttentionOptions.relu().withKeyLengths(50, 31, 7));
 * }</pre>
 *
 * <p>A backend may hold device resources (compiled plans, device buffers), reused while shapes
 * repeat: close it when done, preferably with try-with-resources. It is <em>not</em> thread-safe:
 * use one backend per thread, or synchronise. Errors are {@link dev.slicedattention.error
 * SlicedAttentionException}s whose messages are written for the user.
 */
public final class Backend implements AutoCloseable {
    private final BackendEngine engine;
    private boolean closed;

    Backend(BackendEngine engine) {
        this.engine = engine;
    }

    /** The engine, for {@link Layer}'s use of an engine's own layer path ({@link BackendEngine#layer}). */
    BackendEngine engine() {
        ensureOpen();
        return engine;
    }

    /**
     * For a {@code split:...} backend, how its last call's problems were shared among its backends and
     * how long each took; empty for any other backend, or before the first call.
     */
    public List<SplitShare> lastSplit() {
        return engine instanceof SplitEngine split ? split.lastShares() : List.of();
    }

    /** The backend and device this handle runs on. */
    public BackendInfo info() {
        return engine.info();
    }

    /** The sliced ReLU kernel's output. */
    public Tensor forward(Tensor q, Tensor k, Tensor v, Tensor theta) {
        return run(q, k, v, theta).output();
    }

    /** The output of the kernel, bandwidths and lengths that {@code options} name. */
    public Tensor forward(Tensor q, Tensor k, Tensor v, Tensor theta, AttentionOptions options) {
        return run(q, k, v, theta, options).output();
    }

    /** The sliced ReLU kernel's output with per-stage timings. */
    public ForwardResult run(Tensor q, Tensor k, Tensor v, Tensor theta) {
        return run(q, k, v, theta, AttentionOptions.relu());
    }

    /**
     * The output with per-stage timings. Off-heap inputs ({@link Tensor#view}) reach the engine as
     * they are: a TornadoVM engine sends them to its device without a copy on the heap.
     */
    public ForwardResult run(Tensor q, Tensor k, Tensor v, Tensor theta, AttentionOptions options) {
        if (q.isOffHeap() || k.isOffHeap() || v.isOffHeap() || theta.isOffHeap()) {
            return run(TensorBatch.of(q, k, v, theta, options));
        }
        return run(TensorBatch.heapBatch(q, k, v, theta, options), q.rank() == 2);
    }

    /**
     * The output for tensors already checked together ({@link TensorBatch#of}), as they are: off-heap
     * ones (a mapped {@code .npy} file, a TornadoVM {@code FloatArray}) are read in place by a
     * backend that can. The output is [m, e] for inputs without the P axis.
     */
    public ForwardResult run(TensorBatch batch) {
        return timed(times -> engine.forward(batch, times), batch.heads(), batch.m(), batch.e(), batch.singleHead());
    }

    /** The output for a batch already in flat form (used by the benchmarks and the showcase). */
    public ForwardResult run(AttentionBatch batch) {
        return run(batch, false);
    }

    private ForwardResult run(AttentionBatch batch, boolean singleHead) {
        return timed(times -> engine.forward(batch, times), batch.heads(), batch.m(), batch.e(), singleHead);
    }

    private ForwardResult timed(Function<StageTimes, float[]> forward, int heads, int m, int e, boolean singleHead) {
        ensureOpen();
        StageTimes times = new StageTimes();
        float[] out = forward.apply(times);
        OutputRange.requireFinite(out, heads, m, e);
        return new ForwardResult(outputTensor(out, heads, m, e, singleHead), times, engine.info());
    }

    /**
     * Softmax attention on the same tensors (θ is not used), the baseline of the crossover. Off-heap
     * inputs are copied to the heap first.
     */
    public Tensor softmax(Tensor q, Tensor k, Tensor v) {
        int d = q.dim(q.rank() - 1);
        int heads = q.rank() == 3 ? q.dim(0) : 1;
        Tensor theta = q.rank() == 3 ? Tensor.wrap(new float[heads * d], heads, d) : Tensor.wrap(new float[d], d);
        AttentionBatch batch = batch(q, k, v, theta);
        return softmax(batch, q.rank() == 2);
    }

    /** Softmax attention on a batch in flat form. */
    public Tensor softmax(AttentionBatch batch) {
        return softmax(batch, false);
    }

    private Tensor softmax(AttentionBatch batch, boolean singleHead) {
        ensureOpen();
        return outputTensor(engine.softmax(batch), batch.heads(), batch.m(), batch.e(), singleHead);
    }

    private static Tensor outputTensor(float[] out, int heads, int m, int e, boolean singleHead) {
        return singleHead ? Tensor.wrap(out, m, e) : Tensor.wrap(out, heads, m, e);
    }

    /**
     * Checks the four shapes against each other and builds the flat heap batch (which checks that
     * every value is finite). Off-heap tensors are copied.
     */
    public static AttentionBatch batch(Tensor q, Tensor k, Tensor v, Tensor theta) {
        return TensorBatch.heapBatch(q, k, v, theta);
    }

    /** As above, with {@code options} checked against the shapes. */
    public static AttentionBatch batch(Tensor q, Tensor k, Tensor v, Tensor theta, AttentionOptions options) {
        return TensorBatch.heapBatch(q, k, v, theta, options);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("backend " + engine.info().name() + " is closed");
        }
    }

    /** Releases the backend's resources. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            engine.close();
        }
    }
}
