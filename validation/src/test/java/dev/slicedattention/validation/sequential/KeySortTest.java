package dev.slicedattention.validation.sequential;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Stage 2 against {@link Arrays#sort(float[])}: same order, a permutation, ties in index order. */
class KeySortTest {

    /** Keys with many duplicates, both zeros, extremes and subnormals. */
    @Provide
    Arbitrary<float[]> keys() {
        Arbitrary<Float> special = Arbitraries.of(0.0f, -0.0f, 1.0f, -1.0f, Float.MIN_VALUE, -Float.MIN_VALUE,
                Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_NORMAL, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY);
        Arbitrary<Float> few = Arbitraries.integers().between(-3, 3).map(i -> i * 0.5f);
        Arbitrary<Float> any = Arbitraries.floats().between(-1e30f, 1e30f);
        Arbitrary<Float> key = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, special), net.jqwik.api.Tuple.of(3, few), net.jqwik.api.Tuple.of(5, any));
        return key.array(float[].class).ofMinSize(1).ofMaxSize(400);
    }

    @Property(tries = 1000)
    void sortsLikeArraysSortAsAStablePermutation(@ForAll("keys") float[] keys) {
        float[] original = keys.clone();
        KeySort.SortedKeys sorted = KeySort.sort(keys);
        assertArrayEquals(original, keys, "the input must not change");
        int n = keys.length;

        boolean[] seen = new boolean[n];
        for (int index : sorted.perm()) {
            assertTrue(index >= 0 && index < n && !seen[index], "perm is not a permutation: " + Arrays.toString(sorted.perm()));
            seen[index] = true;
        }

        float[] expected = keys.clone();
        Arrays.sort(expected);
        for (int k = 0; k < n; k++) {
            // == treats -0.0 and +0.0 as one key, as the pipeline does; Arrays.sort orders -0.0 first.
            assertTrue(sorted.tau()[k] == expected[k], "tau[" + k + "] = " + sorted.tau()[k] + ", expected " + expected[k]);
            assertTrue(sorted.tau()[k] == keys[sorted.perm()[k]], "tau[k] != keys[perm[k]] at " + k);
            if (k > 0 && sorted.tau()[k - 1] == sorted.tau()[k]) {
                assertTrue(sorted.perm()[k - 1] < sorted.perm()[k], "tie not in index order at " + k);
            }
        }
    }

    @Test
    void bothZerosAreOneKeyAndComeOutAsPlusZeroInIndexOrder() {
        KeySort.SortedKeys sorted = KeySort.sort(new float[] {0.0f, -0.0f, 1.0f, -0.0f, 0.0f, -1.0f});
        assertArrayEquals(new int[] {5, 0, 1, 3, 4, 2}, sorted.perm());
        for (int k = 1; k <= 4; k++) {
            assertEquals(Float.floatToRawIntBits(0.0f), Float.floatToRawIntBits(sorted.tau()[k]), "tau[" + k + "] must be +0.0");
        }
    }

    @Test
    void allEqualKeysKeepTheirOrder() {
        float[] keys = new float[1000];
        Arrays.fill(keys, 3.25f);
        KeySort.SortedKeys sorted = KeySort.sort(keys);
        for (int k = 0; k < keys.length; k++) {
            assertEquals(k, sorted.perm()[k]);
            assertEquals(3.25f, sorted.tau()[k]);
        }
    }

    @Test
    void singleKey() {
        KeySort.SortedKeys sorted = KeySort.sort(new float[] {-7f});
        assertArrayEquals(new int[] {0}, sorted.perm());
        assertArrayEquals(new float[] {-7f}, sorted.tau());
    }

    @Property(tries = 2000)
    void sortableBitsPreserveOrderAndRoundTrip(@ForAll float a, @ForAll float b) {
        if (Float.isNaN(a) || Float.isNaN(b)) {
            return; // NaN never reaches the sort: AttentionBatch refuses it
        }
        assertEquals(Float.compare(a == 0f ? 0f : a, b == 0f ? 0f : b),
                Integer.signum(Integer.compare(KeySort.sortableBits(a), KeySort.sortableBits(b))));
        assertEquals(Float.floatToRawIntBits(a == 0f ? 0f : a),
                Float.floatToRawIntBits(KeySort.fromSortableBits(KeySort.sortableBits(a))));
    }

    @Test
    void packThenUnpackOfASortedArrayIsTheSort() {
        float[] keys = {2f, -3f, 2f, 0.5f};
        long[] packed = KeySort.pack(keys);
        Arrays.sort(packed);
        KeySort.SortedKeys sorted = KeySort.unpack(packed);
        assertArrayEquals(new float[] {-3f, 0.5f, 2f, 2f}, sorted.tau());
        assertArrayEquals(new int[] {1, 3, 0, 2}, sorted.perm());
    }
}
