package dev.slicedattention.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Error metrics and the tolerance policy on cases small enough to compute by hand. */
class ErrorMetricsTest {
    /** n = 4 keys, e = 3: every centred value is ±1, so rms(V − μ) = 1 and the floor is 1/(4·√4) = 0.125. */
    private static AttentionBatch batch() {
        float[] v = {1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1, -1};
        return new AttentionBatch(1, 1, 4, 1, 3, new float[] {0}, new float[] {0, 1, 2, 3}, v, new float[] {1});
    }

    @Test
    void maxAbsAndRelativeByHand() {
        ErrorMetrics metrics = ErrorMetrics.compare(new double[] {1.0, -2.25, 0.5}, new double[] {1.0, -2.0, 0.5}, batch());
        assertEquals(0.25, metrics.maxAbsError(), 0.0);
        assertEquals(2.0, metrics.referenceMax(), 0.0);
        assertEquals(0.125, metrics.valueScale(), 0.0);
        assertEquals(0.125, metrics.specRelativeError(), 0.0);
        assertEquals(0.125, metrics.relativeError(), 0.0, "the reference (2) is above the floor (0.125)");
        assertEquals(1, metrics.worstIndex());
    }

    @Test
    void float32OutputIsWidenedExactly() {
        ErrorMetrics metrics = ErrorMetrics.compare(new float[] {1.5f, 0.25f, -4f}, new double[] {1.5, 0.5, -4.0}, batch());
        assertEquals(0.25, metrics.maxAbsError(), 0.0);
        assertEquals(0.25 / 4.0, metrics.specRelativeError(), 0.0);
        assertEquals(1, metrics.worstIndex());
    }

    @Test
    void floorJudgesOutputsWhoseReferenceIsZero() {
        // All keys equal: the exact output is 0; the SPEC ratio is undefined, the floor is not.
        ErrorMetrics metrics = ErrorMetrics.compare(new double[] {0.01, 0, 0}, new double[] {0, 0, 0}, batch());
        assertEquals(Double.POSITIVE_INFINITY, metrics.specRelativeError());
        assertEquals(0.01 / 0.125, metrics.relativeError(), 1e-15);
        ErrorMetrics exact = ErrorMetrics.compare(new double[] {0, 0, 0}, new double[] {0, 0, 0}, batch());
        assertEquals(0.0, exact.specRelativeError());
        assertEquals(0.0, exact.relativeError());
        assertEquals(-1, exact.worstIndex());
    }

    @Test
    void nanInTheOutputIsTheWorstError() {
        ErrorMetrics metrics = ErrorMetrics.compare(new double[] {0.5, Double.NaN, 9}, new double[] {0, 0, 9}, batch());
        assertEquals(Double.POSITIVE_INFINITY, metrics.maxAbsError());
        assertEquals(1, metrics.worstIndex());
        assertFalse(TolerancePolicy.SEQUENTIAL_FLOAT32.accepts(metrics, 4));
    }

    @Test
    void lengthsMustMatch() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ErrorMetrics.compare(new double[2], new double[3], batch()));
        assertEquals("output has 2 values, reference 3", bad.getMessage());
    }

    @Test
    void centredRmsUsesEachHeadsOwnMean() {
        // Head 0: V constant 5 (centred 0). Head 1: rows (9, 5), (5, 9) around 7 (centred ±2). rms = √((0 + 4)/2) = √2.
        float[] v = {5, 5, 5, 5, 9, 5, 5, 9};
        AttentionBatch b = new AttentionBatch(2, 1, 2, 1, 2, new float[2], new float[4], v, new float[2]);
        assertEquals(Math.sqrt(2.0), ErrorMetrics.centredValueRms(b), 1e-15);
    }

    @Test
    void tolerancePolicyByHand() {
        for (int n : new int[] {1, 2, 1000, 4096, 1 << 20, Integer.MAX_VALUE}) {
            assertEquals(1e-12, TolerancePolicy.FLOAT64.tolerance(n));
        }
        assertEquals(1e-5, TolerancePolicy.SEQUENTIAL_FLOAT32.tolerance(1));
        assertEquals(1e-5, TolerancePolicy.SEQUENTIAL_FLOAT32.tolerance(4096), 1e-20);
        assertEquals(2e-5, TolerancePolicy.SEQUENTIAL_FLOAT32.tolerance(1 << 24), 1e-18);
        assertEquals(1.8e-5, TolerancePolicy.BLOCKED_FLOAT32.tolerance(1), 1e-18);
        assertEquals(1.8e-5, TolerancePolicy.BLOCKED_FLOAT32.tolerance(4096), 1e-18);
        assertEquals(3e-5, TolerancePolicy.BLOCKED_FLOAT32.tolerance(1 << 20), 1e-18);
        assertEquals(1.5e-6 * 21, TolerancePolicy.BLOCKED_FLOAT32.tolerance((1 << 20) + 1), 1e-18);
    }

    @Test
    void toleranceNeverShrinksWithN() {
        for (TolerancePolicy policy : TolerancePolicy.values()) {
            double previous = 0;
            for (int n = 1; n > 0 && n < (1 << 30); n = n * 3 / 2 + 1) {
                double tolerance = policy.tolerance(n);
                assertTrue(tolerance >= previous, policy + " shrinks at n = " + n);
                assertTrue(tolerance <= 1e-4, policy + " is too loose at n = " + n);
                previous = tolerance;
            }
        }
        assertTrue(TolerancePolicy.SEQUENTIAL_FLOAT32.tolerance(1 << 22) > TolerancePolicy.SEQUENTIAL_FLOAT32.tolerance(4096));
    }

    @Test
    void acceptsIsInclusiveAtTheBoundary() {
        ErrorMetrics atLimit = new ErrorMetrics(0, 1, 0, 1e-5, 1e-5, 0);
        ErrorMetrics above = new ErrorMetrics(0, 1, 0, 1.01e-5, 1.01e-5, 0);
        assertTrue(TolerancePolicy.SEQUENTIAL_FLOAT32.accepts(atLimit, 100));
        assertFalse(TolerancePolicy.SEQUENTIAL_FLOAT32.accepts(above, 100));
        assertTrue(TolerancePolicy.SEQUENTIAL_FLOAT32.accepts(above, 1 << 16), "the allowance grows past n = 4096");
    }
}
