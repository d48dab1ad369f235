package dev.slicedattention.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.results.ResultsIO;
import dev.slicedattention.results.RunRecord;
import dev.slicedattention.results.RunResults;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Shape;
import dev.slicedattention.validation.npy.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * split and auto from the command line: the showcase's split row and split.json, calibrate and devices,
 * attend's default (auto) refusing a corrupt calibration, and a split with a failing device. The build
 * points the calibration store at target/ and gives the sweep 3 s.
 */
class SplitAndAutoCommandsTest {
    @TempDir
    Path dir;

    @Test
    void theShowcaseRunsASplitBesideItsBackendsAndRecordsTheShares() throws IOException {
        CliRun run = CliRun.of("showcase", "--sizes", "64,256", "--heads", "3", "--dim", "8", "--value-dim", "4", "--repeats", "1",
                "--time-budget", "0.05", "--backends", "jvm-par,split:jvm-par+jvm-seq", "--out", dir.toString());
        assertEquals(0, run.exitCode(), run.out() + run.err());
        Path folder;
        try (Stream<Path> folders = Files.list(dir)) {
            folder = folders.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        RunResults results = ResultsIO.read(folder);
        List<RunRecord> splits = results.runs().stream().filter(r -> r.backend().equals("split:jvm-par+jvm-seq")).toList();
        assertEquals(2, splits.size(), results.runs().toString());
        assertTrue(splits.stream().allMatch(RunRecord::pass));
        JsonNode shares = ResultsIO.mapper().readTree(folder.resolve(SplitRecord.FILE).toFile());
        assertEquals(2, shares.size(), shares.toString());
        for (JsonNode point : shares) {
            JsonNode first = point.get("shares").get(0), second = point.get("shares").get(1);
            assertEquals("jvm-par", first.get("backend").asText());
            assertEquals(0, first.get("from").asInt());
            assertEquals(first.get("to").asInt(), second.get("from").asInt());
            assertEquals(3, second.get("to").asInt());
            assertEquals(1.0, first.get("workShare").asDouble() + second.get("workShare").asDouble(), 1e-9);
        }
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("split:jvm-par+jvm-seq n=256:  jvm-par ")), run.out());
    }

    @Test
    void calibrateStoresWhatDevicesShowsAndAutoRefusesACorruptOne() throws IOException {
        CliRun calibrate = CliRun.of("calibrate");
        assertEquals(0, calibrate.exitCode(), calibrate.out() + calibrate.err());
        Path file = SlicedAttention.calibrationStore().file();
        assertTrue(file.startsWith(Path.of(System.getProperty("sliced.attention.cache"))), file.toString());
        assertTrue(calibrate.out().contains("stored: " + file), calibrate.out());
        assertTrue(calibrate.out().contains("the backend auto runs them on"), calibrate.out());

        CliRun devices = CliRun.of("devices");
        assertTrue(devices.out().contains("calibration (auto, split): " + file), devices.out());

        Files.writeString(file, "{ \"format\": 1, \"models\": ");
        CliRun refused = CliRun.of("devices");
        assertTrue(refused.out().contains("calibration (auto, split): refusing " + file + ": not a calibration file"), refused.out());

        AttentionBatch batch = InputGenerator.GAUSSIAN.generate(new Shape(2, 32, 32, 4, 3), 1);
        Path q = dir.resolve("q.npy"), k = dir.resolve("k.npy"), v = dir.resolve("v.npy"), t = dir.resolve("t.npy"), o = dir.resolve("o.npy");
        Npy.write(q, new int[] {2, 32, 4}, batch.q());
        Npy.write(k, new int[] {2, 32, 4}, batch.k());
        Npy.write(v, new int[] {2, 32, 3}, batch.v());
        Npy.write(t, new int[] {2, 4}, batch.theta());
        CliRun attend = CliRun.of("attend", "--q", q.toString(), "--k", k.toString(), "--v", v.toString(), "--theta", t.toString(),
                "--out", o.toString());
        assertEquals(0, attend.exitCode(), attend.err());
        assertTrue(attend.err().lines().anyMatch(l -> l.startsWith("refusing the calibration in " + file + ": not a calibration file")),
                attend.err());
        assertTrue(Files.exists(o));
        assertTrue(CliRun.of("devices").out().contains("calibration (auto, split): " + file), "measured again and stored");
    }

    @Test
    void aSplitWithAFailingDeviceExitsThreeNamingItAndWritesNothing() {
        System.setProperty(FaultyProvider.ENABLE, "true");
        try {
            AttentionBatch batch = InputGenerator.GAUSSIAN.generate(new Shape(4, 16, 16, 4, 3), 1);
            Path q = dir.resolve("q.npy"), k = dir.resolve("k.npy"), v = dir.resolve("v.npy"), t = dir.resolve("t.npy");
            Path o = dir.resolve("o.npy");
            Npy.write(q, new int[] {4, 16, 4}, batch.q());
            Npy.write(k, new int[] {4, 16, 4}, batch.k());
            Npy.write(v, new int[] {4, 16, 3}, batch.v());
            Npy.write(t, new int[] {4, 4}, batch.theta());
            CliRun run = CliRun.of("attend", "--q", q.toString(), "--k", k.toString(), "--v", v.toString(), "--theta", t.toString(),
                    "--out", o.toString(), "--backend", "split:jvm-par,faulty-broken");
            assertEquals(ExitCode.DEVICE_FAILURE, run.exitCode(), run.err());
            assertTrue(run.errorLine().startsWith("error: backend 'faulty-broken' (problems 2..3 of the 4 in this split call"), run.err());
            assertFalse(Files.exists(o), "no output file");
        } finally {
            System.clearProperty(FaultyProvider.ENABLE);
        }
    }
}
