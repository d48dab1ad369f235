package dev.slicedattention.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.Backend;
import dev.slicedattention.Layer;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.Tensor;
import dev.slicedattention.timing.Stage;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.golden.LayerFixtures;
import dev.slicedattention.validation.golden.RandomLayers;
import dev.slicedattention.validation.layer.LayerReference;
import dev.slicedattention.validation.layer.LayerWeights;
import dev.slicedattention.validation.npy.NpyArray;
import dev.slicedattention.validation.projection.HeadLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The authors' attention layer ({@link Layer}) on the TornadoVM backend, through both of its fronts:
 * {@code device} — the whole layer on the device (LAYER plan: tiled q, k, v products, RoPE, GELU, the
 * learned projection, chained with the kernel stage) — and {@code host} — dense stages and projection
 * on the JVM, the kernel stage on the device from the given scalars (SCALARS plan). Against the
 * authors' PyTorch modules' golden outputs (as LayerTest on the JVM backends) and the float64
 * reference of the module, device tolerance 3e-5 relative (SPEC §6). Padded tokens' rows are 0.
 */
@Tag("tornado")
class LayerDeviceTest {
    @TempDir
    Path dir;

    static List<Arguments> goldenCases() {
        List<Arguments> cases = new ArrayList<>();
        for (String front : new String[] {"device", "host"}) {
            for (LayerFixtures.Case c : LayerFixtures.CASES) {
                cases.add(Arguments.of(front, c));
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} front: {1}")
    @MethodSource("goldenCases")
    void matchesTheAuthorsModules(String front, LayerFixtures.Case c) {
        NpyArray x = c.x(), expected = c.out();
        float[] mask = c.maskValues();
        int hidden = x.shape()[2];
        Tensor maskTensor = mask == null ? null : Tensor.wrap(mask, x.shape()[0], x.shape()[1]);
        Layer layer = Layer.read(c.file("weights.safetensors", dir), c.heads(), c.kernel()).withRope(c.rope())
                .withHeadLayout(HeadLayout.AUTHORS);
        Layer.Result result = withFront(front, backend -> layer.forward(backend, Tensor.wrap(x.data(), x.shape()), maskTensor));
        Tensor out = result.output();
        assertArrayEquals(expected.shape(), out.shape());
        double worst = 0, scale = 0;
        for (int i = 0; i < out.data().length; i++) {
            if (mask != null && mask[i / hidden] == 0f) {
                assertEquals(0f, out.data()[i], "padded token rows are 0");
                continue;
            }
            worst = Math.max(worst, Math.abs(out.data()[i] - expected.data()[i]));
            scale = Math.max(scale, Math.abs(expected.data()[i]));
        }
        double error = worst / scale;
        // And against the float64 reference of the same module (LayerReference), on the real tokens.
        double[] reference = LayerReference.forward(x.data(), x.shape()[0], x.shape()[1],
                LayerWeights.read(dev.slicedattention.validation.weights.WeightsFile.read(c.file("weights.npz", dir)), c.heads(), c.kernel()),
                c.rope(), HeadLayout.AUTHORS, mask);
        double worst64 = 0, scale64 = 0;
        for (int i = 0; i < out.data().length; i++) {
            if (mask == null || mask[i / hidden] != 0f) {
                worst64 = Math.max(worst64, Math.abs(out.data()[i] - reference[i]));
                scale64 = Math.max(scale64, Math.abs(reference[i]));
            }
        }
        double error64 = worst64 / scale64;
        System.out.printf("layer golden %s, %s front on tornado: %.3e relative to the authors' output, %.3e to float64%n",
                c.name(), front, error, error64);
        assertTrue(error <= 3e-5, c.name() + " " + front + ": " + error);
        assertTrue(error64 <= 3e-5, c.name() + " " + front + " against float64: " + error64);
        assertFrontWasUsed(front, result);
    }

    /**
     * Random weights (hidden = 24, not a multiple of the 16-wide tiles; mid = 40 for the MLP), both
     * kernels and head layouts, RoPE on and off, a random mask: against the float64 reference.
     */
    @ParameterizedTest(name = "{0} front: {1} {2} rope={3}")
    @CsvSource({"device,RELU,INTENDED,false,3", "device,RELU,AUTHORS,true,5", "device,BUMP,INTENDED,true,7",
            "device,BUMP,AUTHORS,false,11", "host,RELU,AUTHORS,true,5", "host,BUMP,INTENDED,true,7"})
    void matchesTheFloat64Reference(String front, Kernel kernel, HeadLayout layout, boolean rope, long seed) {
        int items = 3, tokens = 37, heads = 4, hidden = 24;
        SplittableRandom random = new SplittableRandom(seed);
        LayerWeights weights = randomWeights(random, kernel, heads, hidden, 40);
        float[] x = gaussian(random, items * tokens * hidden, 1.0);
        float[] mask = new float[items * tokens];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = random.nextInt(4) == 0 && i % tokens != 0 ? 0f : 1f;
        }
        double[] reference = LayerReference.forward(x, items, tokens, weights, rope, layout, mask);
        Layer layer = Layer.of(weights).withRope(rope).withHeadLayout(layout);
        Layer.Result result = withFront(front, backend -> layer.forward(backend, Tensor.wrap(x, items, tokens, hidden),
                Tensor.wrap(mask, items, tokens)));
        float[] out = result.output().data();
        double worst = 0, scale = 0;
        for (int i = 0; i < out.length; i++) {
            worst = Math.max(worst, Math.abs(out[i] - reference[i]));
            scale = Math.max(scale, Math.abs(reference[i]));
            if (mask[i / hidden] == 0f) {
                assertEquals(0f, out[i], "padded token rows are 0");
            }
        }
        assertTrue(worst / scale <= 3e-5, front + " " + kernel + " " + layout + ": " + worst / scale);
        assertFrontWasUsed(front, result);
    }

    /**
     * Which front ran: the device front charges nothing to the kernel's projection stage (its
     * projection is in the layer's own figures), the host front charges the host's preparation of the
     * SCALARS plan's parameters there.
     */
    private static void assertFrontWasUsed(String front, Layer.Result result) {
        boolean device = front.equals("device");
        assertEquals(device, result.kernel().nanos(Stage.PROJECTION) == 0, () -> front + " front: " + result.kernel());
        assertTrue(result.denseNanos() > 0 && result.projectionNanos() > 0);
    }

    private static <T> T withFront(String front, java.util.function.Function<Backend, T> body) {
        String previous = System.getProperty(TornadoEngine.LAYER_PATH_PROPERTY);
        System.setProperty(TornadoEngine.LAYER_PATH_PROPERTY, front);
        try (Backend backend = SlicedAttention.open(System.getProperty("sliced.attention.test.device", "tornado"))) {
            return body.apply(backend);
        } finally {
            if (previous == null) {
                System.clearProperty(TornadoEngine.LAYER_PATH_PROPERTY);
            } else {
                System.setProperty(TornadoEngine.LAYER_PATH_PROPERTY, previous);
            }
        }
    }

    static LayerWeights randomWeights(SplittableRandom random, Kernel kernel, int heads, int hidden, int mid) {
        return RandomLayers.weights(random, kernel, heads, hidden, mid, true);
    }

    static float[] gaussian(SplittableRandom random, int count, double scale) {
        return RandomLayers.gaussian(random, count, scale);
    }
}
