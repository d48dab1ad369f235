package dev.slicedattention.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slicedattention.report.ReportWriter;
import dev.slicedattention.results.BenchEntry;
import dev.slicedattention.results.BenchSummary;
import dev.slicedattention.results.ResultsIO;
import dev.slicedattention.results.RunRecord;
import dev.slicedattention.results.RunResults;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs one tiny JMH configuration of each benchmark class through {@link BenchMain}, in real forked
 * JVMs, on jvm-seq and on a stand-in device backend ({@link CopyingDeviceProvider}), and checks that
 * JMH's JSON and the summary are written and parse. Timings are never checked: only that they exist
 * and that the derived figures (stage ms, device-only time, GB/s, roof fractions, speedup) follow
 * from them and from {@link MinBytes}.
 */
class BenchSmokeTest {
    private static final int N = 256;
    private static final int SOFTMAX_N = 64;
    private static final int ROOF = 1 << 16;
    private static final int D = 8;
    private static final int E = 4;
    private static final String DEVICE = CopyingDeviceProvider.NAME;

    @Test
    void everyBenchmarkClassRunsAndTheSummaryParses(@TempDir Path out) throws Exception {
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        int exit = BenchMain.execute(new PrintStream(table, true, StandardCharsets.UTF_8), System.err,
                "--out", out.toString(), "--run-id", "smoke", "--backends", "jvm-seq," + DEVICE,
                "--sizes", "" + N, "--softmax-sizes", "" + SOFTMAX_N, "--roof-length", "" + ROOF,
                "-d", "" + D, "-e", "" + E, "--warmup", "0", "--iterations", "1", "--iteration-ms", "50",
                "--jmh-verbosity", "NORMAL");
        assertEquals(0, exit, "bench exit code");
        Path folder = out.resolve("smoke");

        assertJmhJson(folder.resolve("jmh-forward.json"), Set.of("dev.slicedattention.bench.ForwardPassBench.forward"));
        assertJmhJson(folder.resolve("jmh-softmax.json"), Set.of("dev.slicedattention.bench.SoftmaxBench.softmax"));
        assertJmhJson(folder.resolve("jmh-roof.json"),
                Set.of("dev.slicedattention.bench.MemoryRoofBench.copy", "dev.slicedattention.bench.MemoryRoofBench.triad"));
        JsonNode forward = ResultsIO.mapper().readTree(folder.resolve("jmh-forward.json").toFile()).get(0);
        for (String counter : List.of("calls", "projectionNs", "sortNs", "prefixSumNs", "rankNs", "combineNs",
                "transferInNs", "transferOutNs")) {
            assertTrue(forward.get("secondaryMetrics").has(counter), "aux counter " + counter + " in JMH's JSON");
        }

        BenchSummary summary = ResultsIO.readBenchSummary(folder);
        assertEquals("smoke", summary.runId());
        // Both kernels by default: relu's results in the run folder, the bump's in bump/, each validated.
        assertEquals("relu", ResultsIO.read(folder).config().kernel());
        assertEquals("bump", ResultsIO.read(folder.resolve("bump")).config().kernel());
        assertTrue(ResultsIO.read(folder.resolve("bump")).allPassed());
        assertEquals(Set.of("relu", "bump"), summary.entries().stream().filter(x -> x.stage().equals("forward"))
                .map(BenchEntry::kernel).collect(java.util.stream.Collectors.toSet()));
        assertTrue(table.toString(StandardCharsets.UTF_8).contains("forward pass, kernel bump (b = 0.5 x std of projected keys)"));
        Set<String> common = Set.of("projection", "sort", "prefixSum", "rank", "combine", "forward", "softmax",
                "copyRoof", "triadRoof");
        assertEquals(common, stages(summary, "jvm-seq"), "jvm-seq has no transfers, so no device-only entries");
        // Every forward configuration's first call reaches the summary, with its measured parts where a backend reports them.
        assertEquals(summary.entries().stream().filter(x -> x.stage().equals("forward")).count(), summary.firstCalls().size());
        for (dev.slicedattention.results.FirstCall first : summary.firstCalls()) {
            assertTrue(first.firstCallMillis() > 0, "first call timed: " + first);
            assertEquals(first.partsMillis().isEmpty(), first.otherMillis() == null, "the rest is given with parts: " + first);
        }
        Set<String> device = new java.util.HashSet<>(common);
        device.addAll(Set.of("forwardDevice", "transferIn", "transferOut"));
        assertEquals(device, stages(summary, DEVICE));

        for (String backend : List.of("jvm-seq", DEVICE)) {
            double roof = summary.entries().stream().filter(x -> x.backend().equals(backend) && x.roofProbe())
                    .mapToDouble(BenchEntry::bytesPerSecond).max().orElseThrow();
            for (BenchEntry entry : summary.entries().stream().filter(x -> x.backend().equals(backend)).toList()) {
                assertTrue(entry.millis() > 0, entry + ": a time was measured");
                assertEquals(expectedBytes(entry), entry.minBytes(), entry.toString());
                assertEquals(entry.minBytes() / (entry.millis() / 1e3), entry.bytesPerSecond(), 1e-9 * entry.bytesPerSecond());
                if (entry.stage().startsWith("transfer")) {
                    assertNull(entry.roofFraction(), entry + ": host-device copies are not device-memory traffic");
                } else {
                    assertEquals(entry.bytesPerSecond() / roof, entry.roofFraction(), 1e-9, entry.toString());
                }
            }
        }
        double deviceTotal = millis(summary, DEVICE, "forward");
        assertEquals(deviceTotal - millis(summary, DEVICE, "transferIn") - millis(summary, DEVICE, "transferOut"),
                millis(summary, DEVICE, "forwardDevice"), 1e-9 * deviceTotal, "device-only = score - transfers");

        RunResults runs = ResultsIO.read(folder);
        assertEquals(List.of("jvm-seq", DEVICE), runs.backends());
        for (RunRecord record : runs.runs()) {
            assertEquals(N, record.n());
            assertEquals(millis(summary, "jvm-seq", "forward") / record.totalMillis(), record.speedupOverSeq(), 1e-9);
            assertTrue(record.pass(), "the setup's accuracy check passed and reached the summary: " + record);
            assertTrue(record.stages().sumMillis() <= record.totalMillis() * 1.0001,
                    "the stages are part of the measured call: " + record);
        }
        assertTrue(runs.record(DEVICE, N).orElseThrow().stages().hasTransfers());

        // The folder is one the report renders: the run's charts and the stage-efficiency table.
        String html = java.nio.file.Files.readString(ReportWriter.write(folder));
        assertTrue(html.contains("Stage efficiency (JMH)") && html.contains("copyRoof"), "bench section in index.html");

        String text = table.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("jvm-seq") && text.contains(DEVICE) && text.contains("memory roof"), text);
    }

    private static Set<String> stages(BenchSummary summary, String backend) {
        return summary.entries().stream().filter(x -> x.backend().equals(backend)).map(BenchEntry::stage)
                .collect(Collectors.toSet());
    }

    private static double millis(BenchSummary summary, String backend, String stage) {
        return summary.entries().stream().filter(x -> x.backend().equals(backend) && x.stage().equals(stage))
                .findFirst().orElseThrow().millis();
    }

    private static void assertJmhJson(Path file, Set<String> benchmarks) throws Exception {
        JsonNode root = ResultsIO.mapper().readTree(file.toFile());
        assertTrue(root.isArray(), file + " is JMH's JSON array");
        Set<String> found = new java.util.HashSet<>();
        for (JsonNode result : root) {
            found.add(result.get("benchmark").asText());
            assertTrue(result.get("primaryMetric").get("score").isNumber(), file + ": a score");
        }
        assertEquals(benchmarks, found, file.toString());
    }

    private static double expectedBytes(BenchEntry entry) {
        return switch (entry.stage()) {
            case "copyRoof" -> 8.0 * ROOF;
            case "triadRoof" -> 12.0 * ROOF;
            case "softmax" -> 4.0 * (SOFTMAX_N * D * 2 + SOFTMAX_N * E * 2);
            default -> MinBytes.of(entry.stage(), 1, N, N, D, E);
        };
    }
}
