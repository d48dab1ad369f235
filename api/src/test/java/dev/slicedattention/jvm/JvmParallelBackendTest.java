package dev.slicedattention.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.Backend;
import dev.slicedattention.BackendInfo;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.jvm.par.ParallelKeySort;
import dev.slicedattention.jvm.par.ParallelPrefixSums;
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
        double scale = 0;
        for (float value : sequential) {
            scale = Math.max(scale, Math.abs(value));
        }
        for (int i = 0; i < parallel.length; i++) {
            // Only the order of the float64 block sums differs, so results agree to a few float32 ulps.
            assertEquals(sequential[i], parallel[i], 4 * Math.ulp((float) Math.max(scale, 1e-30)) + 1e-30,
                    generator + " at " + i);
        }
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
    void parallelMergeSortSortsLongsWithDuplicates() {
        Random random = new Random(9);
        long[] values = random.longs(300_000, -1000, 1000).toArray();
        long[] expected = values.clone();
        Arrays.sort(expected);
        assertArrayEquals(expected, ParallelKeySort.sortPacked(WORKERS, values.clone()));
    }

    @Test
    void blockedPrefixSumsMatchTheSequentialOnes() {
        AttentionBatch batch = InputGenerator.SHARED_OFFSET.generate(new Shape(1, 3, 50_000, 4, 6), 3);
        float[] keys = new float[batch.n()];
        for (int j = 0; j < keys.length; j++) {
            keys[j] = batch.k()[j * batch.d()];
        }
        KeySort.SortedKeys sorted = KeySort.sort(keys);
        double[] mu = new double[batch.e()];
        float sigma = PrefixSums.scaleOf(sorted.tau(), batch.n());
        PrefixSums.Sums expected = PrefixSums.compute(sorted.tau(), sorted.perm(), sigma, batch.v(), 0, batch.n(), batch.e(), mu);
        PrefixSums.Sums actual = ParallelPrefixSums.compute(WORKERS, sorted.tau(), sorted.perm(), sigma, batch.v(), 0,
                batch.n(), batch.e(), mu);
        assertClose(expected.a(), actual.a());
        assertClose(expected.b(), actual.b());
        assertClose(expected.c(), actual.c());
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
