package dev.slicedattention.tornado.graphs;

import dev.slicedattention.tornado.kernels.LayerKernels;
import dev.slicedattention.validation.Shape;
import dev.slicedattention.validation.layer.LayerWeights;
import dev.slicedattention.validation.layer.Rope;
import dev.slicedattention.validation.projection.HeadLayout;
import dev.slicedattention.validation.projection.LinearProjection;
import dev.slicedattention.validation.projection.MlpProjection;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.WorkerGrid2D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/**
 * The front of a {@link ForwardPlan} for the authors' attention layer ({@link ForwardPlan.Source#LAYER}):
 * two task graphs ahead of the sort, so that the whole layer is one resident chain on the device.
 *
 * <pre>
 *   dense       X, order (every call) → q, k, v = X·Wᵀ + b (3 tiled products, {@link LayerKernels#linear}),
 *               RoPE and head layout of q and k, v split into heads in mask order, ν per problem   (8 kernels)
 *   projection  the learned scalar projection of q and k — linear: 2 tiled products; mlp: 2 × (tiled
 *               product, GELU, tiled product) — then s and the padded keys per problem in mask order   (4 or 8 kernels)
 *               + μ̂ for the ReLU (the kernel stage's own value mean, 2 kernels)
 * </pre>
 *
 * The weights are the plan's own arrays, copied once from the {@link LayerWeights} the plan is built
 * for and sent on the first call only ({@code FIRST_EXECUTION}); a plan is cached per weights object
 * ({@link Config}, compared by the identity of its arrays). X and the mask order are sent on every
 * call; everything else stays on the device. The rotary tables are the float32 tables of {@link Rope}'s
 * formula (the same phases as the authors' rope.py), computed once per plan on the host.
 */
public final class LayerFront {
    /** What a layer plan is built for: the weights (their arrays by identity), the rotary embedding and the head layout. */
    public record Config(LayerWeights weights, boolean rope, HeadLayout layout) {}

    private final Config config;
    private final int items, tokens, heads, d, hidden, rows;
    /** X [B·T, hidden] and the mask order [B·T], sent on every call. */
    private final FloatArray x;
    private final IntArray order;
    private final FloatArray wq, bq, wk, bk, wv, bv, cos, sin;
    private final FloatArray qRaw, kRaw, vRaw, qIn, kIn, v, partials;
    private final int chunks;
    /** The learned projection: linear W, c (zeros when absent); mlp W1, b1, W2, b2, hidden units. */
    private final FloatArray pw, pb, pw2, pb2, qMid, kMid;
    private final int mid;
    private final FloatArray sq, sk, s;
    private final KernelContext context = new KernelContext();

    public LayerFront(Config config, int items, int tokens) {
        this.config = config;
        LayerWeights weights = config.weights();
        this.items = items;
        this.tokens = tokens;
        this.heads = weights.heads();
        this.d = weights.headDim();
        this.hidden = weights.hidden();
        this.rows = items * tokens;
        x = HostArrays.floats(rows * hidden);
        order = HostArrays.ints(rows);
        wq = FloatArray.fromArray(weights.queryWeight());
        bq = FloatArray.fromArray(weights.queryBias());
        wk = FloatArray.fromArray(weights.keyWeight());
        bk = FloatArray.fromArray(weights.keyBias());
        wv = FloatArray.fromArray(weights.valueWeight());
        bv = FloatArray.fromArray(weights.valueBias());
        if (config.rope()) {
            float[][] tables = ropeTables(tokens, d);
            cos = FloatArray.fromArray(tables[0]);
            sin = FloatArray.fromArray(tables[1]);
        } else {
            cos = HostArrays.floats(1);
            sin = HostArrays.floats(1);
        }
        qRaw = HostArrays.floats(rows * hidden);
        kRaw = HostArrays.floats(rows * hidden);
        vRaw = HostArrays.floats(rows * hidden);
        qIn = HostArrays.floats(rows * hidden);
        kIn = HostArrays.floats(rows * hidden);
        v = HostArrays.floats(rows * hidden);
        chunks = (tokens + LayerKernels.SCALE_CHUNK - 1) / LayerKernels.SCALE_CHUNK;
        partials = HostArrays.floats(items * heads * chunks);
        if (weights.projection() instanceof MlpProjection mlp) {
            mid = mlp.mid();
            float[][] parts = MlpWeights.of(mlp);
            pw = FloatArray.fromArray(parts[0]);
            pb = FloatArray.fromArray(parts[1]);
            pw2 = FloatArray.fromArray(parts[2]);
            pb2 = FloatArray.fromArray(parts[3]);
            qMid = HostArrays.floats(rows * mid);
            kMid = HostArrays.floats(rows * mid);
        } else {
            LinearProjection linear = (LinearProjection) weights.projection();
            mid = 0;
            pw = FloatArray.fromArray(linear.weight());
            pb = linear.bias() == null ? HostArrays.floats(heads) : FloatArray.fromArray(linear.bias());
            pw2 = null;
            pb2 = null;
            qMid = null;
            kMid = null;
        }
        sq = HostArrays.floats(rows * heads);
        sk = HostArrays.floats(rows * heads);
        s = HostArrays.floats(rows * heads);
    }

    /** The shape of the kernel stage: P = B·H problems of T queries and T keys, d = e = hidden/H. */
    public Shape shape() {
        return new Shape(items * heads, tokens, tokens, d, d);
    }

    public Config config() {
        return config;
    }

    /** The MLP's W1, b1, W2, b2. */
    private static final class MlpWeights {
        static float[][] of(MlpProjection mlp) {
            return new float[][] {mlp.w1(), mlp.b1(), mlp.w2(), mlp.b2()};
        }
    }

    public boolean mlp() {
        return mid > 0;
    }

    /** X as the plan sends it. */
    FloatArray x() {
        return x;
    }

    /** Fills the mask order: position r of item b takes token order[b·T + r]. */
    void setOrder(int[] positions) {
        for (int i = 0; i < positions.length; i++) {
            order.set(i, positions[i]);
        }
    }

    FloatArray values() {
        return v;
    }

    FloatArray scalars() {
        return s;
    }

    /**
     * The dense graph: q, k, v, RoPE and layout, heads in mask order, ν into {@code factors}. Persists
     * what the projection graph and the stages after it need.
     */
    TaskGraph dense(String name, IntArray lengths, FloatArray factors) {
        int authors = config.layout() == HeadLayout.AUTHORS ? 1 : 0, rope = config.rope() ? 1 : 0;
        return new TaskGraph(name)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, x, order, lengths, factors)
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, wq, bq, wk, bk, wv, bv, cos, sin, qRaw, kRaw, vRaw,
                        qIn, kIn, v, partials)
                .task("q", LayerKernels::linear, context, x, wq, bq, qRaw, rows, hidden, hidden)
                .task("k", LayerKernels::linear, context, x, wk, bk, kRaw, rows, hidden, hidden)
                .task("v", LayerKernels::linear, context, x, wv, bv, vRaw, rows, hidden, hidden)
                .task("ropeQ", LayerKernels::rotaryLayout, qRaw, cos, sin, qIn, tokens, heads, d, rope, authors)
                .task("ropeK", LayerKernels::rotaryLayout, kRaw, cos, sin, kIn, tokens, heads, d, rope, authors)
                .task("heads", LayerKernels::splitHeads, vRaw, order, v, tokens, heads, d)
                .task("scalePartials", LayerKernels::valueScalePartials, v, lengths, partials, tokens, d, chunks)
                .task("scales", LayerKernels::valueScales, partials, factors, chunks)
                .persistOnDevice(qIn, kIn, v, order, lengths, factors);
    }

    /**
     * Adds the learned projection to {@code graph} (which consumes what {@link #dense} persisted) and
     * writes s and the padded keys with their indices.
     */
    void projection(TaskGraph graph, IntArray lengths, FloatArray factors, FloatArray keys, IntArray index, int paddedN) {
        graph.consumeFromDevice(qIn, kIn, v, order, lengths, factors)
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, pw, pb, sq, sk, s, keys, index);
        if (mlp()) {
            // s = W2·GELU(W1·x + b1) + b2 for the query and the key vectors.
            graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, pw2, pb2, qMid, kMid)
                    .task("q1", LayerKernels::linear, context, qIn, pw, pb, qMid, rows, hidden, mid)
                    .task("k1", LayerKernels::linear, context, kIn, pw, pb, kMid, rows, hidden, mid)
                    .task("geluQ", LayerKernels::gelu, qMid)
                    .task("geluK", LayerKernels::gelu, kMid)
                    .task("q2", LayerKernels::linear, context, qMid, pw2, pb2, sq, rows, mid, heads)
                    .task("k2", LayerKernels::linear, context, kMid, pw2, pb2, sk, rows, mid, heads);
        } else {
            // s = W·x (+ c).
            graph.task("q1", LayerKernels::linear, context, qIn, pw, pb, sq, rows, hidden, heads)
                    .task("k1", LayerKernels::linear, context, kIn, pw, pb, sk, rows, hidden, heads);
        }
        graph.task("queries", LayerKernels::problemScalars, sq, order, s, tokens, heads)
                .task("keys", LayerKernels::problemKeys, sk, order, lengths, keys, index, tokens, heads, paddedN);
    }

    /** The 2-D grids of the tiled products, in {@code grid}; {@code dense} and {@code projection} name the graphs. */
    void grids(GridScheduler grid, String dense, String projection) {
        grid.addWorkerGrid(dense + ".q", tiles(rows, hidden));
        grid.addWorkerGrid(dense + ".k", tiles(rows, hidden));
        grid.addWorkerGrid(dense + ".v", tiles(rows, hidden));
        if (mlp()) {
            grid.addWorkerGrid(projection + ".q1", tiles(rows, mid));
            grid.addWorkerGrid(projection + ".k1", tiles(rows, mid));
            grid.addWorkerGrid(projection + ".q2", tiles(rows, heads));
            grid.addWorkerGrid(projection + ".k2", tiles(rows, heads));
        } else {
            grid.addWorkerGrid(projection + ".q1", tiles(rows, heads));
            grid.addWorkerGrid(projection + ".k1", tiles(rows, heads));
        }
    }

    /** ⌈outs/TILE⌉·TILE × ⌈rows/TILE⌉·TILE work-items in TILE × TILE groups (see {@link LayerKernels#linear}). */
    private static WorkerGrid2D tiles(int rows, int outs) {
        int tile = LayerKernels.TILE;
        WorkerGrid2D grid = new WorkerGrid2D((outs + tile - 1) / tile * tile, (rows + tile - 1) / tile * tile);
        grid.setLocalWork(tile, tile, 1);
        return grid;
    }

    /** Device bytes of the front's own arrays. */
    long deviceBytes() {
        long bytes = ForwardPlan.bytesWithHeaders(x, order, wq, bq, wk, bk, wv, bv, cos, sin, qRaw, kRaw, vRaw, qIn, kIn, v,
                partials, pw, pb, sq, sk, s);
        if (mlp()) {
            bytes += ForwardPlan.bytesWithHeaders(pw2, pb2, qMid, kMid);
        }
        return bytes;
    }

    /** cos and sin [T, d/2] in float32, the phases formed in float32 exactly as {@link Rope} (and rope.py) form them. */
    static float[][] ropeTables(int tokens, int d) {
        int half = d / 2;
        float[] cos = new float[tokens * half], sin = new float[tokens * half];
        for (int i = 0; i < half; i++) {
            float inverseFrequency = (float) Math.pow(Rope.BASE, -((float) i / (float) half));
            for (int pos = 0; pos < tokens; pos++) {
                float phase = (float) pos * inverseFrequency;
                cos[pos * half + i] = (float) Math.cos(phase);
                sin[pos * half + i] = (float) Math.sin(phase);
            }
        }
        return new float[][] {cos, sin};
    }
}
