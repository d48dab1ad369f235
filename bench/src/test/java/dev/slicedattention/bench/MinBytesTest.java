package dev.slicedattention.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The byte floors against hand-counted values for one small shape. */
class MinBytesTest {
    @Test
    void stagesCountEveryInputAndOutputOnce() {
        // P = 2, m = 3, n = 5, d = 7, e = 11; 4 bytes a value.
        assertEquals(4L * 2 * (3 * 7 + 5 * 7 + 5 * 11 + 7 + 3 + 5 + 11), MinBytes.projection(2, 3, 5, 7, 11));
        assertEquals(4L * 2 * 15, MinBytes.sort(2, 5));
        assertEquals(4L * 2 * (10 + 55 + 11 + 2 * 6 * 11 + 6), MinBytes.prefixSum(2, 5, 11));
        assertEquals(4L * 2 * (6 + 5), MinBytes.rank(2, 3, 5));
        assertEquals(4L * 2 * (9 + 2 * 33 + 1 + 33), MinBytes.combine(2, 3, 11));
        assertEquals(MinBytes.projection(2, 3, 5, 7, 11) + MinBytes.sort(2, 5) + MinBytes.prefixSum(2, 5, 11)
                + MinBytes.rank(2, 3, 5) + MinBytes.combine(2, 3, 11), MinBytes.forward(2, 3, 5, 7, 11));
        assertEquals(MinBytes.forward(2, 3, 5, 7, 11), MinBytes.of("forwardDevice", 2, 3, 5, 7, 11));
        assertEquals(4L * 2 * (21 + 35 + 55 + 33), MinBytes.softmax(2, 3, 5, 7, 11));
        assertEquals(8L * 100, MinBytes.copy(100));
        assertEquals(12L * 100, MinBytes.triad(100));
    }

    @Test
    void unknownStageIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MinBytes.of("gather", 1, 1, 1, 1, 1));
        assertEquals("no byte formula for stage 'gather'", e.getMessage());
    }

    @Test
    void largeShapesDoNotOverflow() {
        // n = 2^22, d = e = 64, P = 64: ~10^11 bytes, beyond int.
        assertEquals(4L * 64 * 3 * (1L << 22), MinBytes.sort(64, 1L << 22));
    }
}
