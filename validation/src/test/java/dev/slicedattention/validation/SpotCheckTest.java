package dev.slicedattention.validation;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.error.ResultMismatchException;
import dev.slicedattention.validation.sequential.SequentialPipeline;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The per-call spot check: its rows are the naive reference's, and it tells a right output from a wrong one. */
class SpotCheckTest {

    @Test
    void theCheckedRowsAreTheNaiveReferencesRows() {
        SplittableRandom random = new SplittableRandom(32);
        for (int trial = 0; trial < 300; trial++) {
            AttentionBatch batch = RandomCases.small(random);
            double[] naive = NaiveReference.attend(batch);
            SpotCheck check = SpotCheck.expect(SpotCheck.Inputs.of(batch), 3, random);
            int e = batch.e();
            for (int p = 0; p < batch.heads(); p++) {
                int[] queries = check.queries(p);
                double[] rows = check.expected(p);
                for (int a = 0; a < queries.length; a++) {
                    for (int c = 0; c < e; c++) {
                        double want = naive[(p * batch.m() + queries[a]) * e + c];
                        double got = rows[a * e + c];
                        assertEquals(want, got, 1e-9 * Math.max(1.0, Math.abs(want)) + 1e-12 * maxAbs(naive),
                                batch + " problem " + p + " query " + queries[a] + " column " + c);
                    }
                }
            }
        }
    }

    /** The float32 sequential path (held to the same tolerance by the validation tests) never trips the check. */
    @Test
    void noFalseAlarmOnTheSequentialPathsOutputs() {
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 1000; trial++) {
            AttentionBatch batch = RandomCases.small(random);
            float[] out = SequentialPipeline.forward(batch);
            SpotCheck check = SpotCheck.expect(SpotCheck.Inputs.of(batch), 3, random);
            assertDoesNotThrow(() -> check.judge(out, FiniteCheck.largestMagnitude(out), TolerancePolicy.SEQUENTIAL_FLOAT32,
                    "jvm-seq (test)"), batch::toString);
        }
    }

    @Test
    void aCorruptedRowIsCaughtWithTheProblemQueryValuesAndDevice() {
        Shape shape = new Shape(2, 3, 50, 4, 3);
        AttentionBatch batch = InputGenerator.GAUSSIAN.generate(shape, 5);
        float[] out = SequentialPipeline.forward(batch);
        float found = out[(1 * 3 + 2) * 3 + 1] + 0.01f;
        out[(1 * 3 + 2) * 3 + 1] = found;
        SpotCheck check = SpotCheck.expect(SpotCheck.Inputs.of(batch), SpotCheck.DEFAULT_QUERIES, new SplittableRandom(1));
        ResultMismatchException error = assertThrows(ResultMismatchException.class,
                () -> check.judge(out, FiniteCheck.largestMagnitude(out), TolerancePolicy.BLOCKED_FLOAT32, "tornado:0:0 (a device)"));
        String message = error.getMessage();
        assertTrue(message.startsWith("the spot check of tornado:0:0 (a device)'s result failed: problem 1, query 2, column 1: expected "),
                message);
        assertTrue(message.contains(String.format(java.util.Locale.ROOT, "found %.9g", found)), message);
        assertTrue(message.contains("validate --backends tornado:0:0"), message);
        assertEquals(-1, message.indexOf('\n'), "one line");
    }

    @Test
    void aRowLeftUnwrittenOrNotANumberIsCaught() {
        Shape shape = new Shape(1, 4, 64, 4, 2);
        AttentionBatch batch = InputGenerator.HEAVY_TAILED.generate(shape, 9).withOptions(AttentionOptions.bump(0.5f));
        for (float bad : new float[] {0.0f, Float.NaN}) {
            float[] out = SequentialPipeline.forward(batch);
            java.util.Arrays.fill(out, 2, 4, bad);   // row 1 (e = 2)
            SpotCheck check = SpotCheck.expect(SpotCheck.Inputs.of(batch), 4, new SplittableRandom(2));
            assertThrows(ResultMismatchException.class, () -> check.judge(out, FiniteCheck.largestMagnitude(out),
                    TolerancePolicy.BLOCKED_FLOAT32, "x"), "row 1 = " + bad);
        }
    }

    @Test
    void paddingRowsMustBeZero() {
        Shape shape = new Shape(1, 5, 20, 3, 2);
        AttentionBatch batch = InputGenerator.GAUSSIAN.generate(shape, 3)
                .withOptions(AttentionOptions.relu().withKeyLengths(12).withQueryLengths(4));
        float[] out = SequentialPipeline.forward(batch);
        SpotCheck check = SpotCheck.expect(SpotCheck.Inputs.of(batch), 4, new SplittableRandom(4));
        assertEquals(5, check.queries(0).length, "the four real rows and the padding row");
        out[4 * 2] = 0.5f;
        assertThrows(ResultMismatchException.class, () -> check.judge(out, FiniteCheck.largestMagnitude(out),
                TolerancePolicy.BLOCKED_FLOAT32, "x"));
    }

    /** Problems of more keys than one parallel chunk (2^14): the chunks' sums, and the causal prefix of each query, add up. */
    @Test
    void keysSummedInParallelChunksGiveTheSameRows() {
        SplittableRandom random = new SplittableRandom(5);
        int n = 40_000, e = 2;
        for (Kernel kernel : Kernel.values()) {
            for (boolean causal : new boolean[] {false, true}) {
                float[] s = RandomLayersValues.gaussian(random, 2 * n), t = RandomLayersValues.gaussian(random, 2 * n);
                float[] v = RandomLayersValues.gaussian(random, 2 * n * e);
                AttentionOptions options = (kernel == Kernel.BUMP ? AttentionOptions.bump(0.05f, 0.3f) : AttentionOptions.relu())
                        .withKeyLengths(n, 33_000).withQueryLengths(n, 33_000).causal(causal);
                AttentionBatch batch = AttentionBatch.ofScalars(2, n, n, e, s, t, v, options);
                SpotCheck check = SpotCheck.expect(SpotCheck.Inputs.of(batch), 4, random);
                for (int p = 0; p < 2; p++) {
                    int keys = batch.keyLength(p);
                    int[] queries = check.queries(p);
                    double[] rows = check.expected(p);
                    for (int a = 0; a < queries.length; a++) {
                        int i = queries[a];
                        double[] want = new double[e];
                        if (i < batch.queryLength(p)) {
                            int seen = causal ? Math.min(i + 1, keys) : keys;
                            NaiveReference.kernel(kernel, kernel == Kernel.BUMP ? batch.bandwidth(p) : 0.0,
                                    new double[] {s[p * n + i]}, NaiveReference.widen(t, p * n, seen), NaiveReference.widen(v, p * n * e, seen * e),
                                    e, want, 0);
                        }
                        for (int c = 0; c < e; c++) {
                            assertEquals(want[c], rows[a * e + c], 1e-9 * Math.max(1.0, Math.abs(want[c])),
                                    kernel + " causal=" + causal + " problem " + p + " query " + i);
                        }
                    }
                }
            }
        }
    }

    /** Gaussian floats (the tests' own: validation's generators make Q, K, V rather than scalars). */
    private static final class RandomLayersValues {
        static float[] gaussian(SplittableRandom random, int count) {
            float[] out = new float[count];
            for (int i = 0; i < count; i++) {
                out[i] = (float) (random.nextGaussian());
            }
            return out;
        }
    }

    @Test
    void queriesAreDistinctAndInRange() {
        SplittableRandom random = new SplittableRandom(11);
        for (int trial = 0; trial < 2000; trial++) {
            int m = 1 + random.nextInt(30), real = 1 + random.nextInt(m), count = 1 + random.nextInt(5);
            int[] picked = SpotCheck.pick(real, m, count, random);
            assertEquals(Math.min(count, real) + (real < m ? 1 : 0), picked.length);
            for (int i = 0; i < picked.length; i++) {
                assertTrue(picked[i] >= 0 && picked[i] < m);
                assertTrue(i == 0 || picked[i] > picked[i - 1], "distinct");
            }
            assertEquals(real < m, picked[picked.length - 1] >= real, "one padding row exactly when there are any");
        }
    }

    private static double maxAbs(double[] values) {
        double max = 0.0;
        for (double value : values) {
            max = Math.max(max, Math.abs(value));
        }
        return max;
    }
}
