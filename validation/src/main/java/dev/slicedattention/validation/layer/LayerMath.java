package dev.slicedattention.validation.layer;

/**
 * The dense parts of the layer (SPEC §4), one row at a time so that the float32 path (which stores
 * rows as float) and the float64 reference (which keeps them double) share the arithmetic.
 */
public final class LayerMath {
    private LayerMath() {}

    /**
     * One output row of nn.Linear, y = W x + b in float64, for row {@code row} of x [rows, in], with
     * the weight given transposed ({@link #transpose}: [in, out], rows of PyTorch's W [out, in] become
     * columns). Accumulating y += x_k·Wᵀ_k row by row makes the inner loop a stride-1 update of all
     * outputs — independent lanes the JIT vectorises — instead of a dot-product reduction it cannot.
     */
    public static void linearRow(float[] x, int row, int in, float[] weightT, float[] bias, double[] out) {
        int width = out.length;
        for (int o = 0; o < width; o++) {
            out[o] = bias[o];
        }
        int start = row * in;
        for (int k = 0; k < in; k++) {
            double xk = x[start + k];
            int w = k * width;
            for (int o = 0; o < width; o++) {
                out[o] += xk * weightT[w + o];
            }
        }
    }

    /** PyTorch's W [out, in] as [in, out]. */
    public static float[] transpose(float[] weight, int out, int in) {
        float[] t = new float[weight.length];
        for (int o = 0; o < out; o++) {
            for (int k = 0; k < in; k++) {
                t[k * out + o] = weight[o * in + k];
            }
        }
        return t;
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
