package dev.slicedattention.validation.layer;

import dev.slicedattention.validation.NaiveReference;
import dev.slicedattention.validation.projection.HeadLayout;
import java.util.Arrays;

/**
 * The whole attention module in float64 (SPEC §4): q, k, v = X·Wᵀ + b; heads split as
 * {@code transpose_for_scores}; optional rotary embedding; the scalar projection of every token in
 * the chosen head layout; per problem the naive kernel over the real tokens; heads concatenated.
 * The ground truth of the layer's float32 path on every backend.
 */
public final class LayerReference {
    private LayerReference() {}

    /**
     * @param x    hidden states [B, T, hidden]
     * @param mask [B, T] of 0/1, or null
     * @return [B, T, hidden]
     */
    public static double[] forward(float[] x, int items, int tokens, LayerWeights weights, boolean rope,
                                   HeadLayout layout, float[] mask) {
        return forward(x, items, tokens, weights, rope, layout, mask, false);
    }

    /** As above; with {@code causal}, token t attends to the real tokens at positions ≤ t (SPEC §5). */
    public static double[] forward(float[] x, int items, int tokens, LayerWeights weights, boolean rope,
                                   HeadLayout layout, float[] mask, boolean causal) {
        return forward(x, items, tokens, weights, rope, layout, mask, causal, null).output();
    }

    /**
     * Some rows of the output and a bound of any row.
     *
     * @param output [B, T, hidden], the rows asked for filled (every row when none were named)
     * @param bound  an upper bound of |O| for every real token's output: per head, 2·range(v) + max|v|
     *               over the real tokens (each head's output is a weighted mean of its centred or plain v)
     */
    public record Rows(double[] output, double bound) {}

    /**
     * The rows of the tokens {@code wanted} ([B·T] flags, token positions; null for all) only: the
     * dense stages and projections of every token (the keys need them), the kernel for the wanted
     * queries alone, O(T·d) each. A per-call check of one item's few tokens costs its dense stage.
     */
    public static Rows forward(float[] x, int items, int tokens, LayerWeights weights, boolean rope,
                               HeadLayout layout, float[] mask, boolean causal, boolean[] wanted) {
        int heads = weights.heads(), hidden = weights.hidden(), d = weights.headDim();
        double[] q = new double[items * tokens * hidden], k = new double[q.length], v = new double[q.length];
        double[] row = new double[hidden];
        float[] wq = LayerMath.transpose(weights.queryWeight(), hidden, hidden);
        float[] wk = LayerMath.transpose(weights.keyWeight(), hidden, hidden);
        float[] wv = LayerMath.transpose(weights.valueWeight(), hidden, hidden);
        for (int b = 0; b < items; b++) {
            for (int t = 0; t < tokens; t++) {
                LayerMath.linearRow(x, b * tokens + t, hidden, wq, weights.queryBias(), row);
                scatter(row, q, b, t, heads, tokens, d);
                LayerMath.linearRow(x, b * tokens + t, hidden, wk, weights.keyBias(), row);
                scatter(row, k, b, t, heads, tokens, d);
                LayerMath.linearRow(x, b * tokens + t, hidden, wv, weights.valueBias(), row);
                scatter(row, v, b, t, heads, tokens, d);
            }
        }
        if (rope) {
            Rope rotation = new Rope(tokens, d);
            double[] headRow = new double[d], scratch = new double[d];
            for (double[] tensor : new double[][] {q, k}) {
                for (int p = 0; p < items * heads; p++) {
                    for (int t = 0; t < tokens; t++) {
                        int at = (p * tokens + t) * d;
                        System.arraycopy(tensor, at, headRow, 0, d);
                        rotation.rotate(headRow, t, scratch);
                        System.arraycopy(headRow, 0, tensor, at, d);
                    }
                }
            }
        }
        double[] s = new double[items * heads * tokens], keys = new double[s.length];
        weights.projection().project(i -> q[i], items, tokens, layout, s, 0, tokens);
        weights.projection().project(i -> k[i], items, tokens, layout, keys, 0, tokens);

        TokenOrder order = TokenOrder.of(mask, items, tokens);
        double[] out = new double[items * tokens * hidden];
        double bound = 0.0;
        for (int b = 0; b < items; b++) {
            int length = order.length(b);
            for (int h = 0; h < heads; h++) {
                int p = b * heads + h;
                double[] ps = new double[length], pt = new double[length], pv = new double[length * d];
                for (int r = 0; r < length; r++) {
                    int t = order.token(b, r);
                    ps[r] = s[p * tokens + t];
                    pt[r] = keys[p * tokens + t];
                    System.arraycopy(v, (p * tokens + t) * d, pv, r * d, d);
                }
                bound = Math.max(bound, valueBound(pv, length, d));
                double[] result = new double[length * d];
                double bandwidth = weights.bandwidth() == null ? 0.0 : weights.bandwidth()[h];
                if (wanted == null) {
                    if (causal) {
                        NaiveReference.causal(weights.kernel(), bandwidth, ps, pt, pv, d, result, 0);
                    } else {
                        NaiveReference.kernel(weights.kernel(), bandwidth, ps, pt, pv, d, result, 0);
                    }
                } else {
                    for (int r = 0; r < length; r++) {
                        if (wanted[b * tokens + order.token(b, r)]) {
                            // Position r sees the first r + 1 real tokens when causal (SPEC §5), all of them otherwise.
                            int seen = causal ? r + 1 : length;
                            NaiveReference.kernel(weights.kernel(), bandwidth, new double[] {ps[r]}, Arrays.copyOf(pt, seen),
                                    Arrays.copyOf(pv, seen * d), d, result, r * d);
                        }
                    }
                }
                for (int r = 0; r < length; r++) {
                    int t = order.token(b, r);
                    System.arraycopy(result, r * d, out, (b * tokens + t) * hidden + h * d, d);
                }
            }
        }
        return new Rows(out, bound);
    }

    /** 2·range + max|v| over {@code rows} rows of {@code width} values: bounds |O| for both kernels. */
    private static double valueBound(double[] values, int rows, int width) {
        double bound = 0.0;
        for (int c = 0; c < width; c++) {
            double low = Double.POSITIVE_INFINITY, high = Double.NEGATIVE_INFINITY;
            for (int r = 0; r < rows; r++) {
                low = Math.min(low, values[r * width + c]);
                high = Math.max(high, values[r * width + c]);
            }
            if (rows > 0) {
                bound = Math.max(bound, 2.0 * (high - low) + Math.max(Math.abs(low), Math.abs(high)));
            }
        }
        return bound;
    }

    private static void scatter(double[] row, double[] tensor, int item, int token, int heads, int tokens, int d) {
        for (int c = 0; c < row.length; c++) {
            tensor[LayerMath.problemIndex(item, token, c, heads, tokens, d)] = row[c];
        }
    }
}
