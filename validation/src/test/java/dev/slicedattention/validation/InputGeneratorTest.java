package dev.slicedattention.validation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Generators: reproducible, the right shapes, and each with the property that defines it. */
class InputGeneratorTest {
    private static final Shape SHAPE = new Shape(3, 37, 501, 12, 5);

    @Property(tries = 300)
    void sameSeedSameBatchAnyShape(@ForAll InputGenerator generator,
                                   @ForAll @IntRange(min = 1, max = 3) int heads,
                                   @ForAll @IntRange(min = 1, max = 70) int m,
                                   @ForAll @IntRange(min = 1, max = 70) int n,
                                   @ForAll @IntRange(min = 1, max = 9) int d,
                                   @ForAll @IntRange(min = 1, max = 9) int e,
                                   @ForAll long seed) {
        Shape shape = new Shape(heads, m, n, d, e);
        AttentionBatch a = generator.generate(shape, seed);
        AttentionBatch b = generator.generate(shape, seed);
        assertEquals(heads * m * d, a.q().length, "Q is [P, m, d]");
        assertEquals(heads * n * d, a.k().length, "K is [P, n, d]");
        assertEquals(heads * n * e, a.v().length, "V is [P, n, e]");
        assertEquals(heads * d, a.theta().length, "theta is [P, d]");
        assertEquals(shape, new Shape(a.heads(), a.m(), a.n(), a.d(), a.e()));
        assertArrayEquals(a.q(), b.q());
        assertArrayEquals(a.k(), b.k());
        assertArrayEquals(a.v(), b.v());
        assertArrayEquals(a.theta(), b.theta());
    }

    @ParameterizedTest
    @EnumSource(InputGenerator.class)
    void differentSeedsDifferentBatches(InputGenerator generator) {
        AttentionBatch a = generator.generate(SHAPE, 1);
        AttentionBatch b = generator.generate(SHAPE, 2);
        assertFalse(Arrays.equals(a.q(), b.q()));
        assertFalse(Arrays.equals(a.v(), b.v()));
        assertFalse(Arrays.equals(a.theta(), b.theta()));
        if (generator != InputGenerator.ALL_KEYS_EQUAL) {
            assertFalse(Arrays.equals(a.k(), b.k()));
        }
    }

    @Test
    void generatorsDrawDifferentStreamsForOneSeed() {
        assertFalse(Arrays.equals(InputGenerator.GAUSSIAN.generate(SHAPE, 7).v(), InputGenerator.HEAVY_TAILED.generate(SHAPE, 7).v()));
        assertFalse(Arrays.equals(InputGenerator.GAUSSIAN.generate(SHAPE, 7).q(), InputGenerator.KEYS_SORTED.generate(SHAPE, 7).q()));
    }

    private static double[] projected(AttentionBatch b, float[] rows, int p, int count) {
        return NaiveReference.project(rows, p * count, count, b.theta(), p * b.d(), b.d());
    }

    @Test
    void manyTiesHasFewDistinctKeysAndQueriesOnThem() {
        AttentionBatch b = InputGenerator.MANY_TIES.generate(SHAPE, 5);
        for (int p = 0; p < b.heads(); p++) {
            double[] t = projected(b, b.k(), p, b.n());
            double[] s = projected(b, b.q(), p, b.m());
            Set<Double> distinct = new HashSet<>();
            for (double key : t) {
                distinct.add(key);
            }
            assertTrue(distinct.size() <= 4, "head " + p + " has " + distinct.size() + " distinct keys");
            int tied = 0;
            for (double query : s) {
                tied += distinct.contains(query) ? 1 : 0;
            }
            assertTrue(tied >= b.m() / 2, "head " + p + ": only " + tied + " queries tie a key");
        }
    }

    @Test
    void allKeysEqualHasOneKeyAndQueryZeroOnIt() {
        AttentionBatch b = InputGenerator.ALL_KEYS_EQUAL.generate(SHAPE, 5);
        for (int p = 0; p < b.heads(); p++) {
            double[] t = projected(b, b.k(), p, b.n());
            for (double key : t) {
                assertEquals(t[0], key, 0.0);
            }
            assertEquals(t[0], projected(b, b.q(), p, b.m())[0], 0.0);
        }
    }

    @Test
    void sortedAndReversedKeys() {
        for (InputGenerator generator : new InputGenerator[] {InputGenerator.KEYS_SORTED, InputGenerator.KEYS_REVERSED}) {
            AttentionBatch b = generator.generate(SHAPE, 5);
            for (int p = 0; p < b.heads(); p++) {
                double[] t = projected(b, b.k(), p, b.n());
                for (int j = 1; j < t.length; j++) {
                    boolean ordered = generator == InputGenerator.KEYS_SORTED ? t[j - 1] <= t[j] : t[j - 1] >= t[j];
                    assertTrue(ordered, generator + " head " + p + " at " + j);
                }
            }
        }
        // GAUSSIAN keys are not sorted: the property above is not an accident.
        double[] t = projected(InputGenerator.GAUSSIAN.generate(SHAPE, 5), InputGenerator.GAUSSIAN.generate(SHAPE, 5).k(), 0, SHAPE.n());
        double[] sortedT = t.clone();
        Arrays.sort(sortedT);
        assertFalse(Arrays.equals(t, sortedT));
    }

    @Test
    void scalesAndOffsets() {
        AttentionBatch offset = InputGenerator.SHARED_OFFSET.generate(SHAPE, 5);
        assertEquals(1e3, mean(offset.q()), 0.2);
        assertEquals(1e3, mean(offset.k()), 0.2);
        assertEquals(0, mean(offset.v()), 0.2);
        assertEquals(1.0, rms(offset.v()), 0.1);
        assertEquals(1e6, rms(InputGenerator.LARGE_SCALE.generate(SHAPE, 5).k()), 1e5);
        assertEquals(1e6, rms(InputGenerator.LARGE_SCALE.generate(SHAPE, 5).v()), 1e5);
        assertEquals(1e-6, rms(InputGenerator.TINY_SCALE.generate(SHAPE, 5).q()), 1e-7);
        assertEquals(1e-6, rms(InputGenerator.TINY_SCALE.generate(SHAPE, 5).theta()), 3e-7);
        assertEquals(1.0, rms(InputGenerator.GAUSSIAN.generate(SHAPE, 5).k()), 0.1);
    }

    @Test
    void heavyTailedHasOutliersGaussianHasNot() {
        Shape shape = new Shape(1, 8, 4096, 8, 8);
        assertTrue(tailRatio(InputGenerator.HEAVY_TAILED.generate(shape, 5).v()) > 50, "heavy tails");
        assertTrue(tailRatio(InputGenerator.GAUSSIAN.generate(shape, 5).v()) < 10, "gaussian tails");
    }

    @Test
    void parseAcceptsWhatUsersTypeAndNamesTheChoicesOtherwise() {
        assertEquals(InputGenerator.MANY_TIES, InputGenerator.parse("many-ties"));
        assertEquals(InputGenerator.MANY_TIES, InputGenerator.parse(" MANY_TIES "));
        assertEquals(InputGenerator.KEYS_REVERSED, InputGenerator.parse("Keys-Reversed"));
        for (InputGenerator generator : InputGenerator.values()) {
            assertEquals(generator, InputGenerator.parse(generator.cliName()));
            assertFalse(generator.description().isBlank());
        }
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> InputGenerator.parse("uniform"));
        assertEquals("unknown generator 'uniform'; known: gaussian, shared-offset, large-scale, tiny-scale, heavy-tailed, "
                + "many-ties, all-keys-equal, keys-sorted, keys-reversed", unknown.getMessage());
        assertEquals(InputGenerator.values().length, InputGenerator.names().split(", ").length);
    }

    @Test
    void shapeRefusesEmptyDimensions() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new Shape(2, 3, 0, 4, 5));
        assertEquals("every dimension must be at least 1: P=2 m=3 n=0 d=4 e=5", bad.getMessage());
        assertEquals(new Shape(1, 9, 9, 4, 2), Shape.square(9, 4, 2));
        assertEquals("P=1 m=9 n=9 d=4 e=2", Shape.square(9, 4, 2).toString());
    }

    private static double mean(float[] data) {
        double sum = 0;
        for (float x : data) {
            sum += x;
        }
        return sum / data.length;
    }

    private static double rms(float[] data) {
        double sum = 0;
        for (float x : data) {
            sum += (double) x * x;
        }
        return Math.sqrt(sum / data.length);
    }

    /** The largest magnitude over the median magnitude. */
    private static double tailRatio(float[] data) {
        double[] magnitudes = new double[data.length];
        for (int i = 0; i < data.length; i++) {
            magnitudes[i] = Math.abs(data[i]);
        }
        Arrays.sort(magnitudes);
        return magnitudes[magnitudes.length - 1] / magnitudes[magnitudes.length / 2];
    }
}
