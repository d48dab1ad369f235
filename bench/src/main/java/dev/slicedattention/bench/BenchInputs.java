package dev.slicedattention.bench;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.Bandwidths;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Shape;

/** The inputs every benchmark uses: standard normal data from one fixed seed, self-attention shape (m = n). */
public final class BenchInputs {
    /** The seed of every benchmark input, so that every run measures the same data. */
    public static final long SEED = 20251211L;

    private BenchInputs() {}

    public static AttentionBatch batch(int heads, int n, int d, int e) {
        return InputGenerator.GAUSSIAN.generate(new Shape(heads, n, n, d, e), SEED);
    }

    /** {@code count} Gaussian values times {@code scale}, from {@code seed}. */
    public static float[] gaussian(int count, double scale, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (scale * random.nextGaussian());
        }
        return values;
    }

    /**
     * Random weights of the authors' module (seeded; nn.Linear's 1/√fan-in scale): the ReLU module's MLP
     * projection with mid = hidden, or the bump module's linear projection with b = 0.5 per head.
     */
    public static dev.slicedattention.validation.layer.LayerWeights layerWeights(Kernel kernel, int heads, int hidden) {
        double scale = 1 / Math.sqrt(hidden);
        int d = hidden / heads;
        long seed = SEED;
        dev.slicedattention.validation.projection.ScalarProjection projection = kernel == Kernel.RELU
                ? new dev.slicedattention.validation.projection.MlpProjection(heads, d, hidden, gaussian(hidden * hidden, scale, seed++),
                        gaussian(hidden, 0.1, seed++), gaussian(heads * hidden, scale, seed++), gaussian(heads, 0.1, seed++))
                : new dev.slicedattention.validation.projection.LinearProjection(heads, d, gaussian(heads * hidden, scale, seed++), null);
        float[] bandwidth = null;
        if (kernel == Kernel.BUMP) {
            bandwidth = new float[heads];
            java.util.Arrays.fill(bandwidth, 0.5f);
        }
        return new dev.slicedattention.validation.layer.LayerWeights(hidden, heads, kernel,
                gaussian(hidden * hidden, scale, seed++), gaussian(hidden, 0.1, seed++),
                gaussian(hidden * hidden, scale, seed++), gaussian(hidden, 0.1, seed++),
                gaussian(hidden * hidden, scale, seed++), gaussian(hidden, 0.1, seed++), projection, bandwidth);
    }

    /** The kernels the forward suite knows: relu, bump, and their causal forms (SPEC §5). */
    public static final java.util.List<String> KERNELS = java.util.List.of("relu", "bump", "causal-relu", "causal-bump");

    /**
     * The same inputs for a kernel of {@link #KERNELS}; the bump's b is {@link Bandwidths#DEFAULT_FACTOR}
     * × the spread of the projected keys.
     */
    public static AttentionBatch batch(int heads, int n, int d, int e, String kernel) {
        if (!KERNELS.contains(kernel)) {
            throw new IllegalArgumentException("unknown kernel '" + kernel + "': choose one of " + KERNELS);
        }
        AttentionBatch batch = batch(heads, n, d, e);
        boolean causal = kernel.startsWith("causal-");
        AttentionOptions options = Kernel.parse(kernel.substring(causal ? 7 : 0)) == Kernel.BUMP
                ? AttentionOptions.bump(Bandwidths.relativeToKeys(batch, Bandwidths.DEFAULT_FACTOR)) : AttentionOptions.relu();
        return batch.withOptions(options.causal(causal));
    }

    /** The {@link #KERNELS} name of what {@code batch} computes. */
    public static String kernelOf(AttentionBatch batch) {
        return (batch.isCausal() ? "causal-" : "") + batch.kernel().id();
    }

    /** The installed backend called {@code name}, as {@link SlicedAttention#backends()} lists it. */
    public static BackendInfo backend(String name) {
        for (BackendInfo info : SlicedAttention.backends()) {
            if (info.name().equals(name)) {
                return info;
            }
        }
        throw new IllegalArgumentException("backend '" + name + "' is not installed here; available: "
                + SlicedAttention.backends().stream().map(BackendInfo::name).toList());
    }
}
