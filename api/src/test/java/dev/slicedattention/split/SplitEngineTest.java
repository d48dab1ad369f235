package dev.slicedattention.split;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.Backend;
import dev.slicedattention.BackendInfo;
import dev.slicedattention.DeviceKind;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.calibration.Calibration;
import dev.slicedattention.calibration.CostModel;
import dev.slicedattention.calibration.ProblemWork;
import dev.slicedattention.error.DeviceFailureException;
import dev.slicedattention.error.UnknownBackendException;
import dev.slicedattention.spi.BackendEngine;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.Bandwidths;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** split: the output is, slice by slice, what each backend gives alone; failures fail the call with the backend's name. */
class SplitEngineTest {
    private static final String SPLIT = "split:jvm-par,jvm-seq";

    /** Every slice of the split's output equals its backend's output for that slice alone, and the shares cover 0..P. */
    private static void assertSlicesMatchAlone(AttentionBatch batch) {
        try (Backend split = SlicedAttention.open(SPLIT)) {
            float[] out = split.run(batch).output().data();
            List<SplitShare> shares = split.lastSplit();
            assertEquals(List.of("jvm-par", "jvm-seq"), shares.stream().map(SplitShare::backend).toList());
            assertEquals(0, shares.get(0).from());
            assertEquals(shares.get(0).to(), shares.get(1).from());
            assertEquals(batch.heads(), shares.get(1).to());
            int rows = batch.m() * batch.e();
            for (SplitShare share : shares) {
                if (share.problems() == 0) {
                    continue;
                }
                try (Backend alone = SlicedAttention.open(share.backend())) {
                    float[] part = Arrays.copyOfRange(out, share.from() * rows, share.to() * rows);
                    float[] onSlice = alone.run(BatchSlice.of(batch, share.from(), share.to())).output().data();
                    assertArrayEquals(onSlice, part, share.backend() + " problems " + share.from() + ".." + share.to() + " of " + batch);
                    // Problems are independent: the same rows as the backend gives them within the whole batch.
                    float[] whole = alone.run(batch).output().data();
                    assertArrayEquals(Arrays.copyOfRange(whole, share.from() * rows, share.to() * rows), part,
                            share.backend() + " problems " + share.from() + ".." + share.to() + " within the whole " + batch);
                }
            }
        }
    }

    private static AttentionBatch batch(int heads, int n) {
        return InputGenerator.GAUSSIAN.generate(new Shape(heads, n, n, 8, 5), 11L * heads + n);
    }

    @Test
    void oneProblemGoesWholeToOneBackend() {
        AttentionBatch batch = batch(1, 300);
        assertSlicesMatchAlone(batch);
        try (Backend split = SlicedAttention.open(SPLIT)) {
            split.run(batch);
            assertEquals(1, split.lastSplit().stream().filter(s -> s.problems() == 1).count());
        }
    }

    @Test
    void problemsNotDivisibleByTheBackendsAreAllComputed() {
        AttentionBatch batch = batch(7, 200);
        assertSlicesMatchAlone(batch);
        try (Backend split = SlicedAttention.open(SPLIT); Backend par = SlicedAttention.open("jvm-par")) {
            // Problems are independent: the whole output is jvm-par's where it ran, and finite everywhere.
            float[] out = split.run(batch).output().data();
            float[] whole = par.run(batch).output().data();
            SplitShare first = split.lastSplit().get(0);
            int rows = batch.m() * batch.e();
            assertArrayEquals(Arrays.copyOfRange(whole, 0, first.to() * rows), Arrays.copyOfRange(out, 0, first.to() * rows));
        }
    }

    @Test
    void raggedBumpWithOwnBandwidthsMatchesEachBackendAlone() {
        AttentionBatch plain = batch(9, 256);
        SplittableRandom random = new SplittableRandom(3);
        int[] keys = new int[9], queries = new int[9];
        for (int p = 0; p < 9; p++) {
            keys[p] = 1 + random.nextInt(256);
            queries[p] = 1 + random.nextInt(256);
        }
        float[] bandwidths = Bandwidths.relativeToKeys(plain, 0.5);
        assertEquals(9, bandwidths.length);
        assertSlicesMatchAlone(plain.withOptions(AttentionOptions.bump(bandwidths).withKeyLengths(keys).withQueryLengths(queries)));
    }

    @Test
    void causalMatchesEachBackendAlone() {
        AttentionBatch plain = batch(5, 333);
        assertSlicesMatchAlone(plain.withOptions(AttentionOptions.relu().causal(true)));
        assertSlicesMatchAlone(plain.withOptions(AttentionOptions.bump(0.8f).causal(true).withKeyLengths(333, 1, 200, 7, 300)
                .withQueryLengths(333, 1, 200, 7, 300)));
    }

    @Test
    void givenScalarsAreCutToo() {
        AttentionBatch plain = batch(6, 128);
        float[] s = new float[6 * 128], t = new float[6 * 128];
        SplittableRandom random = new SplittableRandom(9);
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) random.nextGaussian();
            t[i] = (float) random.nextGaussian();
        }
        assertSlicesMatchAlone(AttentionBatch.ofScalars(6, 128, 128, plain.e(), s, t, plain.v(), AttentionOptions.relu()));
    }

    @Test
    void raggedProblemsAreSharedByCostNotCount() {
        // One long problem and many short ones, equal speeds: the long one's lane takes few problems.
        int n = 4096;
        int[] lengths = new int[17];
        Arrays.fill(lengths, 64);
        lengths[0] = n;
        AttentionBatch batch = batch(17, n).withOptions(AttentionOptions.relu().withKeyLengths(lengths).withQueryLengths(lengths));
        try (SplitEngine split = SplitEngine.open(List.of("a", "b"), name -> new Recording(name, new CopyOnWriteArrayList<>()), null)) {
            split.forward(batch, new StageTimes());
            List<SplitShare> shares = split.lastShares();
            assertEquals(1, shares.get(0).problems(), shares.toString());
            assertEquals(16, shares.get(1).problems(), shares.toString());
        }
    }

    @Test
    void theCalibrationSharesByPredictedThroughput() {
        // b is 3x slower per unit of work than a: of 16 equal problems a takes 12, b 4; with a fixed cost
        // beyond the whole call's time, c gets none.
        Calibration.Point point = new Calibration.Point(1, 64, 8, 5, 1);
        Map<String, Map<String, Calibration.Fit>> models = Map.of(
                "a", Map.of("relu", new Calibration.Fit(new CostModel(0, 1, 1), List.of(point))),
                "b", Map.of("relu", new Calibration.Fit(new CostModel(0, 3, 3), List.of(point))),
                "c", Map.of("relu", new Calibration.Fit(new CostModel(1e12, 1, 1), List.of(point))));
        Calibration calibration = new Calibration(Calibration.FORMAT, "test", "test", "now", List.of("a", "b", "c"), 1, models);
        try (SplitEngine split = SplitEngine.open(List.of("a", "b", "c"), name -> new Recording(name, new ArrayList<>()), calibration)) {
            split.forward(batch(16, 64), new StageTimes());
            assertEquals(List.of(12, 4, 0), split.lastShares().stream().map(SplitShare::problems).toList(), split.lastShares().toString());
        }
    }

    @Test
    void measuredTimesMoveTheSharesTowardTheFasterBackend() {
        // No calibration: the first call halves the problems; "slow" then measures 8x the time per unit of work.
        try (SplitEngine split = SplitEngine.open(List.of("fast", "slow"), name -> new Recording(name, new ArrayList<>()) {
            @Override
            public float[] forward(AttentionBatch batch, StageTimes times) {
                ProblemWork[] work = ProblemWork.perProblem(batch);
                ProblemWork sum = ProblemWork.sum(work, 0, work.length);
                long end = System.nanoTime() + (long) ((name.equals("slow") ? 800 : 100) * (sum.elements() + sum.sortUnits()));
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                return new float[batch.outputLength()];
            }
        }, null)) {
            AttentionBatch batch = batch(16, 64);
            split.forward(batch, new StageTimes());
            assertEquals(8, split.lastShares().get(0).problems(), split.lastShares().toString());
            split.forward(batch, new StageTimes());
            assertTrue(split.lastShares().get(0).problems() >= 12, split.lastShares().toString());
        }
    }

    @Test
    void aFailingBackendFailsTheCallWithItsNameAndNoOutput() {
        List<String> closed = new CopyOnWriteArrayList<>();
        AttentionBatch batch = batch(4, 64);
        try (SplitEngine split = SplitEngine.open(List.of("good", "broken"), name -> new Recording(name, closed), null)) {
            DeviceFailureException failure = assertThrows(DeviceFailureException.class, () -> split.forward(batch, new StageTimes()));
            assertTrue(failure.getMessage().startsWith("backend 'broken' (problems 2..3 of the 4 in this split call"), failure.getMessage());
            assertTrue(failure.getMessage().endsWith("the device 'broken' failed in its sort kernel"), failure.getMessage());
            assertEquals(List.of(), split.lastShares(), "a failed call records no shares");
        }
        assertEquals(List.of("good", "broken"), closed, "both backends are closed, each on its own thread");
    }

    @Test
    void aBackendFailingToOpenClosesTheOthers() {
        List<String> closed = new CopyOnWriteArrayList<>();
        DeviceFailureException failure = assertThrows(DeviceFailureException.class, () -> SplitEngine.open(List.of("good", "unopenable"),
                name -> {
                    if (name.equals("unopenable")) {
                        throw new DeviceFailureException("the device 'unopenable' did not start");
                    }
                    return new Recording(name, closed);
                }, null));
        assertEquals("the device 'unopenable' did not start", failure.getMessage());
        assertEquals(List.of("good"), closed);
    }

    @Test
    void eachBackendRunsOnItsOwnThreadOnly() {
        List<String> threads = new CopyOnWriteArrayList<>();
        try (SplitEngine split = SplitEngine.open(List.of("a", "b"), name -> new Recording(name, new ArrayList<>(), threads), null)) {
            for (int call = 0; call < 3; call++) {
                split.forward(batch(4, 64), new StageTimes());
            }
        }
        assertTrue(threads.stream().allMatch(t -> t.startsWith("a:split-a") || t.startsWith("b:split-b")), threads.toString());
    }

    @Test
    void namesAreChecked() {
        assertThrows(UnknownBackendException.class, () -> SlicedAttention.open("split:jvm-par,jvm-par"));
        assertThrows(UnknownBackendException.class, () -> SlicedAttention.open("split:jvm-par,auto"));
        assertThrows(UnknownBackendException.class, () -> SlicedAttention.open("split:jvm-par,nosuch"));
        try (Backend every = SlicedAttention.open("split")) {
            assertEquals("split:" + String.join("+", SlicedAttention.backends().stream().map(BackendInfo::name).toList()),
                    every.info().name());
        }
        try (Backend plus = SlicedAttention.open("split:jvm-seq+jvm-par")) {
            assertEquals("split:jvm-seq+jvm-par", plus.info().name());
        }
    }

    /**
     * A test double: a CPU "backend" whose output is the problem's own query rows' first values, so
     * any misplaced slice shows; {@code broken} fails as a device would.
     */
    private static class Recording implements BackendEngine {
        final String name;
        private final List<String> closed;
        private final List<String> threads;

        Recording(String name, List<String> closed) {
            this(name, closed, new ArrayList<>());
        }

        Recording(String name, List<String> closed, List<String> threads) {
            this.name = name;
            this.closed = closed;
            this.threads = threads;
            threads.add(name + ":" + Thread.currentThread().getName());
        }

        @Override
        public BackendInfo info() {
            return new BackendInfo(name, "test", "test device " + name, DeviceKind.CPU, 1L << 30, "JVM", 1);
        }

        @Override
        public float[] forward(AttentionBatch batch, StageTimes times) {
            threads.add(name + ":" + Thread.currentThread().getName());
            if (name.equals("broken")) {
                throw new DeviceFailureException("the device 'broken' failed in its sort kernel");
            }
            return new float[batch.outputLength()];
        }

        @Override
        public float[] softmax(AttentionBatch batch) {
            return new float[batch.outputLength()];
        }

        @Override
        public void close() {
            threads.add(name + ":" + Thread.currentThread().getName());
            closed.add(name);
        }
    }
}
