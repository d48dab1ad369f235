package dev.slicedattention.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.validation.Kernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** auto's calibration: measured when missing, stale or corrupt (with a notice), used as stored otherwise. */
class CalibrationsTest {
    private static final List<String> BACKENDS = List.of("fast", "slow");
    /** Small points, both kernels, a short budget: a sweep of test doubles, not of real backends. */
    private static final SweepPlan PLAN = new SweepPlan(List.of(new int[] {1, 64}, new int[] {2, 256}, new int[] {1, 1024}), 8, 8,
            SweepPlan.ALL_MODES.subList(0, 2), Duration.ofSeconds(3), 2);

    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final List<String> notices = new CopyOnWriteArrayList<>();
    private final CalibrationListener listener = new CalibrationListener() {
        @Override
        public void notice(String line) {
            notices.add(line);
        }
    };

    private FakeEngine open(String name) {
        // "slow" costs 10 ns per unit of work, "fast" 1 ns, both 50 µs per call.
        return new FakeEngine(name, 50_000, name.equals("slow") ? 10 : 1, calls);
    }

    private Calibration current(Calibrations calibrations, List<String> backends) {
        return calibrations.current(backends, this::open, listener);
    }

    @Test
    void missingIsMeasuredOnceThenUsedAsStored(@TempDir Path folder) {
        Calibrations calibrations = new Calibrations(new CalibrationStore(folder), PLAN);
        long start = System.nanoTime();
        Calibration first = current(calibrations, BACKENDS);
        assertTrue(System.nanoTime() - start < PLAN.budget().toNanos() + 2_000_000_000L, "the sweep keeps to its budget");
        assertTrue(notices.get(0).startsWith("no calibration of this machine yet: timing every backend"), notices.toString());
        assertFalse(calls.isEmpty());
        assertEquals(BACKENDS, first.backends());
        for (String mode : List.of("relu", "bump")) {
            assertEquals(3, first.models().get("fast").get(mode).points().size(), mode);
        }
        ProblemWork large = ProblemWork.uniform(4, 1 << 14, 1 << 14, 8, 8);
        assertTrue(first.predictNanos("slow", Kernel.RELU, false, large).get() > 3 * first.predictNanos("fast", Kernel.RELU, false, large).get(),
                "the measured 10x slope shows in the prediction");
        calls.clear();
        notices.clear();
        assertEquals(first, current(calibrations, BACKENDS));
        assertEquals(List.of(), calls, "a stored calibration is not measured again");
        assertEquals(List.of(), notices);
    }

    @Test
    void staleIsMeasuredAgain(@TempDir Path folder) {
        Calibrations calibrations = new Calibrations(new CalibrationStore(folder), PLAN);
        current(calibrations, List.of("fast"));
        notices.clear();
        Calibration again = current(calibrations, BACKENDS);
        assertTrue(notices.get(0).contains("is stale (measured with backends [fast], available now [fast, slow])"), notices.toString());
        assertEquals(BACKENDS, again.backends());
        assertEquals(again, calibrations.stored(BACKENDS).orElseThrow());
    }

    @Test
    void corruptIsRefusedWithOneLineAndReplaced(@TempDir Path folder) throws Exception {
        CalibrationStore store = new CalibrationStore(folder);
        Calibrations calibrations = new Calibrations(store, PLAN);
        Files.createDirectories(folder);
        Files.writeString(store.file(), "{\"format\": 1, \"version\": ");
        assertTrue(calibrations.stored(BACKENDS).isEmpty(), "a corrupt file is never used");
        Calibration rebuilt = current(calibrations, BACKENDS);
        assertEquals(1, notices.size());
        String notice = notices.get(0);
        assertTrue(notice.startsWith("refusing the calibration in " + store.file() + ": not a calibration file"), notice);
        assertFalse(notice.contains("\n"), "one line: " + notice);
        assertEquals(rebuilt, assertInstanceOf(CalibrationStore.Loaded.Valid.class, store.load(BACKENDS)).calibration());
    }

    @Test
    void aBackendFailingInTheSweepIsLeftOut(@TempDir Path folder) {
        Calibrations calibrations = new Calibrations(new CalibrationStore(folder), PLAN);
        Calibration calibration = calibrations.current(BACKENDS, name -> {
            if (name.equals("slow")) {
                throw new dev.slicedattention.error.DeviceFailureException("the device 'slow' did not start");
            }
            return open(name);
        }, listener);
        assertEquals(List.of("fast"), List.copyOf(calibration.models().keySet()));
        assertTrue(notices.stream().anyMatch(n -> n.contains("backend 'slow' failed and is left out (the device 'slow' did not start)")),
                notices.toString());
    }
}
