package dev.slicedattention.validation.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.validation.layer.LayerReference;
import dev.slicedattention.validation.layer.LayerWeights;
import dev.slicedattention.validation.npy.NpyArray;
import dev.slicedattention.validation.projection.HeadLayout;
import dev.slicedattention.validation.weights.WeightsFile;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The float64 reference of the whole module against the authors' modules, from both weights formats.
 * Their own float32 arithmetic is within 7e-7 of float64 on these cases (cases.json), so 1e-5 leaves
 * room only for float32 rounding. H = 4 needs their head layout; the intended layout must differ.
 */
class LayerReferenceGoldenTest {
    static final java.util.List<LayerFixtures.Case> CASES = LayerFixtures.CASES;

    @TempDir
    Path dir;

    @ParameterizedTest
    @FieldSource("CASES")
    void referenceMatchesTheAuthorsModule(LayerFixtures.Case c) {
        NpyArray x = c.x(), expected = c.out();
        int items = x.shape()[0], tokens = x.shape()[1];
        float[] mask = c.maskValues();
        for (String format : new String[] {"weights.npz", "weights.safetensors"}) {
            LayerWeights weights = LayerWeights.read(WeightsFile.read(c.file(format, dir)), c.heads(), c.kernel());
            double[] out = LayerReference.forward(x.data(), items, tokens, weights, c.rope(), HeadLayout.AUTHORS, mask);
            assertArrayEquals(x.shape(), expected.shape());
            double error = relativeError(out, expected.data(), mask, weights.hidden());
            assertTrue(error <= 1e-5, c.name() + " " + format + ": relative error " + error);
            if (c.heads() > 1) {
                double[] intended = LayerReference.forward(x.data(), items, tokens, weights, c.rope(), HeadLayout.INTENDED, mask);
                assertTrue(relativeError(intended, expected.data(), mask, weights.hidden()) > 1e-3,
                        c.name() + ": the intended head layout should differ from the authors'");
            } else {
                assertArrayEquals(out, LayerReference.forward(x.data(), items, tokens, weights, c.rope(),
                        HeadLayout.INTENDED, mask), "H = 1: both layouts are one");
            }
        }
    }

    static double relativeError(double[] actual, float[] expected, float[] mask, int hidden) {
        return RandomLayers.relativeError(i -> actual[i], expected, mask, hidden);
    }
}
