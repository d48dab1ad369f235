package dev.slicedattention.validation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.validation.sequential.SequentialSoftmax;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The softmax baseline (SPEC §5): the float64 reference and the float32 loop against a direct computation. */
class SoftmaxTest {

    /** exp(logit) without the max subtraction, in float64: fine for the small logits used here. */
    private static double[] direct(AttentionBatch b) {
        int m = b.m(), n = b.n(), d = b.d(), e = b.e();
        double[] out = new double[b.heads() * m * e];
        for (int p = 0; p < b.heads(); p++) {
            for (int i = 0; i < m; i++) {
                double sum = 0;
                double[] weighted = new double[e];
                for (int j = 0; j < n; j++) {
                    double dot = 0;
                    for (int k = 0; k < d; k++) {
                        dot += (double) b.q()[(p * m + i) * d + k] * b.k()[(p * n + j) * d + k];
                    }
                    double w = Math.exp(dot / Math.sqrt(d));
                    sum += w;
                    for (int c = 0; c < e; c++) {
                        weighted[c] += w * b.v()[(p * n + j) * e + c];
                    }
                }
                for (int c = 0; c < e; c++) {
                    out[(p * m + i) * e + c] = weighted[c] / sum;
                }
            }
        }
        return out;
    }

    @Property(tries = 300)
    void referenceAndLoopMatchTheDirectFormula(@ForAll @IntRange(min = 1, max = 3) int heads,
                                               @ForAll @IntRange(min = 1, max = 40) int m,
                                               @ForAll @IntRange(min = 1, max = 200) int n,
                                               @ForAll @IntRange(min = 1, max = 16) int d,
                                               @ForAll @IntRange(min = 1, max = 8) int e,
                                               @ForAll long seed) {
        AttentionBatch batch = InputGenerator.GAUSSIAN.generate(new Shape(heads, m, n, d, e), seed);
        double[] expected = direct(batch);
        ErrorMetrics reference = ErrorMetrics.compare(SoftmaxReference.attend(batch), expected, batch);
        assertTrue(reference.maxAbsError() <= 1e-12 * Math.max(1, reference.referenceMax()), reference::toString);
        ErrorMetrics loop = ErrorMetrics.compare(SequentialSoftmax.forward(batch), expected, batch);
        // The float32 loop's rounding is relative to the values it averages, not to the output: judged
        // by relativeError, the figure TolerancePolicy judges every backend by (see ErrorMetrics).
        assertTrue(loop.relativeError() <= 1e-5, loop::toString);
    }

    /**
     * A sample the property found: one query whose weighted mean of Gaussian values nearly cancels
     * (|O| = 0.005 against values of order 1), where the float32 loop is off by 8e-8 — 1.7e-5 of |O|,
     * the float32 rounding of the values themselves, and 2.2e-6 on TolerancePolicy's scale.
     */
    @Test
    void aCancellingOutputIsJudgedOnTheScaleOfTheValues() {
        AttentionBatch batch = InputGenerator.GAUSSIAN.generate(new Shape(1, 1, 51, 4, 1), -1226);
        ErrorMetrics loop = ErrorMetrics.compare(SequentialSoftmax.forward(batch), direct(batch), batch);
        assertTrue(loop.maxAbsError() <= 2e-7, loop::toString);
        assertTrue(loop.relativeError() <= 1e-5, loop::toString);
    }

    @Test
    void equalLogitsAverageTheValues() {
        // Q·K = 0 for every key: uniform weights, the output is the plain mean of V.
        AttentionBatch batch = new AttentionBatch(1, 1, 3, 1, 2, new float[] {0f}, new float[] {1f, 2f, 3f},
                new float[] {1f, 10f, 2f, 20f, 6f, 60f}, new float[] {1f});
        assertArrayEquals(new double[] {3.0, 30.0}, SoftmaxReference.attend(batch), 1e-15);
        assertArrayEquals(new float[] {3f, 30f}, SequentialSoftmax.forward(batch), 1e-5f);
    }

    @Test
    void largeLogitsDoNotOverflow() {
        // Logits of 1e4 would overflow exp without subtracting the row maximum.
        AttentionBatch batch = new AttentionBatch(1, 1, 2, 1, 1, new float[] {100f}, new float[] {100f, 99f},
                new float[] {1f, 0f}, new float[] {1f});
        double expected = 1.0 / (1.0 + Math.exp(-100.0));
        assertEquals(expected, SoftmaxReference.attend(batch)[0], 1e-15);
        assertEquals(expected, SequentialSoftmax.forward(batch)[0], 1e-6);
    }
}
