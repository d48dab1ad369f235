package dev.slicedattention;

import dev.slicedattention.error.InvalidInputException;
import dev.slicedattention.spi.BackendEngine;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;

/**
 * An opened backend, from {@link SlicedAttention#open(String)}: runs sliced ReLU attention (and the
 * softmax baseline) on tensors.
 *
 * <p>Inputs are either one head — Q [m, d], K [n, d], V [n, e], θ [d] — or a batch of P heads —
 * Q [P, m, d], K [P, n, d], V [P, n, e], θ [P, d]. The output is [m, e] or [P, m, e].
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

    /** The backend and device this handle runs on. */
    public BackendInfo info() {
        return engine.info();
    }

    /** The operator's output. */
    public Tensor forward(Tensor q, Tensor k, Tensor v, Tensor theta) {
        return run(q, k, v, theta).output();
    }

    /** The output with per-stage timings. */
    public ForwardResult run(Tensor q, Tensor k, Tensor v, Tensor theta) {
        AttentionBatch batch = batch(q, k, v, theta);
        return run(batch, q.rank() == 2);
    }

    /** The output for a batch already in flat form (used by the benchmarks and the showcase). */
    public ForwardResult run(AttentionBatch batch) {
        return run(batch, false);
    }

    private ForwardResult run(AttentionBatch batch, boolean singleHead) {
        ensureOpen();
        StageTimes times = new StageTimes();
        float[] out = engine.forward(batch, times);
        return new ForwardResult(outputTensor(out, batch, singleHead), times, engine.info());
    }

    /** Softmax attention on the same tensors (θ is not used), the baseline of the crossover. */
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
        return outputTensor(engine.softmax(batch), batch, singleHead);
    }

    private static Tensor outputTensor(float[] out, AttentionBatch batch, boolean singleHead) {
        return singleHead ? Tensor.wrap(out, batch.m(), batch.e()) : Tensor.wrap(out, batch.heads(), batch.m(), batch.e());
    }

    /**
     * Checks the four shapes against each other and builds the flat batch (which checks that every
     * value is finite).
     */
    public static AttentionBatch batch(Tensor q, Tensor k, Tensor v, Tensor theta) {
        int rank = q.rank();
        if (rank != 2 && rank != 3) {
            throw new InvalidInputException("Q must be [m, d] or [P, m, d], got shape " + q.shapeText());
        }
        requireRank("K", k, rank, rank == 2 ? "[n, d]" : "[P, n, d]");
        requireRank("V", v, rank, rank == 2 ? "[n, e]" : "[P, n, e]");
        requireRank("theta", theta, rank - 1, rank == 2 ? "[d]" : "[P, d]");
        int heads = rank == 3 ? q.dim(0) : 1;
        int base = rank - 2;
        int m = q.dim(base), d = q.dim(base + 1);
        int n = k.dim(base), e = v.dim(base + 1);
        if (rank == 3) {
            requireEqual("the number of heads P", "Q", heads, "K", k.dim(0));
            requireEqual("the number of heads P", "Q", heads, "V", v.dim(0));
            requireEqual("the number of heads P", "Q", heads, "theta", theta.dim(0));
        }
        requireEqual("the key dimension d", "Q", d, "K", k.dim(base + 1));
        requireEqual("the key dimension d", "Q", d, "theta", theta.dim(theta.rank() - 1));
        requireEqual("the number of keys n", "K", n, "V", v.dim(base));
        if (n == 0) {
            throw new InvalidInputException("K and V have no rows (n = 0): attention needs at least one key");
        }
        if (m == 0) {
            throw new InvalidInputException("Q has no rows (m = 0): there is nothing to compute");
        }
        // Finiteness is checked once, by the batch, with each tensor's own shape in the message.
        return new AttentionBatch(heads, m, n, d, e, q.data(), k.data(), v.data(), theta.data(),
                new int[][] {q.shape(), k.shape(), v.shape(), theta.shape()});
    }

    private static void requireRank(String name, Tensor tensor, int rank, String expected) {
        if (tensor.rank() != rank) {
            throw new InvalidInputException(name + " must be " + expected + " to match Q, got shape " + tensor.shapeText());
        }
    }

    private static void requireEqual(String what, String first, int a, String second, int b) {
        if (a != b) {
            throw new InvalidInputException(what + " differs: " + first + " has " + a + ", " + second + " has " + b);
        }
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
