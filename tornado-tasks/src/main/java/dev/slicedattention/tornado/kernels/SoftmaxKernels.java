package dev.slicedattention.tornado.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The baseline (SPEC §5): naive softmax attention, O_i = Σ_j softmax_j(&lt;Q_i, K_j&gt;/√d)·V_j, one
 * work-item per query row, two sweeps over the keys (the maximum logit first, so that exp never
 * overflows). O(m·n·(d+e)) per head: the cost the sliced operator is meant to undercut, measured
 * on the same device.
 */
public final class SoftmaxKernels {
    private SoftmaxKernels() {}

    public static void attention(FloatArray q, FloatArray k, FloatArray v, FloatArray out, int m, int n, int d, int e) {
        float scale = 1.0f / TornadoMath.sqrt((float) d);
        for (@Parallel int row = 0; row < out.getSize() / e; row++) {
            int p = row / m;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < n; j++) {
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
            for (int j = 0; j < n; j++) {
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
            for (int c = 0; c < e; c++) {
                out.set(row * e + c, out.get(row * e + c) / sum);
            }
        }
    }
}
