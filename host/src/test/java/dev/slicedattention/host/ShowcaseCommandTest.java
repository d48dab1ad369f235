package dev.slicedattention.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.results.ResultsIO;
import dev.slicedattention.results.RunRecord;
import dev.slicedattention.results.RunResults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code showcase}, {@code chart}, {@code validate} and {@code devices} end to end, on small sizes. */
class ShowcaseCommandTest {

    /** The dumps listed for the gallery are device code only: launches.json (seen as "other kernels" in every device gallery) is not one. */
    @org.junit.jupiter.api.Test
    void theLaunchRecordsAreNotListedAsKernelDumps(@org.junit.jupiter.api.io.TempDir java.nio.file.Path folder) throws Exception {
        java.nio.file.Path kernels = folder.resolve("kernels");
        java.nio.file.Files.createDirectories(kernels.resolve("tornado:1:0"));
        java.nio.file.Files.writeString(kernels.resolve("projection.cl"), "__kernel void a() {}");
        java.nio.file.Files.writeString(kernels.resolve("launches.json"), "[]");
        java.nio.file.Files.writeString(kernels.resolve("tornado:1:0").resolve("rank.cl"), ".entry b(");
        List<dev.slicedattention.results.KernelDump> dumps = ShowcaseCommand.kernelDumps(folder, kernels, "tornado:0:0");
        assertEquals(List.of("kernels/projection.cl", "kernels/tornado:1:0/rank.cl"), dumps.stream().map(d -> d.file()).toList());
        assertEquals(List.of("tornado:0:0", "tornado:1:0"), dumps.stream().map(d -> d.backend()).toList());
    }

    /** The release alone, as the bench writes it: charts print "TornadoVM " before it (an H200 run read "TornadoVM TornadoVM 5.2.0-jdk25"). */
    @org.junit.jupiter.api.Test
    void theTornadoReleaseIsRecordedWithoutTheProductName() {
        assertEquals("5.2.0-jdk25", ShowcaseCommand.tornadoRelease("TornadoVM tornado.api@5.2.0-jdk25 / PTX"));
        assertEquals("5.2.0-jdk25", ShowcaseCommand.tornadoRelease("TornadoVM 5.2.0-jdk25 / OpenCL"));
        assertEquals("PTX", ShowcaseCommand.tornadoBackend("TornadoVM tornado.api@5.2.0-jdk25 / PTX"));
    }
    @TempDir
    Path dir;

    /** The bump kernel through showcase and validate: every point validated, the kernel named in results, table and report. */
    @Test
    void bumpKernelShowcaseAndValidateNameTheKernel() throws IOException {
        CliRun run = CliRun.of("showcase", "--kernel", "bump", "--sizes", "64,300", "--dim", "8", "--value-dim", "4",
                "--repeats", "1", "--softmax-max", "64", "--out", dir.toString());
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("kernel bump (b = 0.5 x std of projected keys)"), run.out());
        Path folder = onlyRunFolder();
        RunResults results = ResultsIO.read(folder);
        assertTrue(results.allPassed());
        assertEquals("bump", results.config().kernel());
        assertTrue(Files.readString(folder.resolve("index.html")).contains("kernel bump (b = 0.5 x std of projected keys)"));

        CliRun validate = CliRun.of("validate", "--kernel", "bump", "--bandwidth", "0.7", "--ragged", "--sizes", "1,50",
                "--generators", "gaussian,many_ties", "--backends", "jvm-par");
        assertEquals(0, validate.exitCode(), validate.out() + validate.err());
        assertTrue(validate.out().lines().filter(line -> line.startsWith("jvm-par") && line.contains(" bump ")
                && line.contains("ragged") && line.endsWith("PASS")).count() == 4, validate.out());

        CliRun wrong = CliRun.of("showcase", "--kernel", "relu", "--bandwidth", "1", "--out", dir.toString());
        assertEquals(ExitCode.BAD_INPUT, wrong.exitCode());
        assertEquals("error: --bandwidth applies to --kernel bump only", wrong.errorLine());
        assertEquals(1, runFolders().size(), "a refused run leaves no folder");
    }

    @Test
    void showcaseWritesResultsThatHoldWhatTheTablePrinted() throws IOException {
        CliRun run = CliRun.of("showcase", "--sizes", "64,300", "--dim", "8", "--value-dim", "4", "--repeats", "2",
                "--softmax-max", "64", "--out", dir.toString());
        assertEquals(0, run.exitCode(), run.out() + run.err());
        Path folder = onlyRunFolder();
        RunResults results = ResultsIO.read(folder);
        assertTrue(results.allPassed());
        assertEquals(List.of("jvm-seq", "jvm-par"), results.backends());
        assertEquals(4, results.runs().size());
        for (RunRecord record : results.runs()) {
            // Each record appears in the printed table as "<backend> <n> ..." with its verdict.
            assertTrue(run.out().lines().anyMatch(line -> line.startsWith(record.backend())
                    && line.split("\\s+")[1].equals(String.valueOf(record.n())) && line.endsWith("PASS")), record.toString());
            assertTrue(record.totalMillis() > 0 && record.relError() <= record.tolerance());
            assertEquals(RunRecord.REFERENCE_NAIVE, record.reference());
            if (record.n() == 64) {
                assertNotNull(record.softmaxMillis());
            } else {
                assertNull(record.softmaxMillis());
            }
        }
        List<String> csv = Files.readAllLines(folder.resolve(ResultsIO.RESULTS_CSV));
        assertEquals(1 + results.runs().size(), csv.size());
        assertTrue(Files.size(folder.resolve("index.html")) > 0);
        // The kernel gallery, without a device: the Java kernels and twins, and how to get the device column.
        String gallery = Files.readString(folder.resolve("kernels.html"));
        assertTrue(gallery.contains("No device code in this run") && gallery.contains("TORNADOVM_HOME"));
        assertTrue(gallery.contains("ProjectionKernels") && gallery.contains("PrefixSums"));
        assertTrue(Files.readString(folder.resolve("index.html")).contains("href=\"kernels.html\""));
        assertTrue(run.out().contains("gallery: " + folder.resolve("kernels.html")), run.out());
        try (Stream<Path> files = Files.list(folder)) {
            long charts = files.filter(f -> f.toString().endsWith(".png")).count();
            assertTrue(charts >= 4, "charts: " + charts);
        }
        assertTrue(run.out().contains("PASS: every result validated."));

        // chart re-renders from results.json alone.
        Files.delete(folder.resolve("index.html"));
        Files.delete(folder.resolve("kernels.html"));
        CliRun chart = CliRun.of("chart", folder.toString());
        assertEquals(0, chart.exitCode(), chart.err());
        assertTrue(Files.exists(folder.resolve("index.html")));
        assertTrue(Files.exists(folder.resolve("kernels.html")), "chart re-renders the gallery too");

        // Two folders make a comparison in a new folder.
        CliRun second = CliRun.of("showcase", "--sizes", "64", "--dim", "8", "--value-dim", "4", "--repeats", "1",
                "--backends", "jvm-par", "--out", dir.toString());
        assertEquals(0, second.exitCode(), second.err());
        List<Path> folders = runFolders();
        assertEquals(2, folders.size(), "each run gets its own folder");
        Path comparisons = dir.resolve("comparisons");
        CliRun compare = CliRun.of("chart", folders.get(0).toString(), folders.get(1).toString(), "--out", comparisons.toString());
        assertEquals(0, compare.exitCode(), compare.err());
        try (Stream<Path> made = Files.list(comparisons)) {
            Path target = made.findFirst().orElseThrow();
            assertTrue(Files.exists(target.resolve("index.html")));
        }
    }

    @Test
    void badOptionsGiveOneLineAndNoFolder() {
        CliRun sizes = CliRun.of("showcase", "--sizes", "0", "--out", dir.toString());
        assertEquals(ExitCode.BAD_INPUT, sizes.exitCode());
        assertTrue(sizes.errorLine().contains("n = 0"), sizes.err());
        CliRun backend = CliRun.of("showcase", "--sizes", "8", "--backends", "gpu-magic", "--out", dir.toString());
        assertEquals(ExitCode.BAD_INPUT, backend.exitCode());
        assertTrue(backend.errorLine().contains("unknown backend 'gpu-magic'"), backend.err());
        CliRun generator = CliRun.of("showcase", "--sizes", "8", "--generator", "uniformish", "--out", dir.toString());
        assertEquals(ExitCode.BAD_INPUT, generator.exitCode());
        assertTrue(generator.errorLine().contains("uniformish"), generator.err());
        assertEquals(List.of(), runFolders());
    }

    @Test
    void validatePrintsAPassFailTableAndExitsZero() {
        CliRun run = CliRun.of("validate", "--sizes", "1,3,257", "--generators", "shared_offset,all_keys_equal");
        assertEquals(0, run.exitCode(), run.out() + run.err());
        long passLines = run.out().lines().filter(l -> l.endsWith("PASS")).count();
        assertEquals(2 * 3 * 2, passLines, run.out());
    }

    @Test
    void devicesListsTheJvmBackendsAndHowToEnableTornadoVm() {
        CliRun run = CliRun.of("devices");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains("jvm-seq") && run.out().contains("jvm-par"), run.out());
        assertTrue(run.out().contains("TORNADOVM_HOME"), run.out());
    }

    @Test
    void everyCommandHasHelpWithExamples() {
        for (String command : new String[] {"showcase", "devices", "attend", "validate", "chart"}) {
            CliRun run = CliRun.of(command, "--help");
            assertEquals(0, run.exitCode(), command);
            assertTrue(run.out().contains("Example"), command + ":\n" + run.out());
        }
        CliRun unknown = CliRun.of("frobnicate");
        assertEquals(ExitCode.BAD_INPUT, unknown.exitCode());
    }

    private Path onlyRunFolder() {
        List<Path> folders = runFolders();
        assertEquals(1, folders.size(), folders.toString());
        return folders.get(0);
    }

    private List<Path> runFolders() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isDirectory).filter(f -> !f.getFileName().toString().equals("comparisons")).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
