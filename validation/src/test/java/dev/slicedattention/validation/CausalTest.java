package dev.slicedattention.validation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.error.InvalidInputException;
import dev.slicedattention.validation.sequential.CausalPipeline;
import dev.slicedattention.validation.sequential.SequentialPipeline;
import dev.slicedattention.validation.sequential.SequentialPipeline64;
import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Causal mode (SPEC §5): the Fenwick twin against the naive causal reference, and causality itself. */
class CausalTest {

    static AttentionOptions options(AttentionBatch batch, boolean bump, boolean ragged, long seed) {
        AttentionOptions options = bump ? AttentionOptions.bump(Bandwidths.relativeToKeys(batch, 0.5)) : AttentionOptions.relu();
        if (ragged) {
            SplittableRandom random = new SplittableRandom(seed);
            int[] lengths = new int[batch.heads()], queries = new int[batch.heads()];
            for (int p = 0; p < lengths.length; p++) {
                lengths[p] = 1 + random.nextInt(batch.n());
                queries[p] = 1 + random.nextInt(batch.n());
            }
            options = options.withKeyLengths(lengths).withQueryLengths(queries);
        }
        return options.causal(true);
    }

    @ParameterizedTest
    @EnumSource(InputGenerator.class)
    void fenwickTwinMatchesTheNaiveCausalReference(InputGenerator generator) {
        for (int n : new int[] {1, 2, 3, 1000, 4096}) {
            for (int heads : new int[] {1, 3}) {
                if (n == 4096 && heads == 3) {
                    continue; // the naive causal reference is O(n²·e): one large case per generator is enough
                }
                AttentionBatch plain = generator.generate(new Shape(heads, n, n, 8, n >= 1000 ? 4 : 3), 31L * n + heads);
                for (boolean bump : new boolean[] {false, true}) {
                    for (boolean ragged : new boolean[] {false, true}) {
                        AttentionBatch batch = plain.withOptions(options(plain, bump, ragged, n));
                        double[] reference = NaiveReference.attend(batch);
                        ErrorMetrics error = ErrorMetrics.compare(SequentialPipeline.forward(batch), reference, batch);
                        assertTrue(error.relativeError() <= 1e-5, () -> generator + " n=" + n + " " + batch + ": " + error);
                        ErrorMetrics error64 = ErrorMetrics.compare(SequentialPipeline64.forward(batch), reference, batch);
                        assertTrue(error64.relativeError() <= 1e-10, () -> generator + " n=" + n + " float64: " + error64);
                    }
                }
            }
        }
    }

    /** Causality: changing any token j > i (its query, key or value) leaves output i unchanged. */
    @Property(tries = 200)
    void theFutureDoesNotLeakIntoThePast(@ForAll @IntRange(min = 2, max = 60) int n, @ForAll boolean bump,
                                         @ForAll @IntRange(min = 0, max = 59) int cut, @ForAll long seed) {
        int from = Math.min(cut, n - 1);
        AttentionBatch plain = InputGenerator.GAUSSIAN.generate(new Shape(1, n, n, 5, 3), seed);
        AttentionOptions options = (bump ? AttentionOptions.bump(2f) : AttentionOptions.relu()).causal(true);
        float[] before = SequentialPipeline.forward(plain.withOptions(options));
        SplittableRandom random = new SplittableRandom(seed + 1);
        float[] q = plain.q().clone(), k = plain.k().clone(), v = plain.v().clone();
        for (int j = from + 1; j < n; j++) {
            for (int c = 0; c < 5; c++) {
                q[j * 5 + c] = (float) (10 * random.nextGaussian());
                k[j * 5 + c] = (float) (10 * random.nextGaussian());
            }
            for (int c = 0; c < 3; c++) {
                v[j * 3 + c] = (float) (10 * random.nextGaussian());
            }
        }
        // The key centre c is a mean over all keys, so changing future keys moves every s and t by the
        // same amount: the operator is invariant to it mathematically, float32 rounding of s − t is not.
        AttentionBatch changed = new AttentionBatch(1, n, n, 5, 3, q, k, v, plain.theta()).withOptions(options);
        float[] after = SequentialPipeline.forward(changed);
        double[] exactBefore = NaiveReference.attend(plain.withOptions(options));
        for (int i = 0; i <= from; i++) {
            for (int c = 0; c < 3; c++) {
                double scale = 1e-5 * (1 + Math.abs(exactBefore[i * 3 + c]));
                assertEquals(before[i * 3 + c], after[i * 3 + c], 10 * scale, "token " + i + " changed with the future");
            }
        }
        double[] exactAfter = NaiveReference.attend(changed);
        assertArrayEquals(Arrays.copyOf(exactBefore, (from + 1) * 3), Arrays.copyOf(exactAfter, (from + 1) * 3), 1e-9,
                "the float64 reference of the first tokens depends only on them");
    }

    /** Masked softmax, the decoders' baseline: row i is the softmax over keys 0..i, on the float32 path and the reference. */
    @Test
    void causalSoftmaxSeesThePrefixOnly() {
        AttentionBatch plain = InputGenerator.GAUSSIAN.generate(new Shape(2, 9, 9, 4, 3), 8);
        AttentionBatch causal = plain.withOptions(AttentionOptions.relu().causal(true));
        double[] reference = SoftmaxReference.attend(causal);
        float[] fast = dev.slicedattention.validation.sequential.SequentialSoftmax.forward(causal);
        for (int p = 0; p < 2; p++) {
            for (int i = 0; i < 9; i++) {
                AttentionBatch prefix = plain.withOptions(AttentionOptions.relu().withKeyLengths(i + 1, i + 1));
                double[] expected = SoftmaxReference.attend(prefix);
                for (int c = 0; c < 3; c++) {
                    int at = (p * 9 + i) * 3 + c;
                    assertEquals(expected[at], reference[at], 1e-12);
                    assertEquals(expected[at], fast[at], 1e-5);
                }
            }
        }
    }

    @Test
    void causalNeedsSelfAttention() {
        AttentionBatch batch = InputGenerator.GAUSSIAN.generate(new Shape(1, 4, 5, 2, 2), 1);
        InvalidInputException refused = assertThrows(InvalidInputException.class,
                () -> batch.withOptions(AttentionOptions.relu().causal(true)));
        assertEquals("causal attention is self-attention: it needs m = n, got m = 4, n = 5", refused.getMessage());
    }

    @Test
    void theFirstTokenSeesOnlyItself() {
        // ReLU: one key, s − t is its only difference; V − μ_0 = 0, so O_0 = 0. Bump: O_0 = V_0 (weight 1 at distance 0).
        AttentionBatch plain = InputGenerator.GAUSSIAN.generate(new Shape(1, 3, 3, 2, 2), 5);
        float[] relu = SequentialPipeline.forward(plain.withOptions(AttentionOptions.relu().causal(true)));
        assertEquals(0f, relu[0]);
        assertEquals(0f, relu[1]);
        AttentionBatch self = new AttentionBatch(1, 3, 3, 2, 2, plain.k(), plain.k(), plain.v(), plain.theta());
        float[] bump = SequentialPipeline.forward(self.withOptions(AttentionOptions.bump(1f).causal(true)));
        assertEquals(plain.v()[0], bump[0], 1e-6f);
        assertEquals(plain.v()[1], bump[1], 1e-6f);
        assertEquals(0, CausalPipeline.forward64(self.withOptions(AttentionOptions.relu().causal(true)))[0], 0.0);
    }
}
