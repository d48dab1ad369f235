package dev.slicedattention.tornado;

import dev.slicedattention.Backend;
import dev.slicedattention.Layer;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.Tensor;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.layer.LayerWeights;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The layer's figures (not a test: nothing is asserted): B = 1, T = -DT (default 2^16), hidden 256,
 * H = 4, random weights (ReLU: MLP with mid = hidden; bump: linear), for each kernel: the median over
 * -Dreps steady-state calls of the dense stage, the learned projection and the kernel stage (its
 * stages summed, transfers included), on the TornadoVM device with the device front, with the host
 * front (dense stages and projection on the JVM, kernel stage on the device), and on jvm-par.
 *
 * <pre>
 *   scripts/test -pl tornado-tasks -Dtest=MeasureLayer -Dtornado.test.groups=measure -Dtornado.test.flags="-DT=65536 -Dreps=5" -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@org.junit.jupiter.api.Tag("measure")
class MeasureLayer {
    @org.junit.jupiter.api.Test
    void measure() {
        int tokens = Integer.getInteger("T", 1 << 16), reps = Integer.getInteger("reps", 5), hidden = 256, heads = 4;
        SplittableRandom random = new SplittableRandom(5);
        float[] x = LayerDeviceTest.gaussian(random, tokens * hidden, 1.0);
        for (Kernel kernel : Kernel.values()) {
            LayerWeights weights = LayerDeviceTest.randomWeights(random, kernel, heads, hidden, hidden);
            Layer layer = Layer.of(weights).withRope(true);
            float[] reference = null;
            for (String target : new String[] {"tornado:device", "tornado:host", "jvm-par"}) {
                String backendName = target.startsWith("tornado") ? System.getProperty("sliced.attention.test.device", "tornado") : target;
                if (target.startsWith("tornado")) {
                    System.setProperty(TornadoEngine.LAYER_PATH_PROPERTY, target.substring(target.indexOf(':') + 1));
                }
                try (Backend backend = SlicedAttention.open(backendName)) {
                    long first = System.nanoTime();
                    Layer.Result warm = layer.forward(backend, Tensor.wrap(x, 1, tokens, hidden), null);
                    double firstMs = (System.nanoTime() - first) / 1e6;
                    long[][] samples = new long[4][reps];
                    for (int r = 0; r < reps; r++) {
                        long start = System.nanoTime();
                        Layer.Result result = layer.forward(backend, Tensor.wrap(x, 1, tokens, hidden), null);
                        samples[0][r] = result.denseNanos();
                        samples[1][r] = result.projectionNanos();
                        samples[2][r] = result.kernel().totalNanos();
                        samples[3][r] = System.nanoTime() - start;
                    }
                    float[] out = warm.output().data();
                    double difference = 0, scale = 0;
                    if (reference == null) {
                        reference = out;
                    }
                    for (int i = 0; i < out.length; i++) {
                        difference = Math.max(difference, Math.abs(out[i] - reference[i]));
                        scale = Math.max(scale, Math.abs(reference[i]));
                    }
                    System.out.printf("layer %s T=%d %-15s dense %8.1f ms  projection %8.1f ms  kernel %8.1f ms  wall %8.1f ms"
                                    + "  (first call %.0f ms; vs device front %.2e)  %s%n", kernel, tokens, target,
                            median(samples[0]), median(samples[1]), median(samples[2]), median(samples[3]), firstMs,
                            difference / scale, warm.kernel());
                } finally {
                    System.clearProperty(TornadoEngine.LAYER_PATH_PROPERTY);
                }
            }
        }
    }

    private static double median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e6;
    }
}
