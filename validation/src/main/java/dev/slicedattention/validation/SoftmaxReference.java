package dev.slicedattention.validation;

/**
 * The softmax-attention baseline of SPEC §5 in float64: O_i = Σ_j softmax_j(&lt;Q_i, K_j&gt;/√d)·V_j,
 * O(m·n·(d+e)) per head. θ is not used. The maximum logit of each row is subtracted before
 * exponentiating, the usual guard against overflow.
 */
public final class SoftmaxReference {
    private SoftmaxReference() {}

    public static double[] attend(AttentionBatch batch) {
        int heads = batch.heads(), m = batch.m(), n = batch.n(), d = batch.d(), e = batch.e();
        double[] out = new double[heads * m * e];
        double[] logits = new double[n];
        double scale = 1.0 / Math.sqrt(d);
        for (int p = 0; p < heads; p++) {
            for (int i = 0; i < batch.queryLength(p); i++) {
                int visible = visibleKeys(batch, p, i);
                int queryRow = (p * m + i) * d;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < visible; j++) {
                    int keyRow = (p * n + j) * d;
                    double dot = 0.0;
                    for (int k = 0; k < d; k++) {
                        dot += (double) batch.q()[queryRow + k] * batch.k()[keyRow + k];
                    }
                    logits[j] = dot * scale;
                    max = Math.max(max, logits[j]);
                }
                double sum = 0.0;
                int outRow = (p * m + i) * e;
                for (int j = 0; j < visible; j++) {
                    double weight = Math.exp(logits[j] - max);
                    sum += weight;
                    int valueRow = (p * n + j) * e;
                    for (int c = 0; c < e; c++) {
                        out[outRow + c] += weight * batch.v()[valueRow + c];
                    }
                }
                for (int c = 0; c < e; c++) {
                    out[outRow + c] /= sum;
                }
            }
        }
        return out;
    }

    /**
     * The keys query i of problem p sees: its first L_p, and with causal attention only j ≤ i (the
     * masked softmax of decoders, the baseline of causal sliced attention). Shared with the backends.
     */
    public static int visibleKeys(AttentionBatch batch, int p, int i) {
        int keys = batch.keyLength(p);
        return batch.isCausal() ? Math.min(keys, i + 1) : keys;
    }
}
