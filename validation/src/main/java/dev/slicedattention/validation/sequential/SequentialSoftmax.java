package dev.slicedattention.validation.sequential;

import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.SoftmaxReference;

/**
 * Softmax attention (SPEC §5) as a single-threaded float32 loop, the baseline the sliced operator is
 * timed against on the JVM: for each query, the logits &lt;Q_i, K_j&gt;/√d, their maximum, then the
 * exponentials and the weighted sum of values. O(m·n·(d+e)) per head.
 */
public final class SequentialSoftmax {
    private SequentialSoftmax() {}

    public static float[] forward(AttentionBatch batch) {
        float[] out = new float[batch.outputLength()];
        for (int p = 0; p < batch.heads(); p++) {
            for (int i = 0; i < batch.queryLength(p); i++) {
                queryRow(batch, p, i, new float[batch.n()], out);
            }
        }
        return out;
    }

    /**
     * One output row; {@code logits} is scratch space of n floats. Shared with the parallel JVM
     * backend, which runs rows on several threads.
     */
    public static void queryRow(AttentionBatch batch, int p, int i, float[] logits, float[] out) {
        int m = batch.m(), n = batch.n(), d = batch.d(), e = batch.e();
        float[] q = batch.q(), k = batch.k(), v = batch.v();
        float scale = (float) (1.0 / Math.sqrt(d));
        int queryRow = (p * m + i) * d;
        if (i >= batch.queryLength(p)) {
            return; // a padded query outputs 0
        }
        int visible = SoftmaxReference.visibleKeys(batch, p, i);
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < visible; j++) {
            int keyRow = (p * n + j) * d;
            float dot = 0.0f;
            for (int c = 0; c < d; c++) {
                dot += q[queryRow + c] * k[keyRow + c];
            }
            logits[j] = dot * scale;
            max = Math.max(max, logits[j]);
        }
        int outRow = (p * m + i) * e;
        float sum = 0.0f;
        for (int j = 0; j < visible; j++) {
            float weight = (float) Math.exp(logits[j] - max);
            sum += weight;
            int valueRow = (p * n + j) * e;
            for (int c = 0; c < e; c++) {
                out[outRow + c] += weight * v[valueRow + c];
            }
        }
        float inverse = 1.0f / sum;
        for (int c = 0; c < e; c++) {
            out[outRow + c] *= inverse;
        }
    }
}
