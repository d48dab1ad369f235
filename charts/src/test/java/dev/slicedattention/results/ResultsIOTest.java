package dev.slicedattention.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slicedattention.fixtures.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsIOTest {
    @TempDir
    Path folder;

    @Test
    void roundTripThroughFolderAndFile() throws Exception {
        RunResults results = Fixtures.showcase();
        Path json = ResultsIO.write(folder, results);
        assertEquals(folder.resolve("results.json"), json);
        assertEquals(results, ResultsIO.read(folder));
        assertEquals(results, ResultsIO.read(json));
        assertTrue(results.allPassed());
    }

    @Test
    void nullableFieldsSurviveAsNull() throws Exception {
        RunRecord run = new RunRecord("jvm-seq", "cpu", 1, 64, 64, 8, 8, StageTimes.ZERO, 1.5, null, null, 1.0,
                0.0, 0.0, 1e-5, RunRecord.REFERENCE_NAIVE, true);
        MachineInfo machine = new MachineInfo("h", "Linux", "amd64", "amd64", 2, 0, "21", "vendor", null);
        RunResults results = RunResults.of("r", "2025-01-01T00:00:00Z", "cmd", machine, List.of(), null, List.of(run), null);
        ResultsIO.write(folder, results);
        RunResults back = ResultsIO.read(folder);
        assertEquals(results, back);
        assertNull(back.runs().get(0).firstCallMillis());
        assertNull(back.machine().tornadoVersion());
        assertEquals(List.of(), back.kernels());
    }

    @Test
    void jsonHasTheSchemaNamesAndNoDerivedValues() throws Exception {
        ResultsIO.write(folder, Fixtures.showcase());
        JsonNode root = ResultsIO.mapper().readTree(folder.resolve("results.json").toFile());
        for (String field : List.of("runId", "createdAt", "command", "machine", "devices", "config", "runs", "kernels",
                "allPassed")) {
            assertTrue(root.has(field), field);
        }
        JsonNode run = root.get("runs").get(0);
        for (String field : List.of("backend", "device", "heads", "m", "n", "d", "e", "stages", "totalMillis",
                "firstCallMillis", "softmaxMillis", "speedupOverSeq", "relError", "maxAbsError", "tolerance",
                "reference", "pass", "timing")) {
            assertTrue(run.has(field), field);
        }
        assertEquals(18, run.size(), "no derived values such as tokensPerSecond: " + run);
        assertEquals(StageTimes.KEYS.size(), run.get("stages").size());
        assertTrue(run.get("stages").has("prefixSum"));
        assertEquals(9, root.size(), "no derived values such as backends(): " + root.fieldNames());
        assertEquals(9, root.get("machine").size());
    }

    @Test
    void csvHasOneRowPerRecordWithAllColumns() throws Exception {
        RunResults results = Fixtures.showcase();
        ResultsIO.write(folder, results);
        List<String> lines = Files.readAllLines(folder.resolve("results.csv"), StandardCharsets.UTF_8);
        assertEquals(1 + results.runs().size(), lines.size());
        assertEquals(String.join(",", ResultsIO.CSV_COLUMNS), lines.get(0));
        assertTrue(lines.get(0).startsWith("backend,device,heads,m,n,d,e,projection_ms,sort_ms,prefix_sum_ms,rank_ms,"
                + "combine_ms,transfer_in_ms,transfer_out_ms,total_ms,first_call_ms,softmax_ms,speedup,rel_error,"
                + "max_abs_error,tolerance"));
        for (String line : lines) {
            assertEquals(ResultsIO.CSV_COLUMNS.size(), line.split(",", -1).length, line);
        }
        RunRecord first = results.runs().get(0);
        String[] cells = lines.get(1).split(",", -1);
        assertEquals(first.backend(), cells[0]);
        assertEquals(first.totalMillis(), Double.parseDouble(cells[ResultsIO.CSV_COLUMNS.indexOf("total_ms")]));
        assertEquals("true", cells[cells.length - 1]);
    }

    @Test
    void csvQuotesTextAndLeavesNullsEmpty() {
        RunRecord run = new RunRecord("tornado:0:0", "GPU \"big\", v2", 1, 8, 8, 2, 2, StageTimes.ZERO, 1, null, null,
                1, 0, 0, 1, "float64-naive", false);
        String csv = ResultsIO.toCsv(List.of(run));
        String row = csv.split("\n")[1];
        assertTrue(row.startsWith("tornado:0:0,\"GPU \"\"big\"\", v2\",1,8,8,2,2,"), row);
        assertTrue(row.contains(",1.0,,,1.0,"), "empty first-call and softmax cells: " + row);
        assertTrue(row.endsWith(",false"), row);
    }

    @Test
    void malformedJsonNamesTheFile() throws Exception {
        Path file = folder.resolve("results.json");
        Files.writeString(file, "{ \"runId\": \"x\", \"runs\": [ { \"backend\": ");
        ResultsFileException e = assertThrows(ResultsFileException.class, () -> ResultsIO.read(folder));
        assertTrue(e.getMessage().contains(file.toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("Malformed"), e.getMessage());
        assertEquals(file, e.file());
    }

    @Test
    void wrongTypeNamesTheFileAndTheField() throws Exception {
        Path file = ResultsIO.write(folder, Fixtures.showcase());
        String json = Files.readString(file);
        assertTrue(json.contains("\"n\" : 256,"), "pretty-printed fixture");
        Files.writeString(file, json.replaceFirst("\"n\" : 256,", "\"n\" : \"lots\","));
        ResultsFileException e = assertThrows(ResultsFileException.class, () -> ResultsIO.read(file));
        assertTrue(e.getMessage().contains(file.toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("runs[0].n"), e.getMessage());
    }

    @Test
    void emptyOrIncompleteFilesAreRefused() throws Exception {
        Path file = folder.resolve("results.json");
        Files.writeString(file, "");
        assertTrue(assertThrows(ResultsFileException.class, () -> ResultsIO.read(file)).getMessage().contains("empty"));
        Files.writeString(file, "{}");
        ResultsFileException e = assertThrows(ResultsFileException.class, () -> ResultsIO.read(file));
        assertTrue(e.getMessage().contains("a required boolean value is missing or null at allPassed")
                && e.getMessage().contains(file.toAbsolutePath().toString()), e.getMessage());
        Files.writeString(file, "{\"allPassed\": true}");
        e = assertThrows(ResultsFileException.class, () -> ResultsIO.read(file));
        assertTrue(e.getMessage().contains("\"runId\" is missing"), e.getMessage());
        Files.writeString(file, "[1, 2]");
        assertThrows(ResultsFileException.class, () -> ResultsIO.read(file));
    }

    @Test
    void missingFileNamesTheFile() {
        Path missing = folder.resolve("nowhere");
        ResultsFileException e = assertThrows(ResultsFileException.class, () -> ResultsIO.read(missing));
        assertTrue(e.getMessage().contains(missing.toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        ResultsFileException inFolder = assertThrows(ResultsFileException.class, () -> ResultsIO.read(folder));
        assertTrue(inFolder.getMessage().contains(folder.resolve("results.json").toAbsolutePath().toString()));
    }

    @Test
    void writesAreAtomicAndLeaveNoTemporaryFiles() throws Exception {
        ResultsIO.write(folder, Fixtures.showcase());
        ResultsIO.write(folder, Fixtures.showcase()); // overwrite
        try (Stream<Path> files = Files.list(folder)) {
            assertEquals(List.of("results.csv", "results.json"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void benchSummaryRoundTrip() throws Exception {
        RunResults results = Fixtures.showcase();
        BenchSummary summary = Fixtures.bench(results);
        Path json = ResultsIO.writeBenchSummary(folder, summary);
        assertEquals(folder.resolve("bench-summary.json"), json);
        assertEquals(summary, ResultsIO.readBenchSummary(folder));
        Files.writeString(json, "not json");
        ResultsFileException e = assertThrows(ResultsFileException.class, () -> ResultsIO.readBenchSummary(json));
        assertTrue(e.getMessage().contains(json.toAbsolutePath().toString()), e.getMessage());
    }

    @Test
    void derivedValues() {
        RunRecord run = new RunRecord("jvm-par", "cpu", 4, 1000, 1024, 8, 8,
                new StageTimes(1, 2, 3, 4, 5, 0, 0), 20, null, 40.0, 2, 0, 0, 1, "float64-naive", true);
        assertEquals(4 * 1000 / 0.020, run.tokensPerSecond(), 1e-6);
        assertEquals(4 * 1000 / 0.002, run.stageTokensPerSecond("sort"), 1e-6);
        assertTrue(Double.isNaN(run.stageTokensPerSecond("transferIn")));
        assertEquals(4 * 1000 / 0.040, run.softmaxTokensPerSecond(), 1e-6);
        assertEquals(15, run.stages().computeMillis());
        assertFalse(run.stages().hasTransfers());
        StageTimes fromMap = StageTimes.fromMillis(Map.of("sort", 2.0, "transferIn", 0.5));
        assertEquals(new StageTimes(0, 2, 0, 0, 0, 0.5, 0), fromMap);
        assertThrows(IllegalArgumentException.class, () -> StageTimes.fromMillis(Map.of("bogus", 1)));
        assertEquals(List.of("projection", "sort", "prefixSum", "rank", "combine", "transferIn", "transferOut"),
                List.copyOf(fromMap.asMap().keySet()));
    }

    @Test
    void allPassedIsComputedByOf() {
        RunRecord ok = Fixtures.record("jvm-seq", "cpu", 512, 1, false);
        RunRecord bad = new RunRecord("jvm-seq", "cpu", 1, 8, 8, 2, 2, StageTimes.ZERO, 1, null, null, 1, 1, 1, 1e-5,
                "float64-naive", false);
        MachineInfo m = Fixtures.machine("h", "c");
        assertTrue(RunResults.of("a", "t", "c", m, null, null, List.of(ok), null).allPassed());
        assertFalse(RunResults.of("a", "t", "c", m, null, null, List.of(ok, bad), null).allPassed());
        assertFalse(RunResults.of("a", "t", "c", m, null, null, List.of(), null).allPassed());
    }

    @Test
    void detectDescribesThisMachine() throws Exception {
        MachineInfo info = MachineInfo.detect(null);
        assertNotNull(info.hostname());
        assertFalse(info.cpuModel().isBlank());
        assertTrue(info.cores() >= 1);
        assertEquals(System.getProperty("java.version"), info.jdk());
        assertNull(info.tornadoVersion());
        assertEquals("2.0.0", MachineInfo.detect("2.0.0").tornadoVersion());

        Path cpuinfo = folder.resolve("cpuinfo");
        Files.writeString(cpuinfo, "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R)  Xeon(R) CPU\n");
        assertEquals("Intel(R) Xeon(R) CPU", MachineInfo.readCpuModel(cpuinfo).orElseThrow());
        assertTrue(MachineInfo.readCpuModel(folder.resolve("absent")).isEmpty());
    }
}
