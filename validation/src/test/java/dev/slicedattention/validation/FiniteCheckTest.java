package dev.slicedattention.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.slicedattention.error.InvalidInputException;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The blocked, vectorised scan finds the first non-finite value wherever it sits, and nothing else. */
class FiniteCheckTest {
    private static final float[] NON_FINITE = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.intBitsToFloat(0xFFC0_0001), Float.intBitsToFloat(0x7F80_0001)};
    private static final float[] EXTREME_FINITE = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -0.0f,
            Float.intBitsToFloat(0x7F7F_FFFF), Float.intBitsToFloat(0x807F_FFFF)};

    @Property(tries = 200)
    void reportsTheFirstNonFiniteValue(@ForAll @IntRange(min = 1, max = 40_000) int length,
                                       @ForAll @IntRange(min = 0, max = 39_999) int first,
                                       @ForAll @IntRange(min = 0, max = 4) int kind) {
        int at = first % length;
        float[] data = new float[length];
        Arrays.fill(data, EXTREME_FINITE[kind]);
        data[at] = NON_FINITE[kind];
        if (at + 1 < length) {
            data[length - 1] = Float.NaN;    // a later one must not be the one reported
        }
        InvalidInputException refused = assertThrows(InvalidInputException.class,
                () -> FiniteCheck.requireFinite("V", data, new int[] {length}));
        assertEquals("V contains " + (Float.isNaN(NON_FINITE[kind]) ? "NaN" : NON_FINITE[kind] > 0 ? "+Infinity" : "-Infinity")
                + " at index [" + at + "]: inputs must be finite", refused.getMessage());
    }

    @Property(tries = 50)
    void acceptsEveryFiniteValue(@ForAll @IntRange(min = 0, max = 40_000) int length, @ForAll @IntRange(min = 0, max = 5) int kind) {
        float[] data = new float[length];
        Arrays.fill(data, EXTREME_FINITE[kind]);
        FiniteCheck.requireFinite("V", data, new int[] {length});
    }

    /** Long enough for the blocks to be scanned in parallel: the first one in index order is reported, not the first found. */
    @Test
    void aLongArrayReportsTheFirstNonFiniteValueInIndexOrder() {
        float[] data = new float[70 * (1 << 14) + 5];
        Arrays.fill(data, 1.0f);
        data[50 * (1 << 14) + 7] = Float.NaN;
        data[20 * (1 << 14) + 3] = Float.POSITIVE_INFINITY;
        data[data.length - 1] = Float.NEGATIVE_INFINITY;
        assertEquals(20 * (1 << 14) + 3, FiniteCheck.firstNonFinite(data));
        data[20 * (1 << 14) + 3] = 2.0f;
        assertEquals(50 * (1 << 14) + 7, FiniteCheck.firstNonFinite(data));
        data[50 * (1 << 14) + 7] = 2.0f;
        assertEquals(data.length - 1, FiniteCheck.firstNonFinite(data));
        data[data.length - 1] = 2.0f;
        assertEquals(-1, FiniteCheck.firstNonFinite(data));
    }

    /** Values read a block at a time (off-heap memory, a mapped file) report the index the array scan reports. */
    @Property(tries = 60)
    void aBlockReaderFindsWhatTheArrayScanFinds(@ForAll @IntRange(min = 0, max = 80 * (1 << 14)) int length,
                                                @ForAll @IntRange(min = 0, max = 3) int bad,
                                                @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE - 1) int seed) {
        float[] data = new float[length];
        Arrays.fill(data, 0.25f);
        java.util.Random random = new java.util.Random(seed);
        for (int i = 0; i < bad && length > 0; i++) {
            data[random.nextInt(length)] = NON_FINITE[random.nextInt(NON_FINITE.length)];
        }
        int[] reads = new int[1];
        int found = FiniteCheck.firstNonFinite(length, (from, target, count) -> {
            synchronized (reads) {
                reads[0]++;
            }
            System.arraycopy(data, from, target, 0, count);
        });
        assertEquals(FiniteCheck.firstNonFinite(data), found);
        if (bad == 0) {
            assertEquals((length + (1 << 14) - 1) >> 14, reads[0], "every block read once when all are finite");
        }
    }

    /**
     * The check returns max|x| from the same pass (the device's projection bound uses it): exact for
     * every sign, zero, subnormal and extreme value, across blocks and parallel parts (over 64 blocks
     * of 2^14), and the same as the reader-based scan; a non-finite value anywhere is still refused.
     */
    @Property(tries = 60)
    void returnsTheLargestMagnitudeFoundInTheSamePass(@ForAll @IntRange(min = 0, max = 1_200_000) int length,
                                                      @ForAll long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        float[] data = new float[length];
        float expected = 0f;
        for (int i = 0; i < length; i++) {
            int pick = random.nextInt(8);
            data[i] = pick < 6 ? (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-30, 30)))
                    : EXTREME_FINITE[random.nextInt(EXTREME_FINITE.length)] * (random.nextBoolean() ? 1 : -1) * (pick == 6 ? 1e-30f : 1f);
            expected = Math.max(expected, Math.abs(data[i]));
        }
        assertEquals(expected, FiniteCheck.requireFinite("K", data, new int[] {length}));
        assertEquals(expected, FiniteCheck.largestMagnitude(0, length, (from, target, count) -> System.arraycopy(data, from, target, 0, count)));
        if (length > 0) {
            int at = random.nextInt(length);
            data[at] = NON_FINITE[random.nextInt(NON_FINITE.length)];
            assertThrows(InvalidInputException.class, () -> FiniteCheck.requireFinite("K", data, new int[] {length}));
        }
    }
}
