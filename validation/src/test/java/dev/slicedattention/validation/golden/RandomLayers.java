package dev.slicedattention.validation.golden;

import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.layer.LayerWeights;
import dev.slicedattention.validation.projection.LinearProjection;
import dev.slicedattention.validation.projection.MlpProjection;
import dev.slicedattention.validation.projection.ScalarProjection;
import java.util.SplittableRandom;

/** Random layer weights (nn.Linear's 1/√fan-in scale) and the layer tests' error measure, shared by every backend's tests. */
public final class RandomLayers {
    private RandomLayers() {}

    /** The ReLU module's MLP projection (mid units) or the bump's linear one (with a bias when asked); b in [0.3, 1.3). */
    public static LayerWeights weights(SplittableRandom random, Kernel kernel, int heads, int hidden, int mid, boolean linearBias) {
        double scale = 1 / Math.sqrt(hidden);
        int d = hidden / heads;
        ScalarProjection projection = kernel == Kernel.RELU
                ? new MlpProjection(heads, d, mid, gaussian(random, mid * hidden, scale), gaussian(random, mid, 0.1),
                        gaussian(random, heads * mid, 1 / Math.sqrt(mid)), gaussian(random, heads, 0.1))
                : new LinearProjection(heads, d, gaussian(random, heads * hidden, scale),
                        linearBias ? gaussian(random, heads, 0.1) : null);
        float[] bandwidth = null;
        if (kernel == Kernel.BUMP) {
            bandwidth = new float[heads];
            for (int h = 0; h < heads; h++) {
                bandwidth[h] = (float) (0.3 + random.nextDouble());
            }
        }
        return new LayerWeights(hidden, heads, kernel, gaussian(random, hidden * hidden, scale), gaussian(random, hidden, 0.1),
                gaussian(random, hidden * hidden, scale), gaussian(random, hidden, 0.1),
                gaussian(random, hidden * hidden, scale), gaussian(random, hidden, 0.1), projection, bandwidth);
    }

    public static float[] gaussian(SplittableRandom random, int count, double scale) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (scale * random.nextGaussian());
        }
        return values;
    }

    /** max |actual − expected| / max |expected| over the real tokens' rows of a [B, T, hidden] output (mask: [B, T] or null). */
    public static double relativeError(java.util.function.IntToDoubleFunction actual, float[] expected, float[] mask, int hidden) {
        double worst = 0, scale = 0;
        for (int i = 0; i < expected.length; i++) {
            if (mask != null && mask[i / hidden] == 0f) {
                continue;
            }
            worst = Math.max(worst, Math.abs(actual.applyAsDouble(i) - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return worst / scale;
    }
}
