package dev.slicedattention.tornado.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The baseline (SPEC §5): naive softmax attention, O_i = Σ_j softmax_j(&lt;Q_i, K_j&gt;/√d)·V_j, one
 * work-item per query row, two sweeps over the keys (the maximum logit first, so that exp never
 * overflows). O(m·n·(d+e)) per head: the cost the sliced operator is meant to undercut, measured
 * on the same device.
 *
 * <p>Ragged and causal, as the sequential {@code SoftmaxReference.visibleKeys}: {@code lengths} =
 * [L_p | M_p | causal (0 or 1)] (2P + 1 ints, sent on every call); query i of problem p sees its
 * first L_p keys, with causal attention only j ≤ i of them, and rows i ≥ M_p output 0. The
 * visible count is formed arithmetically rather than with a conditional (see
 * {@code BitonicSortKernels#order}).
 */
public final class SoftmaxKernels {
    private SoftmaxKernels() {}

    public static void attention(FloatArray q, FloatArray k, FloatArray v, IntArray lengths, FloatArray out, int m, int n, int d, int e) {
        float scale = 1.0f / TornadoMath.sqrt((float) d);
        int heads = lengths.getSize() / 2;
        int causal = lengths.get(2 * heads);
        for (@Parallel int row = 0; row < out.getSize() / e; row++) {
            int p = row / m;
            int i = row - p * m;
            int keys = lengths.get(p);
            int visible = keys - causal * Math.max(0, keys - (i + 1));
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < visible; j++) {
                float dot = 0.0f;
                for (int c = 0; c < d; c++) {
                    dot += q.get(row * d + c) * k.get((p * n + j) * d + c);
                }
                max = Math.max(max, dot * scale);
            }
            for (int c = 0; c < e; c++) {
                out.set(row * e + c, 0.0f);
            }
            float sum = 0.0f;
            for (int j = 0; j < visible; j++) {
                float dot = 0.0f;
                for (int c = 0; c < d; c++) {
                    dot += q.get(row * d + c) * k.get((p * n + j) * d + c);
                }
                float weight = TornadoMath.exp(dot * scale - max);
                sum += weight;
                for (int c = 0; c < e; c++) {
                    out.set(row * e + c, out.get(row * e + c) + weight * v.get((p * n + j) * e + c));
                }
            }
            float inverse = 1.0f / sum;
            int padded = i >= lengths.get(heads + p) ? 1 : 0;
            for (int c = 0; c < e; c++) {
                float value = out.get(row * e + c) * inverse;
                if (padded == 1) {
                    value = 0.0f;   // not value·0, which is −0 for a negative value
                }
                out.set(row * e + c, value);
            }
        }
    }
}
