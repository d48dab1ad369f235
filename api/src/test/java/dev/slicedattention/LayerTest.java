package dev.slicedattention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.error.InvalidInputException;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.golden.LayerFixtures;
import dev.slicedattention.validation.golden.RandomLayers;
import dev.slicedattention.validation.layer.LayerReference;
import dev.slicedattention.validation.layer.LayerWeights;
import dev.slicedattention.validation.npy.NpyArray;
import dev.slicedattention.validation.projection.HeadLayout;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.FieldSource;

/** The layer's float32 path on the JVM backends: against the authors' modules and the float64 reference. */
class LayerTest {
    static final java.util.List<LayerFixtures.Case> CASES = LayerFixtures.CASES;

    @TempDir
    Path dir;

    @ParameterizedTest
    @FieldSource("CASES")
    void matchesTheAuthorsModules(LayerFixtures.Case c) {
        NpyArray x = c.x(), expected = c.out();
        float[] mask = c.maskValues();
        Tensor maskTensor = mask == null ? null : Tensor.wrap(mask, x.shape()[0], x.shape()[1]);
        for (String backendName : new String[] {"jvm-seq", "jvm-par"}) {
            for (String format : new String[] {"weights.npz", "weights.safetensors"}) {
                Layer layer = Layer.read(c.file(format, dir), c.heads(), c.kernel()).withRope(c.rope())
                        .withHeadLayout(HeadLayout.AUTHORS);
                try (Backend backend = SlicedAttention.open(backendName)) {
                    Tensor out = layer.forward(backend, Tensor.wrap(x.data(), x.shape()), maskTensor).output();
                    assertArrayEquals(expected.shape(), out.shape());
                    double error = relativeError(out.data(), expected.data(), mask, x.shape()[2]);
                    assertTrue(error <= 1e-5, c.name() + " " + backendName + " " + format + ": " + error);
                    if (mask != null) {
                        for (int i = 0; i < out.data().length; i++) {
                            if (mask[i / x.shape()[2]] == 0f) {
                                assertEquals(0f, out.data()[i], "padded token rows are 0");
                            }
                        }
                    }
                }
            }
        }
    }

    /** The F16 weights variant: read as float16, the output of the module run with those weights. */
    @Test
    void halfPrecisionSafetensors() {
        LayerFixtures.Case c = LayerFixtures.CASES.get(4); // bump_h4_rope, which has weights-f16.safetensors
        NpyArray x = c.x();
        NpyArray expected = dev.slicedattention.validation.npy.Npy.read(c.file("out-f16.npy", dir));
        Layer layer = Layer.read(c.file("weights-f16.safetensors", dir), 4, Kernel.BUMP).withRope(true)
                .withHeadLayout(HeadLayout.AUTHORS);
        try (Backend backend = SlicedAttention.open("jvm-par")) {
            Tensor out = layer.forward(backend, Tensor.wrap(x.data(), x.shape()), null).output();
            assertTrue(relativeError(out.data(), expected.data(), null, x.shape()[2]) <= 1e-5);
        }
    }

    /** Random weights, both kernels and layouts, rope, a random mask: against the float64 reference. */
    @ParameterizedTest
    @CsvSource({"RELU,INTENDED,false,3", "RELU,AUTHORS,true,5", "BUMP,INTENDED,true,7", "BUMP,AUTHORS,false,11"})
    void matchesTheFloat64Reference(Kernel kernel, HeadLayout layout, boolean rope, long seed) {
        int items = 3, tokens = 37, heads = 4, hidden = 24;
        SplittableRandom random = new SplittableRandom(seed);
        LayerWeights weights = randomWeights(random, kernel, heads, hidden);
        float[] x = gaussian(random, items * tokens * hidden, 1.0);
        float[] mask = new float[items * tokens];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = random.nextInt(4) == 0 && i % tokens != 0 ? 0f : 1f;
        }
        double[] reference = LayerReference.forward(x, items, tokens, weights, rope, layout, mask);
        for (String name : new String[] {"jvm-seq", "jvm-par"}) {
            try (Backend backend = SlicedAttention.open(name)) {
                Layer layer = Layer.of(weights).withRope(rope).withHeadLayout(layout);
                float[] out = layer.forward(backend, Tensor.wrap(x, items, tokens, hidden), Tensor.wrap(mask, items, tokens))
                        .output().data();
                double worst = 0, scale = 0;
                for (int i = 0; i < out.length; i++) {
                    worst = Math.max(worst, Math.abs(out[i] - reference[i]));
                    scale = Math.max(scale, Math.abs(reference[i]));
                }
                assertTrue(worst / scale <= 1e-5, name + " " + kernel + " " + layout + ": " + worst / scale);
            }
        }
    }

    /** Causal mode with a mask: token t sees the real tokens at positions ≤ t, on both JVM backends. */
    @ParameterizedTest
    @CsvSource({"RELU,13", "BUMP,17"})
    void causalWithAMaskMatchesTheFloat64Reference(Kernel kernel, long seed) {
        int items = 2, tokens = 41, heads = 2, hidden = 16;
        SplittableRandom random = new SplittableRandom(seed);
        LayerWeights weights = randomWeights(random, kernel, heads, hidden);
        float[] x = gaussian(random, items * tokens * hidden, 1.0);
        float[] mask = new float[items * tokens];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = i % tokens < 30 || random.nextBoolean() ? 1f : 0f;
        }
        double[] reference = LayerReference.forward(x, items, tokens, weights, true, HeadLayout.INTENDED, mask, true);
        for (String name : new String[] {"jvm-seq", "jvm-par"}) {
            try (Backend backend = SlicedAttention.open(name)) {
                float[] out = Layer.of(weights).withRope(true).withCausal(true)
                        .forward(backend, Tensor.wrap(x, items, tokens, hidden), Tensor.wrap(mask, items, tokens)).output().data();
                double worst = 0, scale = 0;
                for (int i = 0; i < out.length; i++) {
                    worst = Math.max(worst, Math.abs(out[i] - reference[i]));
                    scale = Math.max(scale, Math.abs(reference[i]));
                }
                assertTrue(worst / scale <= 1e-5, name + " causal " + kernel + ": " + worst / scale);
            }
        }
    }

    @Test
    void badInputsAreRefusedByName() {
        LayerWeights weights = randomWeights(new SplittableRandom(1), Kernel.RELU, 2, 8);
        Layer layer = Layer.of(weights);
        try (Backend backend = SlicedAttention.open("jvm-seq")) {
            InvalidInputException wrong = assertThrows(InvalidInputException.class,
                    () -> layer.forward(backend, Tensor.wrap(new float[2 * 3 * 6], 2, 3, 6), null));
            assertEquals("X must be [B, T, 8] for these weights, got shape (2, 3, 6)", wrong.getMessage());
            InvalidInputException badMask = assertThrows(InvalidInputException.class,
                    () -> layer.forward(backend, Tensor.wrap(new float[2 * 3 * 8], 2, 3, 8), Tensor.wrap(new float[] {1, 1, 0.5f, 1, 1, 1}, 2, 3)));
            assertEquals("the mask must hold 0 (padding) or 1 (token), got 0.5 at [0, 2]", badMask.getMessage());
            InvalidInputException empty = assertThrows(InvalidInputException.class,
                    () -> layer.forward(backend, Tensor.wrap(new float[2 * 3 * 8], 2, 3, 8), Tensor.wrap(new float[] {1, 1, 1, 0, 0, 0}, 2, 3)));
            assertEquals("the mask of item 1 has no real token: attention needs at least one", empty.getMessage());
        }
    }

    static LayerWeights randomWeights(SplittableRandom random, Kernel kernel, int heads, int hidden) {
        return RandomLayers.weights(random, kernel, heads, hidden, hidden, false);
    }

    static float[] gaussian(SplittableRandom random, int count, double scale) {
        return RandomLayers.gaussian(random, count, scale);
    }

    static double relativeError(float[] actual, float[] expected, float[] mask, int hidden) {
        return RandomLayers.relativeError(i -> actual[i], expected, mask, hidden);
    }
}
