package dev.slicedattention;

import dev.slicedattention.spi.BackendEngine;
import dev.slicedattention.spi.TensorBatch;
import dev.slicedattention.split.SplitEngine;
import dev.slicedattention.split.SplitShare;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.FiniteCheck;
import dev.slicedattention.validation.OutputRange;
import dev.slicedattention.validation.SpotCheck;
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
 *
 * <p>Every forward call is spot-checked by default: a few queries per problem, drawn at random per
 * call, are recomputed on the host in float64 by the literal formula (O(n·(d + e)) per problem, on a
 * thread of its own while the backend works) and compared with the backend's rows within its
 * tolerance ({@link BackendInfo#tolerancePolicy()}). A wrong row fails the call with a {@link
 * dev.slicedattention.error.ResultMismatchException} naming the problem, the query, the expected and
 * the found value and the device, and the output is not returned. {@link #spotCheck(int)} sets how
 * many queries per problem are checked, or turns the check off.
 */
public final class Backend implements AutoCloseable {
    private final BackendEngine engine;
    private boolean closed;
    private int spotChecks = SpotCheck.DEFAULT_QUERIES;

    Backend(BackendEngine engine) {
        this.engine = engine;
    }

    /** The engine, for {@link Layer}'s use of an engine's own layer path ({@link BackendEngine#layer}). */
    BackendEngine engine() {
        ensureOpen();
        return engine;
    }

    /**
     * Sets how many queries per problem each later forward call checks against the float64
     * reference ({@link SpotCheck#DEFAULT_QUERIES} by default; with m at most that, every row): 0
     * turns the check off, for callers that validate results themselves or time the backend alone.
     * The check costs O(n·(d + e)) per problem on the host, in float64; on a device it runs while
     * the device works.
     *
     * @return this backend
     */
    public Backend spotCheck(int queriesPerProblem) {
        if (queriesPerProblem < 0) {
            throw new IllegalArgumentException("the queries to check per problem cannot be negative: " + queriesPerProblem);
        }
        spotChecks = queriesPerProblem;
        return this;
    }

    /** Queries per problem that each forward call checks; 0 when the check is off. */
    public int spotCheckQueries() {
        return spotChecks;
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
        ensureOpen();
        return timed(times -> engine.forward(batch, times), SpotChecker.start(batch, spotChecks), batch.heads(), batch.m(),
                batch.e(), batch.singleHead());
    }

    /** The output for a batch already in flat form (used by the benchmarks and the showcase). */
    public ForwardResult run(AttentionBatch batch) {
        return run(batch, false);
    }

    private ForwardResult run(AttentionBatch batch, boolean singleHead) {
        ensureOpen();
        return timed(times -> engine.forward(batch, times), SpotChecker.start(batch, spotChecks), batch.heads(), batch.m(),
                batch.e(), singleHead);
    }

    /** Runs {@code forward}, refuses a non-finite output, and judges the output with {@code check} (null: none). */
    private ForwardResult timed(Function<StageTimes, float[]> forward, SpotChecker<SpotCheck> check, int heads, int m, int e,
                                boolean singleHead) {
        StageTimes times = new StageTimes();
        float[] out;
        try {
            out = forward.apply(times);
        } catch (RuntimeException | Error failed) {
            if (check != null) {
                check.abandon();
            }
            throw failed;
        }
        float largest = FiniteCheck.largestMagnitude(out);
        if (!Float.isFinite(largest)) {
            if (check != null) {
                check.abandon();
            }
            OutputRange.requireFinite(out, heads, m, e);
        }
        if (check != null) {
            check.expected().judge(out, largest, engine.info().tolerancePolicy(), engine.info().describe());
        }
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
