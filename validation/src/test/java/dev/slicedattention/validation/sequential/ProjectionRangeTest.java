package dev.slicedattention.validation.sequential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.error.InvalidInputException;
import org.junit.jupiter.api.Test;

class ProjectionRangeTest {
    /** The bound over rows read in blocks: rows past the problem's are not read; one large value flips it. */
    @Test
    void theBoundSeesOnlyTheProblemsRowsAndTheirLargestValues() {
        int d = 3, rows = 40000;                                // more than one block of rows
        float[] q = new float[2 * rows * d], k = new float[2 * rows * d], theta = {1f, -2f, 0.5f};
        java.util.Arrays.fill(q, 1e30f);
        java.util.Arrays.fill(k, 1e30f);
        assertTrue(ProjectionRange.cannotOverflow((f, t, n) -> System.arraycopy(q, f, t, 0, n), 0, rows,
                (f, t, n) -> System.arraycopy(k, f, t, 0, n), 0, rows, d, theta, 0));
        k[(rows + 7) * d + 1] = 3e37f;                          // a key of the second problem only
        assertTrue(ProjectionRange.cannotOverflow((f, t, n) -> System.arraycopy(q, f, t, 0, n), 0, rows,
                (f, t, n) -> System.arraycopy(k, f, t, 0, n), 0, rows, d, theta, 0), "problem 0 does not see problem 1's rows");
        assertFalse(ProjectionRange.cannotOverflow((f, t, n) -> System.arraycopy(q, f, t, 0, n), rows, rows,
                (f, t, n) -> System.arraycopy(k, f, t, 0, n), rows, rows, d, theta, 0));
    }

    @Test
    void aNonFiniteProjectionIsRefusedByRowKeysFirst() {
        InvalidInputException keys = assertThrows(InvalidInputException.class,
                () -> ProjectionRange.requireFinite(new float[] {Float.NaN}, new float[] {0f, Float.POSITIVE_INFINITY}, 2));
        assertTrue(keys.getMessage().startsWith("the projection of key 1 of problem 2, <θ, K_j − c>"), keys.getMessage());
        InvalidInputException queries = assertThrows(InvalidInputException.class,
                () -> ProjectionRange.requireFinite(new float[] {1f, Float.NEGATIVE_INFINITY}, new float[] {0f}, 0));
        assertEquals("the projection of query 1 of problem 0, <θ, Q_j − c>, is beyond float32's range (±3.4e38): "
                + "scale θ down (the ReLU kernel's output does not change; for the bump scale b by the same factor)", queries.getMessage());
    }
}
