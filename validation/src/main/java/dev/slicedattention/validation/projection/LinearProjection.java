package dev.slicedattention.validation.projection;

import dev.slicedattention.error.InvalidInputException;

/**
 * The {@code linear} form (SPEC §3): s_h = (W x + c)_h with W [H, H·d] and an optional bias c [H].
 * The authors' bump module uses it without bias ({@code proj_layer = Linear(H·d, H, bias=False)}).
 */
public record LinearProjection(int heads, int dim, float[] weight, float[] bias) implements ScalarProjection {
    public LinearProjection {
        Shapes.require("proj_layer.weight", weight, heads, heads * dim);
        if (bias != null) {
            Shapes.require("proj_layer.bias", bias, heads);
        }
    }

    @Override
    public String form() {
        return "linear";
    }

    @Override
    public double[] scratch() {
        return new double[0];
    }

    @Override
    public void scalars(double[] x, double[] scratch, double[] out) {
        int width = heads * dim;
        for (int h = 0; h < heads; h++) {
            double sum = bias == null ? 0.0 : bias[h];
            int row = h * width;
            for (int k = 0; k < width; k++) {
                sum += weight[row + k] * x[k];
            }
            out[h] = sum;
        }
    }

    /** Shape checks shared by the projection forms, with the state_dict key in the message. */
    static final class Shapes {
        private Shapes() {}

        static void require(String key, float[] values, int... shape) {
            long expected = 1;
            for (int size : shape) {
                expected *= size;
            }
            if (values == null) {
                throw new InvalidInputException(key + " is missing");
            }
            if (values.length != expected) {
                throw new InvalidInputException(key + " holds " + values.length + " values; its shape must be "
                        + java.util.Arrays.toString(shape).replace('[', '(').replace(']', ')'));
            }
        }
    }
}
