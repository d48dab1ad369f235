package dev.slicedattention.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.Backend;
import dev.slicedattention.BackendInfo;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.jvm.par.ParallelKeySort;
import dev.slicedattention.jvm.par.ParallelProjection;
import dev.slicedattention.jvm.par.ParallelRanks;
import dev.slicedattention.jvm.par.Workers;
import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.ErrorMetrics;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.NaiveReference;
import dev.slicedattention.validation.Shape;
import dev.slicedattention.validation.SoftmaxReference;
import dev.slicedattention.validation.sequential.KeySort;
import dev.slicedattention.validation.sequential.PrefixSums;
import dev.slicedattention.validation.sequential.Projection;
import dev.slicedattention.validation.sequential.Rank;
import dev.slicedattention.validation.sequential.SequentialPipeline;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** jvm-par against the float64 reference and against the sequential path, stage by stage and whole. */
class JvmParallelBackendTest {
    // Three workers even on a 2-core machine, so that uneven splits and merges of runs are exercised.
    private static final Workers WORKERS = new Workers(3);

    @AfterAll
    static void shutdown() {
        WORKERS.shutdown();
    }

    @ParameterizedTest
    @EnumSource(InputGenerator.class)
    void everyGeneratorMeetsTheFloat32TargetAgainstTheFloat64Reference(InputGenerator generator) {
        for (Shape shape : new Shape[] {new Shape(1, 1, 1, 3, 2), new Shape(3, 37, 1000, 16, 8),
                new Shape(1, 4096, 4096, 32, 16), new Shape(2, 300, 40_001, 8, 4)}) {
            AttentionBatch batch = generator.generate(shape, 11);
            ErrorMetrics error = ErrorMetrics.compare(forward(batch), NaiveReference.attend(batch), batch);
            assertTrue(error.relativeError() <= 1e-5, generator + " " + shape + ": " + error);
        }
    }

    @Property(tries = 60)
    void agreesWithTheSequentialPathToFloat32RoundOff(@ForAll @IntRange(min = 1, max = 3) int heads,
                                                      @ForAll @IntRange(min = 1, max = 700) int m,
                                                      @ForAll @IntRange(min = 1, max = 70_000) int n,
                                                      @ForAll @IntRange(min = 1, max = 9) int d,
                                                      @ForAll @IntRange(min = 1, max = 5) int e,
                                                      @ForAll @IntRange(min = 0, max = 8) int generatorIndex,
                                                      @ForAll long seed) {
        InputGenerator generator = InputGenerator.values()[generatorIndex % InputGenerator.values().length];
        AttentionBatch batch = generator.generate(new Shape(heads, m, n, d, e), seed);
        float[] parallel = forward(batch);
        float[] sequential = SequentialPipeline.forward(batch);
        double[] widened = new double[sequential.length];
        for (int i = 0; i < sequential.length; i++) {
            widened[i] = sequential[i];
        }
        // Only the order of the float64 block sums differs, so the two agree to a few float32 ulps of
        // the output scale; ErrorMetrics' value-scale floor covers outputs that cancel to noise (all keys equal).
        ErrorMetrics error = ErrorMetrics.compare(parallel, widened, batch);
        assertTrue(error.relativeError() <= 1e-6, generator + " P=" + heads + " m=" + m + " n=" + n + " d=" + d + " e=" + e + ": " + error);
    }

    @Test
    void parallelSortIsArraysSortOfThePackedPairs() {
        Random random = new Random(5);
        for (int n : new int[] {1, 2, 3, 16_383, 16_384, 65_537, 200_001}) {
            float[] keys = new float[n];
            for (int j = 0; j < n; j++) {
                // Few distinct values: many ties, which must come out in index order.
                keys[j] = random.nextInt(50) - 25 + (random.nextBoolean() ? -0.0f : 0.0f);
            }
            KeySort.SortedKeys expected = KeySort.sort(keys);
            KeySort.SortedKeys actual = ParallelKeySort.sort(WORKERS, keys);
            assertArrayEquals(expected.perm(), actual.perm(), "n=" + n);
            assertArrayEquals(expected.tau(), actual.tau(), "n=" + n);
        }
    }

    @Test
    void radixSortOrdersPackedPairsLikeArraysSort() {
        Random random = new Random(9);
        for (int n : new int[] {5, 4095, 4096, 100_003, 300_000}) {
            // Keys over the whole int range (every digit, both signs) and a narrow range (skipped passes, ties).
            for (boolean narrow : new boolean[] {false, true}) {
                long[] values = new long[n];
                for (int j = 0; j < n; j++) {
                    int key = narrow ? random.nextInt(7) - 3 : random.nextInt();
                    values[j] = ((long) key << 32) | j;
                }
                long[] expected = values.clone();
                Arrays.sort(expected);
                assertArrayEquals(expected, ParallelKeySort.sortPacked(WORKERS, values.clone()), "n=" + n + " narrow=" + narrow);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(InputGenerator.class)
    void projectionIsBitIdenticalToTheSequentialRows(InputGenerator generator) {
        // 4099 rows: the four-row kernel plus a remainder of three single rows in the last chunk.
        AttentionBatch batch = generator.generate(new Shape(2, 4099, 4099, 37, 3), 21);
        int n = batch.n(), d = batch.d();
        float[] centre = Projection.centre(batch.k(), n, n, d);
        float[] expected = Projection.project(batch.q(), batch.m(), batch.m(), d, batch.theta(), d, centre);
        float[] actual = ParallelProjection.project(WORKERS, batch.q(), batch.m(), batch.m(), d, batch.theta(), d, centre);
        assertArrayEquals(expected, actual);
        assertArrayEquals(centre, ParallelProjection.centre(WORKERS, batch.k(), n, n, d));
    }

    /** μ and ν in one pass: ν is the batch's own value scale, μ the float64 column means, for each problem of a ragged batch. */
    @ParameterizedTest
    @EnumSource(InputGenerator.class)
    void columnStatisticsAreTheBatchsMeanAndScale(InputGenerator generator) {
        AttentionBatch batch = generator.generate(new Shape(3, 5, 3001, 2, 37), 8)
                .withOptions(dev.slicedattention.validation.AttentionOptions.relu().withKeyLengths(3001, 1, 1200));
        int e = batch.e();
        for (int p = 0; p < batch.heads(); p++) {
            int rows = batch.keyLength(p), first = p * batch.n();
            dev.slicedattention.jvm.par.InputRows values = dev.slicedattention.jvm.par.InputRows.of(batch.v(), e);
            ParallelProjection.ColumnStatistics stats = ParallelProjection.columnStatistics(WORKERS, values, first, rows, true);
            assertEquals(batch.valueScale(p), stats.scale());
            for (int col = 0; col < e; col++) {
                double sum = 0;
                for (int j = first; j < first + rows; j++) {
                    sum += batch.v()[j * e + col];
                }
                assertEquals(sum / rows, stats.mean()[col], 1e-12 * Math.max(1, Math.abs(sum / rows)), "column " + col);
            }
            assertNull(ParallelProjection.columnStatistics(WORKERS, values, first, rows, false).mean());
        }
    }

    @Test
    void ranksInSortedQueryOrderAreTheLowerBounds() {
        Random random = new Random(3);
        float[] tau = new float[70_001];
        for (int j = 0; j < tau.length; j++) {
            tau[j] = random.nextInt(1000) - 500; // ties among keys
        }
        Arrays.sort(tau);
        float[] queries = new float[50_000];
        for (int i = 0; i < queries.length; i++) {
            // Queries equal to keys, between them, and beyond both ends.
            queries[i] = random.nextInt(1100) - 550 + (random.nextBoolean() ? 0.5f : 0.0f);
        }
        ParallelRanks.SortedRanks ranks = ParallelRanks.ranks(WORKERS, queries, tau, tau.length);
        boolean[] seen = new boolean[queries.length];
        for (int k = 0; k < queries.length; k++) {
            int i = ranks.order()[k];
            seen[i] = true;
            assertEquals(Rank.lowerBound(tau, tau.length, queries[i]), ranks.rank()[k], "query " + i);
            if (k > 0) {
                assertTrue(queries[ranks.order()[k - 1]] <= queries[i], "order at " + k);
            }
        }
        for (boolean s : seen) {
            assertTrue(s, "order is not a permutation");
        }
    }

    @Test
    void oneEngineReusedAcrossShapesMatchesTheSequentialPath() {
        // The engine keeps scratch arrays between calls; stale contents must never leak into a result.
        Shape[] shapes = {new Shape(2, 500, 9000, 8, 6), new Shape(1, 30, 40, 3, 6), new Shape(2, 500, 9000, 8, 6),
                new Shape(3, 7, 9000, 5, 6)};
        try (Backend backend = SlicedAttention.open(JvmParallelProvider.NAME)) {
            for (int r = 0; r < shapes.length; r++) {
                AttentionBatch batch = InputGenerator.SHARED_OFFSET.generate(shapes[r], r);
                ErrorMetrics error = ErrorMetrics.compare(backend.run(batch).output().data(), NaiveReference.attend(batch), batch);
                assertTrue(error.relativeError() <= 1e-5, shapes[r] + ": " + error);
            }
        }
    }

    /**
     * Causal and plain calls share the engine's scratch arrays (the sorted rows, the sort buffers):
     * interleaved at shapes that grow and shrink, with the sweep (n above its chunk) and without it,
     * each result must still be its own.
     */
    @Test
    void causalAndPlainCallsShareTheScratchArraysSafely() {
        Shape[] shapes = {new Shape(1, 5000, 5000, 8, 6), new Shape(2, 40, 40, 3, 6), new Shape(1, 9000, 9000, 8, 6),
                new Shape(3, 2000, 2000, 5, 6)};
        dev.slicedattention.validation.AttentionOptions[] kinds = {dev.slicedattention.validation.AttentionOptions.relu(),
                dev.slicedattention.validation.AttentionOptions.bump(0.8f)};
        try (Backend backend = SlicedAttention.open(JvmParallelProvider.NAME)) {
            for (int r = 0; r < shapes.length; r++) {
                for (boolean causal : new boolean[] {true, false, true}) {
                    AttentionBatch batch = InputGenerator.GAUSSIAN.generate(shapes[r], r)
                            .withOptions(kinds[r % 2].causal(causal));
                    ErrorMetrics error = ErrorMetrics.compare(backend.run(batch).output().data(), NaiveReference.attend(batch), batch);
                    assertTrue(error.relativeError() <= 1e-5, shapes[r] + (causal ? " causal: " : ": ") + error);
                }
            }
        }
    }

    @Test
    void softmaxMatchesTheFloat64Reference() {
        AttentionBatch batch = InputGenerator.GAUSSIAN.generate(new Shape(2, 33, 257, 8, 5), 4);
        try (Backend backend = SlicedAttention.open(JvmParallelProvider.NAME)) {
            float[] out = backend.softmax(batch).data();
            double[] reference = SoftmaxReference.attend(batch);
            for (int i = 0; i < out.length; i++) {
                assertEquals(reference[i], out[i], 1e-5, "at " + i);
            }
        }
    }

    @Test
    void isListedAndOpensByNameWithItsThreadCountAndStageTimes() {
        BackendInfo info = SlicedAttention.backends().stream()
                .filter(b -> b.name().equals("jvm-par")).findFirst().orElseThrow();
        assertEquals(Runtime.getRuntime().availableProcessors(), info.threads());
        AttentionBatch batch = InputGenerator.GAUSSIAN.generate(new Shape(1, 64, 64, 4, 4), 1);
        try (Backend backend = SlicedAttention.open("jvm-par")) {
            StageTimes times = backend.run(batch).times();
            for (Stage stage : new Stage[] {Stage.PROJECTION, Stage.SORT, Stage.PREFIX_SUM, Stage.RANK, Stage.COMBINE}) {
                assertTrue(times.nanos(stage) > 0, stage + " not timed: " + times);
            }
        }
    }

    private static float[] forward(AttentionBatch batch) {
        return dev.slicedattention.jvm.par.ParallelPipeline.forward(WORKERS, batch, new StageTimes());
    }

    private static void assertClose(float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 2 * Math.ulp(expected[i]) + 1e-6f, "at " + i);
        }
    }
}
