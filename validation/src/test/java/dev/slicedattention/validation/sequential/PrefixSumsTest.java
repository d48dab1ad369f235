package dev.slicedattention.validation.sequential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Stage 3 against a float64 loop over the sorted order. */
class PrefixSumsTest {

    @Property(tries = 300)
    void sumsMatchAFloat64Loop(@ForAll @IntRange(min = 1, max = 1200) int n,
                               @ForAll @IntRange(min = 1, max = 9) int e,
                               @ForAll @IntRange(min = 1, max = 3) int heads,
                               @ForAll @IntRange(min = -30, max = 30) int keyExponent,
                               @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] keys = new float[n];
        double keyScale = Math.pow(2, keyExponent);
        for (int j = 0; j < n; j++) {
            keys[j] = (float) (random.nextGaussian() * keyScale);
        }
        float[] values = new float[heads * n * e];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (3 + random.nextGaussian());
        }
        int firstRow = (heads - 1) * n;
        double[] mu = Projection.valueMean(values, firstRow, n, e);
        KeySort.SortedKeys sorted = KeySort.sort(keys);
        float sigma = PrefixSums.scaleOf(sorted.tau(), n);
        PrefixSums.Sums sums = PrefixSums.compute(sorted.tau(), sorted.perm(), sigma, values, firstRow, n, e, mu, 1f, false);
        assertEquals(n, sums.n());
        assertEquals(e, sums.e());
        assertEquals((n + 1) * e, sums.a().length);
        assertEquals(n + 1, sums.c().length);

        double[] a = new double[e], b = new double[e], absA = new double[e], absB = new double[e];
        double c = 0, absC = 0;
        for (int k = 0; k <= n; k++) {
            for (int col = 0; col < e; col++) {
                check("A", k, sums.a()[k * e + col], a[col], absA[col], n);
                check("B", k, sums.b()[k * e + col], b[col], absB[col], n);
            }
            check("C", k, sums.c()[k], c, absC, n);
            if (k == n) {
                break;
            }
            double scaled = sorted.tau()[k] / (double) sigma;
            for (int col = 0; col < e; col++) {
                double u = values[(firstRow + sorted.perm()[k]) * e + col] - mu[col];
                a[col] += u;
                b[col] += scaled * u;
                absA[col] += Math.abs(u);
                absB[col] += Math.abs(scaled * u);
            }
            c += scaled;
            absC += Math.abs(scaled);
        }
    }

    /** Stored float32 of a float64 running sum: one rounding, plus float64 summation error. */
    private static void check(String name, int k, float stored, double expected, double magnitude, int n) {
        double allowed = Math.ulp((float) expected) + n * 0x1p-52 * magnitude;
        assertTrue(Math.abs(stored - expected) <= allowed,
                name + "[" + k + "] = " + stored + ", float64 loop " + expected + " (allowed " + allowed + ")");
    }

    @Test
    void exclusiveSumsByHand() {
        // τ = (−1, 2), π = (1, 0), V = [[10], [20]], μ = 15, σ = 4: U = (20−15, 10−15) = (5, −5).
        PrefixSums.Sums sums = PrefixSums.compute(new float[] {-1f, 2f}, new int[] {1, 0}, 4f,
                new float[] {10f, 20f}, 0, 2, 1, new double[] {15.0}, 1f, false);
        assertEquals(0f, sums.a()[0]);
        assertEquals(5f, sums.a()[1]);
        assertEquals(0f, sums.a()[2]);
        assertEquals(-1.25f, sums.b()[1]);          // (−1/4)·5
        assertEquals(-1.25f - 2.5f, sums.b()[2]);   // + (2/4)·(−5)
        assertEquals(-0.25f, sums.c()[1]);
        assertEquals(0.25f, sums.c()[2]);
    }

    @Test
    void scaleIsAPowerOfTwoAboveTheLargestKey() {
        assertEquals(1f, PrefixSums.scaleOf(new float[] {0f, 0f}, 2));
        assertEquals(4f, PrefixSums.scaleOf(new float[] {-3f, 1f}, 2));
        assertEquals(8f, PrefixSums.scaleOf(new float[] {-3f, 4f}, 2), "strictly above 4");
        assertEquals(0x1p-126f, PrefixSums.scaleOf(new float[] {Float.MIN_VALUE}, 1));
        for (float largest : new float[] {1e-30f, 0.7f, 123456f, 1e30f, 0x1p126f, 0x1p127f, Float.MAX_VALUE}) {
            float sigma = PrefixSums.scaleOf(new float[] {-largest / 2, largest}, 2);
            assertTrue(Float.isFinite(sigma), "σ for " + largest + " is " + sigma);
            assertEquals(0, Float.floatToRawIntBits(sigma) & 0x007fffff, "σ is a power of two");
            // Above 2^127 no float power of two exceeds the key; 2^127 keeps |τ/σ| < 2.
            assertTrue(sigma >= Math.min(largest, 0x1p127f) && sigma <= 2 * (double) largest, "σ = " + sigma + " for " + largest);
        }
    }
}
