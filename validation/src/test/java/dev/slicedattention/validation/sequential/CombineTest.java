package dev.slicedattention.validation.sequential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Stage 5 (with the stages it consumes) against direct evaluation of SPEC §1 on the same scalars. */
class CombineTest {
    /** 2^-24: the relative error of one rounding to float32. */
    private static final double FLOAT32_ROUNDING = 0x1p-24;

    @Property(tries = 800)
    void combineIsTheDirectFormula(@ForAll @IntRange(min = 1, max = 300) int n,
                                   @ForAll @IntRange(min = 1, max = 40) int m,
                                   @ForAll @IntRange(min = 1, max = 6) int e,
                                   @ForAll boolean onAGrid,
                                   @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] keys = new float[n];
        for (int j = 0; j < n; j++) {
            keys[j] = onAGrid ? random.nextInt(-4, 5) * 0.5f : (float) random.nextGaussian();
        }
        float[] queries = new float[m];
        for (int i = 0; i < m; i++) {
            // Half the queries equal a key: exact ties, and on a grid sometimes every key.
            queries[i] = i % 2 == 0 ? keys[random.nextInt(n)] : (float) (3 * random.nextGaussian());
        }
        float[] values = new float[n * e];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        double[] mu = Projection.valueMean(values, 0, n, e);
        KeySort.SortedKeys sorted = KeySort.sort(keys);
        float sigma = PrefixSums.scaleOf(sorted.tau(), n);
        PrefixSums.Sums sums = PrefixSums.compute(sorted.tau(), sorted.perm(), sigma, values, 0, n, e, mu, 1f, false);
        int[] ranks = Rank.ranks(queries, sorted.tau(), n);
        float[] out = new float[(m + 1) * e];
        Combine.combine(queries, ranks, sigma, sums, 1f, out, e); // at an offset: row 0 stays untouched

        double rms = 0;
        double[][] direct = new double[m][e];
        double largest = 0;
        for (int j = 0; j < n; j++) {
            for (int c = 0; c < e; c++) {
                rms += Math.pow(values[j * e + c] - mu[c], 2);
            }
        }
        rms = Math.sqrt(rms / (n * e));
        // The sums are stored in float32 and the combine forms s·A − B and s·(2r − n) + C_n − 2·C_r:
        // a cancellation whenever the keys below s are close to s relative to their size (they are
        // not centred here, as stage 1 would centre them). So each entry may also be off by a few
        // float32 roundings of the magnitudes that cancel, divided by the denominator.
        double[][] cancellation = new double[m][e];
        double keyMagnitudes = 0;
        for (float key : keys) {
            keyMagnitudes += Math.abs(key);
        }
        for (int i = 0; i < m; i++) {
            double denominator = 0;
            double[] numerator = new double[e];
            double[] magnitudes = new double[e];
            for (int j = 0; j < n; j++) {
                double diff = (double) queries[i] - keys[j];
                denominator += Math.abs(diff);
                for (int c = 0; c < e && diff >= 0; c++) {
                    double u = values[j * e + c] - mu[c];
                    numerator[c] += diff * u;
                    magnitudes[c] += (Math.abs(queries[i]) + Math.abs(keys[j])) * Math.abs(u);
                }
            }
            for (int c = 0; c < e; c++) {
                direct[i][c] = denominator == 0 ? 0 : 2 * numerator[c] / denominator;
                largest = Math.max(largest, Math.abs(direct[i][c]));
                cancellation[i][c] = denominator == 0 ? 0
                        : 4 * FLOAT32_ROUNDING * (2 * magnitudes[c] + Math.abs(direct[i][c]) * 3 * keyMagnitudes) / denominator;
            }
        }
        double scale = Math.max(largest, rms / (4 * Math.sqrt(n)));
        for (int c = 0; c < e; c++) {
            assertEquals(0f, out[c], "row before the offset was written");
        }
        for (int i = 0; i < m; i++) {
            for (int c = 0; c < e; c++) {
                float got = out[(i + 1) * e + c];
                assertTrue(Float.isFinite(got));
                double bound = 1e-5 * scale + cancellation[i][c];
                assertTrue(Math.abs(got - direct[i][c]) <= bound,
                        "O[" + i + "][" + c + "] = " + got + ", direct " + direct[i][c] + ", bound " + bound);
            }
        }
    }

    @Test
    void byHand() {
        // Keys t = (0, 1, 3), V = (3, 0, 0), μ = 1, U = (2, −1, −1); σ = 4.
        // Query s = 2: numerator 2·2 + 1·(−1) = 3, denominator 2 + 1 + 1 = 4, O = 2·3/4 = 1.5.
        // Query s = 1 (a tie): numerator 1·2 = 2, denominator 1 + 0 + 2 = 3, O = 2·2/3 = 4/3.
        // Query s = −5: every difference negative, O = 0.
        float[] tau = {0f, 1f, 3f};
        PrefixSums.Sums sums = PrefixSums.compute(tau, new int[] {0, 1, 2}, 4f, new float[] {3f, 0f, 0f}, 0, 3, 1, new double[] {1.0}, 1f, false);
        float[] queries = {2f, 1f, -5f};
        float[] out = new float[3];
        Combine.combine(queries, Rank.ranks(queries, tau, 3), 4f, sums, 1f, out, 0);
        assertEquals(1.5f, out[0], 2e-7f);
        assertEquals(4f / 3f, out[1], 2e-7f);
        assertEquals(0f, out[2], 0f);
    }

    @Test
    void zeroDenominatorGivesZero() {
        // Every key equals the query: the degenerate case of SPEC §1.
        float[] tau = {2f, 2f, 2f};
        PrefixSums.Sums sums = PrefixSums.compute(tau, new int[] {0, 1, 2}, 4f, new float[] {1f, 5f, 9f}, 0, 3, 1, new double[] {5.0}, 1f, false);
        float[] out = {Float.NaN};
        Combine.combine(new float[] {2f}, new int[] {0}, 4f, sums, 1f, out, 0);
        assertEquals(0f, out[0], 0f);
    }

    @Test
    void farQueriesAreClampedNotOverflowed() {
        // Keys in [−1, 1] and a query 2^100 times farther: ŝ·A must not become ±∞ (then NaN).
        float[] tau = {-1f, 0f, 1f};
        PrefixSums.Sums sums = PrefixSums.compute(tau, new int[] {0, 1, 2}, 2f, new float[] {1f, 2f, 6f}, 0, 3, 1, new double[] {3.0}, 1f, false);
        float[] queries = {0x1p100f, -0x1p100f};
        float[] out = new float[2];
        Combine.combine(queries, Rank.ranks(queries, tau, 3), 2f, sums, 1f, out, 0);
        // Far above every key: O → mean(U) = 0 (plus 1/s terms); far below: 0 exactly.
        assertTrue(Float.isFinite(out[0]) && Math.abs(out[0]) < 1e-6, "got " + out[0]);
        assertEquals(0f, out[1], 0f);
    }
}
