package dev.slicedattention.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.slicedattention.error.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every refusal of {@link AttentionBatch} and {@link FiniteCheck}, with its message. */
class AttentionBatchTest {
    // P = 2, m = 3, n = 4, d = 2, e = 5
    private static float[] q() { return new float[2 * 3 * 2]; }
    private static float[] k() { return new float[2 * 4 * 2]; }
    private static float[] v() { return new float[2 * 4 * 5]; }
    private static float[] theta() { return new float[2 * 2]; }

    private static void refused(String message, Executable action) {
        InvalidInputException error = assertThrows(InvalidInputException.class, action);
        assertEquals(message, error.getMessage());
    }

    @Test
    void validBatchKeepsItsArrays() {
        float[] q = q();
        AttentionBatch batch = new AttentionBatch(2, 3, 4, 2, 5, q, k(), v(), theta());
        assertSame(q, batch.q());
        assertEquals(2 * 3 * 5, batch.outputLength());
        assertEquals("AttentionBatch[P=2, m=3, n=4, d=2, e=5, relu]", batch.toString());
    }

    @Test
    void dimensionsMustBePositive() {
        refused("the number of heads P must be at least 1, got 0", () -> new AttentionBatch(0, 3, 4, 2, 5, q(), k(), v(), theta()));
        refused("the number of queries m must be at least 1, got -1", () -> new AttentionBatch(2, -1, 4, 2, 5, q(), k(), v(), theta()));
        refused("the number of keys n must be at least 1, got 0", () -> new AttentionBatch(2, 3, 0, 2, 5, q(), new float[0], new float[0], theta()));
        refused("the key dimension d must be at least 1, got 0", () -> new AttentionBatch(2, 3, 4, 0, 5, q(), k(), v(), theta()));
        refused("the value dimension e must be at least 1, got 0", () -> new AttentionBatch(2, 3, 4, 2, 0, q(), k(), v(), theta()));
    }

    @Test
    void arraysMustMatchTheirShapes() {
        refused("Q holds 11 values but its shape needs 2×3×2 = 12", () -> new AttentionBatch(2, 3, 4, 2, 5, new float[11], k(), v(), theta()));
        refused("K holds 12 values but its shape needs 2×4×2 = 16", () -> new AttentionBatch(2, 3, 4, 2, 5, q(), new float[12], v(), theta()));
        refused("V holds 41 values but its shape needs 2×4×5 = 40", () -> new AttentionBatch(2, 3, 4, 2, 5, q(), k(), new float[41], theta()));
        refused("theta holds 2 values but its shape needs 2×1×2 = 4", () -> new AttentionBatch(2, 3, 4, 2, 5, q(), k(), v(), new float[2]));
        refused("V is missing", () -> new AttentionBatch(2, 3, 4, 2, 5, q(), k(), null, theta()));
        refused("Q would need 4294967296 elements; a Java array holds at most 2147483647: use fewer heads or shorter sequences",
                () -> new AttentionBatch(65536, 65536, 4, 1, 5, new float[0], k(), v(), theta()));
    }

    @Test
    void nonFiniteValuesAreRefusedWithTensorAndFirstIndex() {
        float[] q = q();
        q[2 * 3 * 2 - 1] = Float.NaN;  // [1, 2, 1]
        refused("Q contains NaN at index [1, 2, 1]: inputs must be finite", () -> new AttentionBatch(2, 3, 4, 2, 5, q, k(), v(), theta()));
        float[] k = k();
        k[3] = Float.POSITIVE_INFINITY;  // [0, 1, 1]
        k[9] = Float.NaN;
        refused("K contains +Infinity at index [0, 1, 1]: inputs must be finite", () -> new AttentionBatch(2, 3, 4, 2, 5, q(), k, v(), theta()));
        float[] v = v();
        v[5 * 4 + 7] = Float.NEGATIVE_INFINITY;  // head 1, row 1, column 2
        refused("V contains -Infinity at index [1, 1, 2]: inputs must be finite", () -> new AttentionBatch(2, 3, 4, 2, 5, q(), k(), v, theta()));
        float[] theta = theta();
        theta[2] = Float.NaN;
        refused("theta contains NaN at index [1, 0]: inputs must be finite", () -> new AttentionBatch(2, 3, 4, 2, 5, q(), k(), v(), theta));
    }

    @Test
    void finiteCheckOnDoublesAndIndexFormatting() {
        refused("x.npy contains -Infinity at index [2]: inputs must be finite",
                () -> FiniteCheck.requireFinite("x.npy", new double[] {0, 1, Double.NEGATIVE_INFINITY, Double.NaN}, new int[] {4}));
        FiniteCheck.requireFinite("ok", new double[] {Double.MAX_VALUE, -Double.MIN_VALUE}, new int[] {2});
        FiniteCheck.requireFinite("ok", new float[] {Float.MAX_VALUE, -0f}, new int[] {1, 2});
        assertEquals("[0, 0, 0]", FiniteCheck.formatIndex(0, new int[] {2, 3, 4}));
        assertEquals("[1, 2, 3]", FiniteCheck.formatIndex(23, new int[] {2, 3, 4}));
        assertEquals("[17]", FiniteCheck.formatIndex(17, new int[] {20}));
    }
}
