package dev.slicedattention.spi;

import dev.slicedattention.Tensor;
import dev.slicedattention.error.InvalidInputException;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;

/**
 * The four input tensors of one call — one head (Q [m, d], K [n, d], V [n, e], θ [d]) or P heads
 * (Q [P, m, d], K [P, n, d], V [P, n, e], θ [P, d]) — with their shapes checked against each other.
 * This is what an engine receives when some input {@linkplain Tensor#isOffHeap() lives off the heap},
 * so that it can use that memory in place; {@link #toHeap()} is the flat heap form every engine
 * understands.
 */
public final class TensorBatch {
    private final Tensor q, k, v, theta;
    private final int heads, m, n, d, e;
    private final AttentionOptions options;
    /** max|Q| and max|K| from {@link #of}'s finite check (set there, before the batch is returned). */
    private float largestQuery = Float.NaN, largestKey = Float.NaN;

    private TensorBatch(Tensor q, Tensor k, Tensor v, Tensor theta, AttentionOptions options) {
        int rank = q.rank();
        if (rank != 2 && rank != 3) {
            throw new InvalidInputException("Q must be [m, d] or [P, m, d], got shape " + q.shapeText());
        }
        requireRank("K", k, rank, rank == 2 ? "[n, d]" : "[P, n, d]");
        requireRank("V", v, rank, rank == 2 ? "[n, e]" : "[P, n, e]");
        requireRank("theta", theta, rank - 1, rank == 2 ? "[d]" : "[P, d]");
        int base = rank - 2;
        heads = rank == 3 ? q.dim(0) : 1;
        m = q.dim(base);
        d = q.dim(base + 1);
        n = k.dim(base);
        e = v.dim(base + 1);
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
        this.q = q;
        this.k = k;
        this.v = v;
        this.theta = theta;
        this.options = AttentionBatch.checkedOptions(options, heads, m, n);
    }

    /** Checks the shapes against each other and every value (NaN and ±∞ are refused; off-heap values are read in place). */
    public static TensorBatch of(Tensor q, Tensor k, Tensor v, Tensor theta) {
        return of(q, k, v, theta, AttentionOptions.relu());
    }

    /** As {@link #of(Tensor, Tensor, Tensor, Tensor)}, computing {@code options}' kernel over its lengths. */
    public static TensorBatch of(Tensor q, Tensor k, Tensor v, Tensor theta, AttentionOptions options) {
        TensorBatch batch = new TensorBatch(q, k, v, theta, options);
        batch.largestQuery = q.requireFinite("Q");
        batch.largestKey = k.requireFinite("K");
        v.requireFinite("V");
        theta.requireFinite("theta");
        return batch;
    }

    /** The largest |value| of Q, from the finite check of {@link #of} (one pass for both): a bound for the projections. */
    public float largestQueryMagnitude() {
        return largestQuery;
    }

    /** As {@link #largestQueryMagnitude()} for K. */
    public float largestKeyMagnitude() {
        return largestKey;
    }

    /** Checks the shapes and builds the flat heap batch, which checks every value once. */
    public static AttentionBatch heapBatch(Tensor q, Tensor k, Tensor v, Tensor theta) {
        return heapBatch(q, k, v, theta, AttentionOptions.relu());
    }

    /** As above, with {@code options}. */
    public static AttentionBatch heapBatch(Tensor q, Tensor k, Tensor v, Tensor theta, AttentionOptions options) {
        return new TensorBatch(q, k, v, theta, options).toHeap();
    }

    /**
     * The flat heap form (off-heap tensors are copied; heap tensors are shared). Its constructor
     * checks the values, with each tensor's own shape in the message.
     */
    public AttentionBatch toHeap() {
        return new AttentionBatch(heads, m, n, d, e, q.data(), k.data(), v.data(), theta.data(),
                new int[][] {q.shape(), k.shape(), v.shape(), theta.shape()}, options);
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

    public Tensor q() { return q; }
    public Tensor k() { return k; }
    public Tensor v() { return v; }
    public Tensor theta() { return theta; }
    public int heads() { return heads; }
    public int m() { return m; }
    public int n() { return n; }
    public int d() { return d; }
    public int e() { return e; }
    public AttentionOptions options() { return options; }

    /** Whether the inputs are one head without the P axis (the output is then [m, e]). */
    public boolean singleHead() {
        return q.rank() == 2;
    }

    @Override
    public String toString() {
        return "AttentionBatch[P=" + heads + ", m=" + m + ", n=" + n + ", d=" + d + ", e=" + e + "]";
    }
}
