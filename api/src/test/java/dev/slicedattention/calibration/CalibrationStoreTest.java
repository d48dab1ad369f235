package dev.slicedattention.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationStoreTest {
    private static final List<String> BACKENDS = List.of("jvm-seq", "jvm-par");

    static Calibration calibration(String version, String machine, List<String> backends, double fixed) {
        Calibration.Point point = new Calibration.Point(1, 1024, 64, 64, 1.5);
        Map<String, Map<String, Calibration.Fit>> models = new java.util.LinkedHashMap<>();
        for (String backend : backends) {
            models.put(backend, Map.of("relu", new Calibration.Fit(new CostModel(fixed, 0.5, 1.0), List.of(point)),
                    "bump", new Calibration.Fit(new CostModel(fixed, 0.6, 1.1), List.of(point))));
        }
        return new Calibration(Calibration.FORMAT, version, machine, "2026-12-07T20:00:00Z", backends, 12.5, models);
    }

    private static Calibration current(double fixed) {
        return calibration(CalibrationStore.version(), CalibrationStore.machine(), BACKENDS, fixed);
    }

    @Test
    void missingThenWrittenThenReadBackWhole(@TempDir Path folder) {
        CalibrationStore store = new CalibrationStore(folder.resolve("cache/sliced-attention"));
        assertInstanceOf(CalibrationStore.Loaded.Missing.class, store.load(BACKENDS));
        Path file = store.write(current(1000));
        assertEquals(store.file(), file);
        CalibrationStore.Loaded loaded = store.load(BACKENDS);
        assertEquals(current(1000), assertInstanceOf(CalibrationStore.Loaded.Valid.class, loaded).calibration());
    }

    @Test
    void anotherVersionMachineOrSetOfBackendsIsStale(@TempDir Path folder) throws Exception {
        CalibrationStore store = new CalibrationStore(folder);
        store.write(current(1000));
        CalibrationStore.Loaded other = store.load(List.of("jvm-seq", "jvm-par", "tornado:0:0"));
        assertTrue(assertInstanceOf(CalibrationStore.Loaded.Stale.class, other).reason().startsWith("measured with backends [jvm-seq, jvm-par]"));
        // A file of this name that holds another version's or machine's measurements (copied, edited) is stale too.
        String text = Files.readString(store.file());
        Files.writeString(store.file(), text.replace("\"version\" : \"" + CalibrationStore.version() + "\"", "\"version\" : \"0.0.1\""));
        assertTrue(assertInstanceOf(CalibrationStore.Loaded.Stale.class, store.load(BACKENDS)).reason().contains("version 0.0.1"));
        Files.writeString(store.file(), text.replace(CalibrationStore.machine(), "another machine"));
        assertTrue(assertInstanceOf(CalibrationStore.Loaded.Stale.class, store.load(BACKENDS)).reason().contains("another machine"));
    }

    @Test
    void aCorruptFileIsRefusedNeverUsed(@TempDir Path folder) throws Exception {
        CalibrationStore store = new CalibrationStore(folder);
        store.write(current(1000));
        String text = Files.readString(store.file());
        for (String corrupt : List.of(text.substring(0, text.length() / 2), "", "[1, 2]", "not json",
                text.replace("\"fixedNanos\" : 1000.0", "\"fixedNanos\" : -1000.0"),
                text.replace("\"format\" : 1", "\"format\" : 7"),
                text.replace("\"backends\"", "\"backendz\""),
                text + "{}")) {
            Files.writeString(store.file(), corrupt);
            assertInstanceOf(CalibrationStore.Loaded.Corrupt.class, store.load(BACKENDS), corrupt);
        }
    }

    @Test
    void concurrentWritersLeaveOneWholeCalibration(@TempDir Path folder) throws Exception {
        CalibrationStore store = new CalibrationStore(folder);
        store.write(current(1));
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread reader = new Thread(() -> {
            while (writing.get()) {
                seen.add(store.load(BACKENDS).getClass().getSimpleName());
            }
        });
        reader.start();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            double fixed = 1000 * (w + 1);
            Thread writer = new Thread(() -> {
                for (int i = 0; i < 100; i++) {
                    store.write(current(fixed + i));
                }
            });
            writers.add(writer);
            writer.start();
        }
        for (Thread writer : writers) {
            writer.join();
        }
        writing.set(false);
        reader.join();
        assertTrue(seen.stream().allMatch("Valid"::equals), "a reader saw " + seen.stream().distinct().toList());
        assertTrue(seen.size() > 10, "the reader read " + seen.size() + " times");
        Calibration last = assertInstanceOf(CalibrationStore.Loaded.Valid.class, store.load(BACKENDS)).calibration();
        double fixed = last.models().get("jvm-par").get("relu").model().fixedNanos();
        assertTrue(fixed == 1099 || fixed == 2099, "the last write of one writer, got " + fixed);
        try (var left = Files.list(folder)) {
            assertEquals(List.of(store.file().getFileName().toString()), left.map(p -> p.getFileName().toString()).toList(),
                    "no temporary file is left behind");
        }
    }
}
