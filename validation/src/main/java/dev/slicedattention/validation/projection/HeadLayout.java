package dev.slicedattention.validation.projection;

/**
 * Which H·d vector a learned projection reads for token i of batch item b (SPEC §3).
 *
 * <p>The per-problem tensors are laid out [B·H, T, d]: problem b·H + h holds head h of item b, so
 * item b's block is [H, T, d], exactly PyTorch's [B, H, T, d] after {@code transpose_for_scores}.
 */
public enum HeadLayout {
    /** Token i's own vector: head 0's d values of token i, then head 1's, … (this project's definition). */
    INTENDED,
    /**
     * The authors' code for H &gt; 1: {@code q.reshape(B, T, -1)} of the [B, H, T, d] tensor, so "token"
     * r is the r-th run of H·d consecutive values of item b's [H, T, d] block: the d-blocks of H
     * consecutive tokens of one head. Reproduced for models trained with their code.
     */
    AUTHORS;

    /**
     * Copies the H·d vector of token i of item b from the per-problem tensor [B·H, T, d] (read through
     * {@code x}, by flat index, so that float32 and float64 storage share the code) into {@code out}.
     */
    public void tokenVector(java.util.function.IntToDoubleFunction x, int item, int heads, int tokens, int d, int token,
                            double[] out) {
        int block = item * heads * tokens * d;
        if (this == AUTHORS) {
            int start = block + token * heads * d;
            for (int k = 0; k < heads * d; k++) {
                out[k] = x.applyAsDouble(start + k);
            }
            return;
        }
        for (int h = 0; h < heads; h++) {
            int start = block + (h * tokens + token) * d;
            for (int k = 0; k < d; k++) {
                out[h * d + k] = x.applyAsDouble(start + k);
            }
        }
    }
}
