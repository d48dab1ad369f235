package dev.slicedattention.validation.layer;

import dev.slicedattention.error.InvalidInputException;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.projection.LinearProjection;
import dev.slicedattention.validation.projection.MlpProjection;
import dev.slicedattention.validation.projection.ScalarProjection;
import dev.slicedattention.validation.weights.WeightsFile;

/**
 * The weights of one of the authors' attention modules, by their {@code state_dict} names:
 * {@code query.weight} [H·d, hidden], {@code query.bias}, {@code key.*}, {@code value.*}, and
 * <ul>
 *   <li>relu ({@code SlicedReLUSelfAttention}): the MLP {@code proj_layer.0.weight} [mid, H·d],
 *       {@code proj_layer.0.bias}, {@code proj_layer.3.weight} [H, mid], {@code proj_layer.3.bias};</li>
 *   <li>bump ({@code SlicedReLUBumpSelfAttention}): {@code proj_layer.weight} [H, H·d] (a bias
 *       {@code proj_layer.bias} is used when present) and {@code log_bandwidth} [H], b = softplus(w) + 1e-4.</li>
 * </ul>
 *
 * @param bandwidth b per head (bump), or null (relu)
 */
public record LayerWeights(int hidden, int heads, Kernel kernel, float[] queryWeight, float[] queryBias,
                           float[] keyWeight, float[] keyBias, float[] valueWeight, float[] valueBias,
                           ScalarProjection projection, float[] bandwidth) {
    /** The authors' bandwidth floor: b = softplus(log_bandwidth) + 1e-4. */
    public static final float BANDWIDTH_EPS = 1e-4f;

    public int headDim() {
        return hidden / heads;
    }

    /** Reads the module's weights for H heads; the hidden size comes from {@code query.weight}. */
    public static LayerWeights read(WeightsFile file, int heads, Kernel kernel) {
        int[] shape = file.shape("query.weight");
        if (shape == null || shape.length != 2) {
            file.floats("query.weight", -1, -1); // refuses naming the key (missing, or not float)
        }
        int hidden = shape[1];
        if (shape[0] != hidden) {
            throw new InvalidInputException("query.weight has shape (" + shape[0] + ", " + hidden + "); the authors' "
                    + "modules project hidden to hidden (all_head_size = hidden)");
        }
        if (heads < 1 || hidden % heads != 0) {
            throw new InvalidInputException("--heads " + heads + " does not divide the hidden size " + hidden);
        }
        int d = hidden / heads;
        float[] wq = file.floats("query.weight", hidden, hidden), bq = file.floats("query.bias", hidden);
        float[] wk = file.floats("key.weight", hidden, hidden), bk = file.floats("key.bias", hidden);
        float[] wv = file.floats("value.weight", hidden, hidden), bv = file.floats("value.bias", hidden);
        ScalarProjection projection;
        float[] bandwidth = null;
        if (kernel == Kernel.RELU) {
            int[] first = file.shape("proj_layer.0.weight");
            int mid = first != null && first.length == 2 ? first[0] : hidden;
            projection = new MlpProjection(heads, d, mid, file.floats("proj_layer.0.weight", mid, hidden),
                    file.floats("proj_layer.0.bias", mid), file.floats("proj_layer.3.weight", heads, mid),
                    file.floats("proj_layer.3.bias", heads));
        } else {
            float[] bias = file.has("proj_layer.bias") ? file.floats("proj_layer.bias", heads) : null;
            projection = new LinearProjection(heads, d, file.floats("proj_layer.weight", heads, hidden), bias);
            float[] logBandwidth = file.floats("log_bandwidth", heads);
            bandwidth = new float[heads];
            for (int h = 0; h < heads; h++) {
                bandwidth[h] = softplus(logBandwidth[h]) + BANDWIDTH_EPS;
            }
        }
        return new LayerWeights(hidden, heads, kernel, wq, bq, wk, bk, wv, bv, projection, bandwidth);
    }

    /** PyTorch's softplus log(1 + e^w) with its threshold (w &gt; 20 gives w), in float32 as theirs. */
    static float softplus(float w) {
        return w > 20f ? w : (float) Math.log1p(Math.exp(w));
    }
}
