package dev.slicedattention.validation.sequential;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Stage 4 against a linear count #{j : τ_j &lt; s}. */
class RankTest {
    /** Values on a coarse grid so that queries often equal keys exactly. */
    @Provide
    Arbitrary<float[]> values() {
        Arbitrary<Float> grid = Arbitraries.integers().between(-20, 20).map(i -> i * 0.25f);
        Arbitrary<Float> any = Arbitraries.floats().between(-10f, 10f);
        return Arbitraries.oneOf(grid, any).array(float[].class).ofMinSize(1).ofMaxSize(400);
    }

    @Property(tries = 1500)
    void ranksAreLinearCounts(@ForAll("values") float[] keys, @ForAll("values") float[] queries) {
        float[] tau = keys.clone();
        Arrays.sort(tau);
        int[] ranks = Rank.ranks(queries, tau, tau.length);
        for (int i = 0; i < queries.length; i++) {
            assertEquals(countBelow(tau, tau.length, queries[i]), ranks[i], "query " + queries[i]);
        }
    }

    @Property(tries = 500)
    void onlyTheFirstNKeysCount(@ForAll("values") float[] keys, @ForAll("values") float[] queries) {
        float[] tau = keys.clone();
        Arrays.sort(tau);
        int n = (tau.length + 1) / 2; // the rest is padding, as on a device
        for (float query : queries) {
            assertEquals(countBelow(tau, n, query), Rank.lowerBound(tau, n, query));
        }
    }

    @Test
    void tiesAndEnds() {
        float[] tau = {-1f, 0f, 0f, 0f, 2f};
        assertArrayEquals(new int[] {0, 0, 1, 1, 4, 4, 5}, Rank.ranks(new float[] {-5f, -1f, -0.5f, 0f, 1f, 2f, 3f}, tau, 5));
        assertEquals(1, Rank.lowerBound(tau, 5, -0.0f), "-0.0 ranks like +0.0");
    }

    private static int countBelow(float[] tau, int n, float value) {
        int count = 0;
        for (int j = 0; j < n; j++) {
            if (tau[j] < value) {
                count++;
            }
        }
        return count;
    }
}
