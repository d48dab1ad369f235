package dev.slicedattention.validation.layer;

/**
 * The dense parts of the layer (SPEC §4), one row at a time so that the float32 path (which stores
 * rows as float) and the float64 reference (which keeps them double) share the arithmetic.
 */
public final class LayerMath {
    private LayerMath() {}

    /**
     * One output row of nn.Linear, y = W x + b in float64, for row {@code row} of x [rows, in]:
     * W [out, in] (PyTorch's layout), b [out].
     */
    public static void linearRow(float[] x, int row, int in, float[] weight, float[] bias, double[] out) {
        int start = row * in;
        for (int o = 0; o < out.length; o++) {
            double sum = bias[o];
            int w = o * in;
            for (int k = 0; k < in; k++) {
                sum += (double) weight[w + k] * x[start + k];
            }
            out[o] = sum;
        }
    }

    /**
     * Where channel o = h·d + j of token t of item b goes in the per-problem layout [B·H, T, d]
     * (PyTorch's {@code transpose_for_scores}): problem b·H + h, row t, column j.
     */
    public static int problemIndex(int item, int token, int channel, int heads, int tokens, int d) {
        int h = channel / d, j = channel - h * d;
        return ((item * heads + h) * tokens + token) * d + j;
    }
}
