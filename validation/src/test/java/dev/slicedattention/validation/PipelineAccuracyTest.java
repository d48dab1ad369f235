package dev.slicedattention.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.validation.sequential.SequentialPipeline;
import dev.slicedattention.validation.sequential.SequentialPipeline64;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The float32 sequential path and the float64 pipeline against the float64 naive reference, on
 * generated problems of every kind (SPEC §6's relative error, as judged by {@link TolerancePolicy}),
 * for both kernels, with and without ragged lengths.
 */
class PipelineAccuracyTest {
    /** Work budget P·m·n·e per case: keeps the O(m·n·e) naive reference at about a millisecond. */
    private static final long WORK_BUDGET = 1_000_000;

    /**
     * One generated problem. {@code bandwidthFactor} sets the bump's b relative to the spread of the
     * projected keys (b is absolute, so it must follow the data's scale); 0 selects the ReLU kernel.
     * {@code ragged} gives every problem random key and query lengths.
     */
    record Case(InputGenerator generator, Shape shape, long seed, double bandwidthFactor, boolean ragged) {
        AttentionBatch batch() {
            AttentionBatch plain = generator.generate(shape, seed);
            return plain.withOptions(optionsFor(plain));
        }

        AttentionOptions optionsFor(AttentionBatch batch) {
            java.util.SplittableRandom random = new java.util.SplittableRandom(seed ^ 0x5eed);
            AttentionOptions options = AttentionOptions.relu();
            if (bandwidthFactor > 0) {
                float[] bandwidth = new float[shape.heads()];
                for (int p = 0; p < bandwidth.length; p++) {
                    bandwidth[p] = (float) (bandwidthFactor * projectionSpread(batch, p));
                }
                options = AttentionOptions.bump(bandwidth);
            }
            if (ragged) {
                int[] keys = new int[shape.heads()], queries = new int[shape.heads()];
                for (int p = 0; p < keys.length; p++) {
                    keys[p] = 1 + random.nextInt(shape.n());
                    queries[p] = 1 + random.nextInt(shape.m());
                }
                options = options.withKeyLengths(keys).withQueryLengths(queries);
            }
            return options;
        }
    }

    /** The standard deviation of problem p's projected keys and queries together (1 when they are all equal). */
    static double projectionSpread(AttentionBatch batch, int p) {
        int d = batch.d();
        double sum = 0, squares = 0;
        int count = 0;
        for (float[] rows : new float[][] {batch.k(), batch.q()}) {
            int rowCount = rows == batch.k() ? batch.n() : batch.m();
            for (int i = 0; i < rowCount; i++) {
                double dot = 0;
                for (int c = 0; c < d; c++) {
                    dot += (double) batch.theta()[p * d + c] * rows[(p * rowCount + i) * d + c];
                }
                sum += dot;
                squares += dot * dot;
                count++;
            }
        }
        double mean = sum / count;
        double spread = Math.sqrt(Math.max(0, squares / count - mean * mean));
        return spread > 1e-6 * Math.abs(mean) && spread > 0 ? spread : Math.max(Math.abs(mean), 1.0);
    }

    /** Every generator, P ≥ 1, m and n in [from, to] (mostly not powers of two), d and e varied. */
    private static Arbitrary<Case> cases(int from, int to) {
        Arbitrary<Integer> length = Arbitraries.integers().between(from, to);
        return Combinators.combine(
                Arbitraries.of(InputGenerator.class),
                Arbitraries.integers().between(1, 4),
                length,
                length,
                Arbitraries.integers().between(1, 48),
                Arbitraries.integers().between(1, 12),
                // The variant picks the kernel and b (ReLU twice as often) and, one time in three, ragged lengths.
                Arbitraries.integers().between(0, 14)).as((generator, heads, m, n, d, e, variant) -> {
                    // Shrink m (not n: n drives the error) until the naive reference fits the budget.
                    long maxM = Math.max(1, WORK_BUDGET / ((long) heads * n * e));
                    int queries = (int) Math.min(m, maxM);
                    double factor = new double[] {0, 0, 0.25, 1, 4}[variant % 5];
                    long seed = 31L * variant + ((long) n << 20) + ((long) m << 8) + d * 7L + e + heads;
                    return new Case(generator, new Shape(heads, queries, n, d, e), seed, factor, variant / 5 == 2);
                });
    }

    @Provide
    Arbitrary<Case> small() {
        return cases(1, 64);
    }

    @Provide
    Arbitrary<Case> medium() {
        return cases(65, 700);
    }

    @Provide
    Arbitrary<Case> large() {
        return cases(701, 3000);
    }

    /** Any size, for the properties that are not about accuracy at a given n. */
    @Provide
    Arbitrary<Case> cases() {
        return Arbitraries.frequencyOf(Tuple.of(80, small()), Tuple.of(17, medium()), Tuple.of(3, large()));
    }

    private static void float32MatchesReference(Case c) {
        AttentionBatch batch = c.batch();
        float[] out = SequentialPipeline.forward(batch);
        assertEquals(batch.outputLength(), out.length);
        assertAllFinite(out, c);
        ErrorMetrics error = ErrorMetrics.compare(out, NaiveReference.attend(batch), batch);
        assertTrue(error.relativeError() <= 1e-5, () -> c + ": " + error);
        assertTrue(TolerancePolicy.SEQUENTIAL_FLOAT32.accepts(error, batch.n()), () -> c + ": " + error);
    }

    private static void float64MatchesReference(Case c) {
        AttentionBatch batch = c.batch();
        ErrorMetrics error = ErrorMetrics.compare(SequentialPipeline64.forward(batch), NaiveReference.attend(batch), batch);
        assertTrue(error.relativeError() <= 1e-12, () -> c + ": " + error);
    }

    @Property(tries = 2000)
    void float32PathMatchesTheNaiveReferenceSmall(@ForAll("small") Case c) {
        float32MatchesReference(c);
    }

    @Property(tries = 300)
    void float32PathMatchesTheNaiveReferenceMedium(@ForAll("medium") Case c) {
        float32MatchesReference(c);
    }

    @Property(tries = 60)
    void float32PathMatchesTheNaiveReferenceLarge(@ForAll("large") Case c) {
        float32MatchesReference(c);
    }

    @Property(tries = 1000)
    void float64PipelineMatchesTheNaiveReferenceSmall(@ForAll("small") Case c) {
        float64MatchesReference(c);
    }

    @Property(tries = 150)
    void float64PipelineMatchesTheNaiveReferenceMedium(@ForAll("medium") Case c) {
        float64MatchesReference(c);
    }

    @Property(tries = 40)
    void float64PipelineMatchesTheNaiveReferenceLarge(@ForAll("large") Case c) {
        float64MatchesReference(c);
    }

    /**
     * SPEC §3: shifting Q and K together (1e3 and more, per coordinate or shared) and scaling any
     * tensor must not cost accuracy. Scales stay where the projected scalars are float32 numbers.
     */
    @Property(tries = 500)
    void accuracySurvivesShiftsAndScales(@ForAll("cases") Case c,
                                         @ForAll @IntRange(min = -1, max = 4) int offsetExponent,
                                         @ForAll boolean perCoordinateOffset,
                                         @ForAll @IntRange(min = -10, max = 10) int keyScale,
                                         @ForAll @IntRange(min = -10, max = 10) int thetaScale,
                                         @ForAll @IntRange(min = -20, max = 20) int valueScale) {
        AttentionBatch base = c.batch();
        float offset = offsetExponent < 0 ? 0f : (float) Math.pow(10, offsetExponent) * Math.signum(c.seed() | 1);
        float[] q = base.q().clone(), k = base.k().clone(), v = base.v().clone(), theta = base.theta().clone();
        int d = base.d();
        float qk = (float) Math.pow(10, keyScale), th = (float) Math.pow(10, thetaScale), vs = (float) Math.pow(10, valueScale);
        for (int i = 0; i < q.length; i++) {
            q[i] = q[i] * qk + offset * (perCoordinateOffset ? 1 + i % d : 1);
        }
        for (int i = 0; i < k.length; i++) {
            k[i] = k[i] * qk + offset * (perCoordinateOffset ? 1 + i % d : 1);
        }
        for (int i = 0; i < v.length; i++) {
            v[i] *= vs;
        }
        for (int i = 0; i < theta.length; i++) {
            theta[i] *= th;
        }
        AttentionBatch plain = new AttentionBatch(base.heads(), base.m(), base.n(), d, base.e(), q, k, v, theta);
        AttentionBatch batch = plain.withOptions(c.optionsFor(plain));
        float[] out = SequentialPipeline.forward(batch);
        assertAllFinite(out, c);
        ErrorMetrics error = ErrorMetrics.compare(out, NaiveReference.attend(batch), batch);
        assertTrue(error.relativeError() <= 1e-5, () -> c + " offset=" + offset + ": " + error);
    }

    /** The long end of the target: n about 4096, several heads, every generator. */
    @ParameterizedTest
    @EnumSource(InputGenerator.class)
    void float32PathAtFourThousandKeys(InputGenerator generator) {
        for (Shape shape : new Shape[] {new Shape(2, 700, 4096, 32, 8), new Shape(1, 4096, 4093, 17, 3)}) {
            for (double factor : new double[] {0, 0.25, 1}) {
                atFourThousandKeys(new Case(generator, shape, 4096L + shape.m(), factor, shape.heads() > 1));
            }
        }
    }

    private static void atFourThousandKeys(Case c) {
        Shape shape = c.shape();
        InputGenerator generator = c.generator();
        {
            AttentionBatch batch = c.batch();
            double[] reference = NaiveReference.attend(batch);
            ErrorMetrics error = ErrorMetrics.compare(SequentialPipeline.forward(batch), reference, batch);
            assertTrue(error.relativeError() <= 1e-5, () -> generator + " " + shape + ": " + error);
            ErrorMetrics error64 = ErrorMetrics.compare(SequentialPipeline64.forward(batch), reference, batch);
            assertTrue(error64.relativeError() <= 1e-12, () -> generator + " " + shape + " float64: " + error64);
        }
    }

    /** Heads are independent: head p of a batch equals the same problem run alone. */
    @Property(tries = 200)
    void headsAreIndependent(@ForAll("cases") Case c) {
        AttentionBatch batch = c.batch();
        float[] all = SequentialPipeline.forward(batch);
        int m = batch.m(), n = batch.n(), d = batch.d(), e = batch.e();
        int p = batch.heads() - 1;
        AttentionOptions options = batch.kernel() == Kernel.BUMP ? AttentionOptions.bump(batch.bandwidth(p)) : AttentionOptions.relu();
        AttentionBatch alone = new AttentionBatch(1, m, n, d, e,
                java.util.Arrays.copyOfRange(batch.q(), p * m * d, (p + 1) * m * d),
                java.util.Arrays.copyOfRange(batch.k(), p * n * d, (p + 1) * n * d),
                java.util.Arrays.copyOfRange(batch.v(), p * n * e, (p + 1) * n * e),
                java.util.Arrays.copyOfRange(batch.theta(), p * d, (p + 1) * d))
                .withOptions(options.withKeyLengths(batch.keyLength(p)).withQueryLengths(batch.queryLength(p)));
        float[] single = SequentialPipeline.forward(alone);
        assertTrue(java.util.Arrays.equals(single, java.util.Arrays.copyOfRange(all, p * m * e, (p + 1) * m * e)), c::toString);
    }

    @org.junit.jupiter.api.Test
    void keysNearFloatMaxKeepTheirOrder() {
        // max|t| ≥ 2^127: the prefix-sum scale σ must stay finite (it once became +∞ and zeroed every key).
        AttentionBatch batch = new AttentionBatch(1, 3, 3, 1, 1, new float[] {3.3e38f, -3.3e38f, 1e38f},
                new float[] {3.0e38f, -3.0e38f, 0f}, new float[] {1f, 2f, 6f}, new float[] {1f});
        float[] out = SequentialPipeline.forward(batch);
        ErrorMetrics error = ErrorMetrics.compare(out, NaiveReference.attend(batch), batch);
        assertTrue(error.relativeError() <= 1e-5, () -> java.util.Arrays.toString(out) + " " + error);
    }

    private static void assertAllFinite(float[] out, Case c) {
        for (int i = 0; i < out.length; i++) {
            int index = i;
            assertTrue(Float.isFinite(out[i]), () -> c + ": output " + index + " is " + out[index]);
        }
    }
}
