package dev.slicedattention.validation.sequential;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Stage 1 against a direct float64 dot product. */
class ProjectionTest {

    @Property(tries = 800)
    void projectionIsTheShiftedDotProduct(@ForAll @IntRange(min = 1, max = 60) int rows,
                                          @ForAll @IntRange(min = 1, max = 64) int d,
                                          @ForAll @IntRange(min = 1, max = 3) int heads,
                                          @ForAll @IntRange(min = -2, max = 4) int offsetExponent,
                                          @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double offset = offsetExponent < 0 ? 0 : Math.pow(10, offsetExponent);
        float[] matrix = new float[heads * rows * d];
        for (int i = 0; i < matrix.length; i++) {
            matrix[i] = (float) (offset + random.nextGaussian());
        }
        float[] theta = new float[heads * d];
        for (int i = 0; i < theta.length; i++) {
            theta[i] = (float) random.nextGaussian();
        }
        int p = heads - 1;
        float[] centre = Projection.centre(matrix, p * rows, rows, d);
        float[] out = Projection.project(matrix, p * rows, rows, d, theta, p * d, centre);
        assertEquals(rows, out.length);
        for (int i = 0; i < rows; i++) {
            // Direct: <θ, X_i> − <θ, c>, each a float64 dot product.
            double dot = 0, shift = 0, magnitude = 0;
            for (int k = 0; k < d; k++) {
                double x = matrix[(p * rows + i) * d + k];
                dot += theta[p * d + k] * x;
                shift += (double) theta[p * d + k] * centre[k];
                magnitude += Math.abs(theta[p * d + k] * x) + Math.abs((double) theta[p * d + k] * centre[k]);
            }
            double direct = dot - shift;
            double allowed = Math.ulp((float) direct) + 4.0 * d * 0x1p-53 * magnitude;
            assertTrue(Math.abs(out[i] - direct) <= allowed,
                    "row " + i + ": " + out[i] + " vs " + direct + " (allowed " + allowed + ")");
        }
    }

    @Test
    void centreIsTheColumnMeanAndValueMeanIsExact() {
        float[] matrix = {1f, 10f, 2f, 20f, 4f, 30f, /* head 2 */ 100f, -1f, 300f, -3f, 200f, -2f};
        assertArrayEquals(new float[] {7f / 3f, 20f}, Projection.centre(matrix, 0, 3, 2));
        assertArrayEquals(new float[] {200f, -2f}, Projection.centre(matrix, 3, 3, 2));
        double[] mean = Projection.valueMean(matrix, 0, 3, 2);
        assertEquals(7.0 / 3.0, mean[0], 0.0);
        assertEquals(20.0, mean[1], 0.0);
    }

    @Test
    void equalRowsGiveBitIdenticalScalars() {
        // A query equal to a key must project to exactly the key's scalar, or ties stop being ties.
        float[] keys = {1000.25f, 999.5f, -3f, 1000.125f, 1000.75f, 2f};
        float[] queries = {-3f, 1000.125f, 7f, 8f}; // query 0 is key row 1
        float[] theta = {0.3f, -1.7f};
        float[] centre = Projection.centre(keys, 0, 3, 2);
        float[] t = Projection.project(keys, 0, 3, 2, theta, 0, centre);
        float[] s = Projection.project(queries, 0, 2, 2, theta, 0, centre);
        assertEquals(Float.floatToRawIntBits(t[1]), Float.floatToRawIntBits(s[0]));
        assertEquals(t[1], Projection.projectRow(keys, 2, 2, theta, 0, centre));
    }

    @Test
    void sharedOffsetDoesNotChangeDifferences() {
        // SPEC §3: t_j − t_l is a property of the data, not of where the data sits.
        float[] theta = {0.5f, 0.25f, -1f};
        float[] near = {0.125f, 0.25f, 0.375f, -0.5f, 0.625f, 0.75f}; // dyadic: +1024 is exact
        float[] far = new float[near.length];
        for (int i = 0; i < near.length; i++) {
            far[i] = near[i] + 1024f;
        }
        float[] a = Projection.project(near, 0, 2, 3, theta, 0, Projection.centre(near, 0, 2, 3));
        float[] b = Projection.project(far, 0, 2, 3, theta, 0, Projection.centre(far, 0, 2, 3));
        double exact = 0.5 * (0.125 + 0.5) + 0.25 * (0.25 - 0.625) - (0.375 - 0.75);
        assertEquals(exact, (double) a[0] - a[1], 1e-6);
        assertEquals(exact, (double) b[0] - b[1], 1e-6);
    }
}
