package dev.slicedattention;

import dev.slicedattention.error.InvalidInputException;
import dev.slicedattention.spi.BackendEngine;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.LayerSpotCheck;
import dev.slicedattention.validation.layer.LayerMath;
import dev.slicedattention.validation.layer.LayerWeights;
import dev.slicedattention.validation.layer.Rope;
import dev.slicedattention.validation.layer.TokenOrder;
import dev.slicedattention.validation.projection.HeadLayout;
import dev.slicedattention.validation.weights.WeightsFile;
import dev.slicedattention.validation.OutputRange;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * The authors' attention layer (SPEC §4; {@code SlicedReLUSelfAttention} / {@code
 * SlicedReLUBumpSelfAttention}) from its trained weights: X [B, T, hidden] → [B, T, hidden].
 *
 * <pre>{@code
 * Layer layer = Layer.read(Path.of("weights.safetensors"), 4, Kernel.RELU).withRope(true);
 * try (Backend backend = SlicedAttention.open("jvm-par")) {
 *     Tensor out = layer.forward(backend, x, null).output();     // x [B, T, hidden]
 * }
 * }</pre>
 *
 * <p>A backend whose engine has its own layer path ({@link BackendEngine#layer}: TornadoVM) computes
 * the whole layer there, dense stages and projection on the device. Otherwise (the JVM backends,
 * and the twin of the device path) the dense stages — q, k, v = X·Wᵀ + b, the rotary embedding and
 * the learned scalar projection (the ReLU module's MLP, the bump module's linear map) — run on the
 * JVM, in parallel over tokens, float64 accumulation rounded once to float32, and the kernel stage
 * (sort, prefix sums, ranks, combine) runs on the backend, one problem per (item, head), from the
 * projected scalars. A padding mask is
 * turned into ragged lengths ({@link TokenOrder}): padded tokens are no keys, and their outputs are 0.
 *
 * <p>Head layout: by default each token's own H·d vector feeds the projection; {@link #withHeadLayout}
 * {@code AUTHORS} reproduces the authors' code for H &gt; 1 (see {@link HeadLayout}), for models
 * trained with it. Immutable and thread-safe; the {@link Backend} passed in is not.
 */
public final class Layer {
    private final LayerWeights weights;
    private final boolean rope;
    private final boolean causal;
    private final HeadLayout layout;
    // Transposed once: the dense stage's inner loop runs over outputs (see LayerMath.linearRow).
    private final float[] queryT, keyT, valueT;

    private Layer(LayerWeights weights, boolean rope, boolean causal, HeadLayout layout, float[][] transposed) {
        this.weights = weights;
        this.rope = rope;
        this.causal = causal;
        this.layout = layout;
        this.queryT = transposed[0];
        this.keyT = transposed[1];
        this.valueT = transposed[2];
    }

    /** A layer from weights already read; no rotary embedding, the intended head layout. */
    public static Layer of(LayerWeights weights) {
        int hidden = weights.hidden();
        return new Layer(weights, false, false, HeadLayout.INTENDED, new float[][] {
                LayerMath.transpose(weights.queryWeight(), hidden, hidden),
                LayerMath.transpose(weights.keyWeight(), hidden, hidden),
                LayerMath.transpose(weights.valueWeight(), hidden, hidden)});
    }

    /** Reads a state_dict ({@code .safetensors} or {@code .npz}) of the module with {@code heads} heads. */
    public static Layer read(Path weightsFile, int heads, Kernel kernel) {
        return of(LayerWeights.read(WeightsFile.read(weightsFile), heads, kernel));
    }

    /** This layer with or without the rotary embedding on q and k (the modules' {@code use_rope}). */
    public Layer withRope(boolean enabled) {
        return new Layer(weights, enabled, causal, layout, new float[][] {queryT, keyT, valueT});
    }

    /** This layer reading the projection's token vectors in {@code headLayout}. */
    public Layer withHeadLayout(HeadLayout headLayout) {
        return new Layer(weights, rope, causal, headLayout, new float[][] {queryT, keyT, valueT});
    }

    /**
     * This layer in causal mode (SPEC §5, a project extension: the authors' modules are bidirectional):
     * token t attends to the real tokens at positions ≤ t.
     */
    public Layer withCausal(boolean enabled) {
        return new Layer(weights, rope, enabled, layout, new float[][] {queryT, keyT, valueT});
    }

    public LayerWeights weights() {
        return weights;
    }

    /**
     * What one forward pass returned and where its time went.
     *
     * @param output       [B, T, hidden]
     * @param denseNanos   q, k, v and the rotary embedding
     * @param projectionNanos the learned scalar projection of queries and keys
     * @param kernel       the backend's stage times for the kernel (its projection stage is ~0: the scalars are given)
     */
    public record Result(Tensor output, long denseNanos, long projectionNanos, StageTimes kernel) {}

    /**
     * The layer's output for hidden states {@code x} [B, T, hidden] and an optional mask [B, T]
     * (1 = token, 0 = padding; null for none).
     */
    public Result forward(Backend backend, Tensor x, Tensor mask) {
        int hidden = weights.hidden(), heads = weights.heads(), d = weights.headDim();
        if (x.rank() != 3 || x.dim(2) != hidden) {
            throw new InvalidInputException("X must be [B, T, " + hidden + "] for these weights, got shape " + x.shapeText());
        }
        int items = x.dim(0), tokens = x.dim(1);
        if (mask != null && (mask.rank() != 2 || mask.dim(0) != items || mask.dim(1) != tokens)) {
            throw new InvalidInputException("the mask must be [B, T] = [" + items + ", " + tokens + "], got shape " + mask.shapeText());
        }
        x.requireFinite("X");
        TokenOrder order = TokenOrder.of(mask == null ? null : mask.data(), items, tokens);
        float[] input = x.data();
        int problems = items * heads;
        AttentionOptions options = (weights.kernel() == Kernel.BUMP
                ? AttentionOptions.bump(perProblem(weights.bandwidth(), items)) : AttentionOptions.relu()).causal(causal);
        if (mask != null) {
            // Real tokens first in every problem: the mask becomes ragged lengths (SPEC §4).
            int[] lengths = order.problemLengths(heads);
            options = options.withKeyLengths(lengths).withQueryLengths(lengths);
        }

        // An engine with its own layer path (TornadoVM: the whole layer on the device) computes it all,
        // spot-checked by one item's float64 reference, computed meanwhile (LayerSpotCheck). On the other
        // path the kernel stage's call below is spot-checked as every backend call is.
        StageTimes engineTimes = new StageTimes();
        BackendEngine engine = backend.engine();
        SpotChecker<LayerSpotCheck> check = engine.hasLayerPath(options) ? SpotChecker.start(input, items, tokens, weights, rope,
                layout, mask == null ? null : mask.data(), causal, backend.spotCheckQueries()) : null;
        Optional<BackendEngine.LayerRun> engineRun;
        try {
            engineRun = engine.layer(weights, rope, layout, input, items, tokens, order, options, engineTimes);
        } catch (RuntimeException failed) {
            if (check != null) {
                check.abandon();
            }
            throw failed;
        }
        if (engineRun.isPresent()) {
            float[] out = engineRun.get().output();
            OutputRange.requireFinite(out, items, tokens, hidden);
            if (check != null) {
                check.expected().judge(out, engine.info().describe());
            }
            return new Result(Tensor.wrap(out, items, tokens, hidden), engineRun.get().denseNanos(),
                    engineRun.get().projectionNanos(), engineTimes);
        }

        long start = System.nanoTime();
        float[] q = new float[problems * tokens * d], k = new float[q.length], v = new float[q.length];
        Rope rotation = rope ? new Rope(tokens, d) : null;
        IntStream.range(0, items * tokens).parallel().forEach(row -> {
            double[] values = new double[hidden], headRow = new double[d], scratch = new double[d];
            int item = row / tokens, token = row - item * tokens;
            dense(input, row, queryT, weights.queryBias(), values, rotation, headRow, scratch, q, item, token, tokens);
            dense(input, row, keyT, weights.keyBias(), values, rotation, headRow, scratch, k, item, token, tokens);
            dense(input, row, valueT, weights.valueBias(), values, null, headRow, scratch, v, item, token, tokens);
        });
        long dense = System.nanoTime();

        float[] s = project(q, items, tokens), t = project(k, items, tokens);
        long projected = System.nanoTime();

        AttentionBatch batch;
        if (mask == null) {
            batch = AttentionBatch.ofScalars(problems, tokens, tokens, d, s, t, v, options);
        } else {
            batch = AttentionBatch.ofScalars(problems, tokens, tokens, d, reorder(s, order, heads, tokens, 1),
                    reorder(t, order, heads, tokens, 1), reorder(v, order, heads, tokens, d), options);
        }
        ForwardResult result = backend.run(batch);
        float[] attended = result.output().data();
        float[] out = new float[items * tokens * hidden];
        // [B·H, T, d] back to [B, T, H·d] (heads concatenated), undoing the reordering; padded rows stay 0.
        IntStream.range(0, problems).parallel().forEach(p -> {
            int item = p / heads, h = p - item * heads;
            for (int r = 0; r < order.length(item); r++) {
                int token = order.token(item, r);
                System.arraycopy(attended, (p * tokens + r) * d, out, (item * tokens + token) * hidden + h * d, d);
            }
        });
        return new Result(Tensor.wrap(out, items, tokens, hidden), dense - start, projected - dense, result.times());
    }

    /** One row of q, k or v: the linear map, the rotary embedding if any, stored per problem [B·H, T, d]. */
    private static void dense(float[] x, int row, float[] weightT, float[] bias, double[] values, Rope rotation,
                              double[] headRow, double[] scratch, float[] target, int item, int token, int tokens) {
        int hidden = values.length, d = headRow.length, heads = hidden / d;
        LayerMath.linearRow(x, row, hidden, weightT, bias, values);
        for (int h = 0; h < heads; h++) {
            System.arraycopy(values, h * d, headRow, 0, d);
            if (rotation != null) {
                rotation.rotate(headRow, token, scratch);
            }
            int at = LayerMath.problemIndex(item, token, h * d, heads, tokens, d);
            for (int j = 0; j < d; j++) {
                target[at + j] = (float) headRow[j];
            }
        }
    }

    private float[] project(float[] tensor, int items, int tokens) {
        double[] scalars = new double[items * weights.heads() * tokens];
        int chunk = Math.max(1, Math.min(4096, tokens / (4 * Runtime.getRuntime().availableProcessors()) + 1));
        IntStream.range(0, (tokens + chunk - 1) / chunk).parallel().forEach(c ->
                weights.projection().project(i -> tensor[i], items, tokens, layout, scalars, c * chunk,
                        Math.min(tokens, (c + 1) * chunk)));
        float[] out = new float[scalars.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) scalars[i];
        }
        return out;
    }

    private static float[] perProblem(float[] perHead, int items) {
        float[] out = new float[perHead.length * items];
        for (int p = 0; p < out.length; p++) {
            out[p] = perHead[p % perHead.length];
        }
        return out;
    }

    /** Rows of a [B·H, T, width] tensor in {@code order}: position r of item b takes token order.token(b, r). */
    private static float[] reorder(float[] tensor, TokenOrder order, int heads, int tokens, int width) {
        float[] out = new float[tensor.length];
        for (int p = 0; p < tensor.length / (tokens * width); p++) {
            int item = p / heads;
            for (int r = 0; r < tokens; r++) {
                System.arraycopy(tensor, (p * tokens + order.token(item, r)) * width, out, (p * tokens + r) * width, width);
            }
        }
        return out;
    }
}
