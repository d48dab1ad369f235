package dev.slicedattention.validation.projection;

import org.apache.commons.numbers.gamma.Erf;

/**
 * The {@code mlp} form (SPEC §3), the authors' ReLU module's {@code proj_layer}:
 * s = W2 · GELU(W1 x + b1) + b2 with W1 [mid, H·d], W2 [H, mid] and the exact GELU
 * x·Φ(x) = x/2·(1 + erf(x/√2)) (PyTorch's default, not the tanh approximation). Their dropout
 * between the two layers is inactive at inference.
 */
public final class MlpProjection implements ScalarProjection {
    private static final double INV_SQRT2 = 0.7071067811865476;

    private final int heads, dim, mid;
    private final float[] w1, b1, w2, b2;
    /** W1 transposed [H·d, mid]: the first layer's inner loop then updates all mid units (see LayerMath.linearRow). */
    private final float[] w1T;

    public MlpProjection(int heads, int dim, int mid, float[] w1, float[] b1, float[] w2, float[] b2) {
        LinearProjection.Shapes.require("proj_layer.0.weight", w1, mid, heads * dim);
        LinearProjection.Shapes.require("proj_layer.0.bias", b1, mid);
        LinearProjection.Shapes.require("proj_layer.3.weight", w2, heads, mid);
        LinearProjection.Shapes.require("proj_layer.3.bias", b2, heads);
        this.heads = heads;
        this.dim = dim;
        this.mid = mid;
        this.w1 = w1;
        this.b1 = b1;
        this.w2 = w2;
        this.b2 = b2;
        this.w1T = dev.slicedattention.validation.layer.LayerMath.transpose(w1, mid, heads * dim);
    }

    @Override
    public int heads() {
        return heads;
    }

    @Override
    public int dim() {
        return dim;
    }

    public int mid() {
        return mid;
    }

    /** W1 [mid, H·d], as PyTorch stores it (the device backend tiles its own product). */
    public float[] w1() {
        return w1;
    }

    public float[] b1() {
        return b1;
    }

    /** W2 [H, mid]. */
    public float[] w2() {
        return w2;
    }

    public float[] b2() {
        return b2;
    }

    @Override
    public String form() {
        return "mlp";
    }

    @Override
    public double[] scratch() {
        return new double[mid];
    }

    @Override
    public void scalars(double[] x, double[] hidden, double[] out) {
        int width = heads * dim;
        for (int j = 0; j < mid; j++) {
            hidden[j] = b1[j];
        }
        for (int k = 0; k < width; k++) {
            double xk = x[k];
            int row = k * mid;
            for (int j = 0; j < mid; j++) {
                hidden[j] += xk * w1T[row + j];
            }
        }
        for (int j = 0; j < mid; j++) {
            hidden[j] = gelu(hidden[j]);
        }
        for (int h = 0; h < heads; h++) {
            double sum = b2[h];
            int row = h * mid;
            for (int j = 0; j < mid; j++) {
                sum += w2[row + j] * hidden[j];
            }
            out[h] = sum;
        }
    }

    /** The exact GELU, x·Φ(x), in float64. */
    public static double gelu(double x) {
        return 0.5 * x * (1.0 + Erf.value(x * INV_SQRT2));
    }
}
