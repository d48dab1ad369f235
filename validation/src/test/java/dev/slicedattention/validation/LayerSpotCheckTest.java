package dev.slicedattention.validation;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.error.ResultMismatchException;
import dev.slicedattention.validation.golden.RandomLayers;
import dev.slicedattention.validation.layer.LayerReference;
import dev.slicedattention.validation.layer.LayerWeights;
import dev.slicedattention.validation.projection.HeadLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The device layer's spot check: its rows are LayerReference's, a right output passes and a wrong row fails. */
class LayerSpotCheckTest {
    @Test
    void theCheckedRowsAreTheReferencesAndAWrongRowIsCaught() {
        SplittableRandom random = new SplittableRandom(3);
        for (int trial = 0; trial < 40; trial++) {
            Kernel kernel = random.nextBoolean() ? Kernel.RELU : Kernel.BUMP;
            HeadLayout layout = random.nextBoolean() ? HeadLayout.INTENDED : HeadLayout.AUTHORS;
            boolean rope = random.nextBoolean(), causal = random.nextBoolean();
            int items = 1 + random.nextInt(3), tokens = 2 + random.nextInt(20), heads = 2, hidden = 8;
            LayerWeights weights = RandomLayers.weights(random, kernel, heads, hidden, 12, true);
            float[] x = RandomLayers.gaussian(random, items * tokens * hidden, 1.0);
            float[] mask = new float[items * tokens];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = random.nextInt(4) == 0 && i % tokens != 0 ? 0f : 1f;
            }
            double[] reference = LayerReference.forward(x, items, tokens, weights, rope, layout, mask, causal);
            float[] out = new float[reference.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) reference[i];
            }
            // All tokens drawn: every real token's row of the drawn item is checked (and one padded row).
            LayerSpotCheck check = LayerSpotCheck.expect(x, items, tokens, weights, rope, layout, mask, causal, tokens,
                    new SplittableRandom(trial));
            assertDoesNotThrow(() -> check.judge(out, "a device"));
            int token;
            do {   // a token that is real in every item (token 0 always is)
                token = random.nextInt(tokens);
            } while (!realEverywhere(mask, items, tokens, token));
            for (int item = 0; item < items; item++) {
                out[(item * tokens + token) * hidden + 1] += 0.01f * (1 + Math.abs(out[(item * tokens + token) * hidden + 1]));
            }
            int wrong = token;
            ResultMismatchException error = assertThrows(ResultMismatchException.class, () -> check.judge(out, "a device"),
                    "token " + wrong + " is wrong in every item");
            assertTrue(error.getMessage().startsWith("the spot check of a device's layer result failed: item "), error.getMessage());
            assertTrue(error.getMessage().contains(", token " + token + ", column 1: expected "), error.getMessage());
            assertEquals(-1, error.getMessage().indexOf('\n'));
        }
    }

    private static boolean realEverywhere(float[] mask, int items, int tokens, int token) {
        for (int item = 0; item < items; item++) {
            if (mask[item * tokens + token] == 0f) {
                return false;
            }
        }
        return true;
    }
}
