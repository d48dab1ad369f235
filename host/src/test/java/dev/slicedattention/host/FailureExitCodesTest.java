package dev.slicedattention.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.results.ResultsIO;
import dev.slicedattention.results.RunResults;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Shape;
import dev.slicedattention.validation.npy.Npy;
import dev.slicedattention.validation.AttentionBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exit codes of a failed validation and a failed device, through test backends that misbehave on purpose. */
class FailureExitCodesTest {
    @TempDir
    Path dir;

    @BeforeEach
    void enable() {
        System.setProperty(FaultyProvider.ENABLE, "true");
    }

    @AfterEach
    void disable() {
        System.clearProperty(FaultyProvider.ENABLE);
    }

    @Test
    void devicesPrintsEachProvidersHintsUnderItsFamily() {
        CliRun run = CliRun.of("devices");
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().lines().anyMatch(l -> l.equals("faulty: " + FaultyProvider.HINT)), run.out());
    }

    @Test
    void validateExitsOneWhenABackendIsWrongAndNamesIt() {
        CliRun run = CliRun.of("validate", "--backends", "faulty-wrong", "--sizes", "8", "--generators", "gaussian");
        assertEquals(ExitCode.VALIDATION_FAILED, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("faulty-wrong") && l.endsWith("FAIL")), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("jvm-seq") && l.endsWith("PASS")), run.out());
        assertTrue(run.out().contains("FAIL: 1 checks failed."), run.out());
    }

    @Test
    void showcaseWithAWrongBackendStillWritesItsResultsAndExitsOne() throws IOException {
        CliRun run = CliRun.of("showcase", "--sizes", "16", "--dim", "4", "--value-dim", "2", "--repeats", "1",
                "--backends", "faulty-wrong", "--out", dir.toString());
        assertEquals(ExitCode.VALIDATION_FAILED, run.exitCode(), run.out() + run.err());
        List<Path> folders = folders(dir);
        assertEquals(1, folders.size());
        RunResults results = ResultsIO.read(folders.get(0));
        assertEquals(false, results.allPassed());
        assertTrue(run.out().contains("FAIL: 1 of 2 results"), run.out());
    }

    @Test
    void aDeviceFailureIsOneLineExitThreeAndLeavesNoFolder() {
        CliRun run = CliRun.of("showcase", "--sizes", "16", "--dim", "4", "--value-dim", "2", "--repeats", "1",
                "--backends", "faulty-broken", "--out", dir.toString());
        assertEquals(ExitCode.DEVICE_FAILURE, run.exitCode(), run.err());
        assertTrue(run.errorLine().startsWith("error: the device 'test device' failed"), run.err());
        assertEquals(List.of(), folders(dir));

        CliRun validate = CliRun.of("validate", "--backends", "faulty-broken", "--sizes", "8");
        assertEquals(ExitCode.DEVICE_FAILURE, validate.exitCode(), validate.err());
    }

    @Test
    void runningOutOfMemoryIsOneLineExitThreeAndLeavesNoOutput() {
        AttentionBatch batch = InputGenerator.GAUSSIAN.generate(new Shape(1, 4, 6, 3, 2), 1);
        Npy.write(dir.resolve("q.npy"), new int[] {4, 3}, batch.q());
        Npy.write(dir.resolve("k.npy"), new int[] {6, 3}, batch.k());
        Npy.write(dir.resolve("v.npy"), new int[] {6, 2}, batch.v());
        Npy.write(dir.resolve("t.npy"), new int[] {3}, batch.theta());
        CliRun run = CliRun.of("attend", "--q", dir.resolve("q.npy").toString(), "--k", dir.resolve("k.npy").toString(),
                "--v", dir.resolve("v.npy").toString(), "--theta", dir.resolve("t.npy").toString(),
                "--out", dir.resolve("o.npy").toString(), "--backend", "faulty-oom");
        assertEquals(ExitCode.DEVICE_FAILURE, run.exitCode(), run.err());
        assertTrue(run.errorLine().startsWith("error: out of memory"), run.err());
        assertTrue(!Files.exists(dir.resolve("o.npy")));

        Path results = dir.resolve("results");
        CliRun showcase = CliRun.of("showcase", "--sizes", "16", "--dim", "4", "--value-dim", "2", "--repeats", "1",
                "--backends", "faulty-oom", "--out", results.toString());
        assertEquals(ExitCode.DEVICE_FAILURE, showcase.exitCode(), showcase.err());
        assertEquals(List.of(), folders(results));
    }

    /** A backend that corrupts one output row: attend exits 1 with the spot check's line and writes nothing; --no-verify lets it through. */
    @Test
    void aWrongRowFailsAttendsSpotCheckExitOneAndWritesNothing() {
        AttentionBatch batch = InputGenerator.GAUSSIAN.generate(new Shape(1, 3, 40, 3, 2), 1);
        writeInputs(batch, 3, 40);
        CliRun run = attend("faulty-row");
        assertEquals(ExitCode.VALIDATION_FAILED, run.exitCode(), run.err());
        assertTrue(run.errorLine().startsWith("error: the spot check of faulty-row (test device)'s result failed: problem 0, query "
                + FaultyProvider.CORRUPT_ROW + ", column "), run.err());
        assertTrue(run.errorLine().matches(".*expected -?[0-9.e+-]+ \\(float64 reference\\), found -?[0-9.e+-]+; relative error .*"),
                run.errorLine());
        assertTrue(!Files.exists(dir.resolve("o.npy")), "nothing written");

        CliRun unchecked = attend("faulty-row", "--no-verify");
        assertEquals(ExitCode.OK, unchecked.exitCode(), unchecked.err());
        assertTrue(Files.exists(dir.resolve("o.npy")));
    }

    @Test
    void aDeviceFailureInAttendIsExitThreeAndWritesNothing() {
        writeInputs(InputGenerator.GAUSSIAN.generate(new Shape(1, 3, 40, 3, 2), 1), 3, 40);
        CliRun run = attend("faulty-broken");
        assertEquals(ExitCode.DEVICE_FAILURE, run.exitCode(), run.err());
        assertTrue(run.errorLine().startsWith("error: the device 'test device' failed"), run.err());
        assertTrue(!Files.exists(dir.resolve("o.npy")), "nothing written");
    }

    private void writeInputs(AttentionBatch batch, int m, int n) {
        Npy.write(dir.resolve("q.npy"), new int[] {m, batch.d()}, batch.q());
        Npy.write(dir.resolve("k.npy"), new int[] {n, batch.d()}, batch.k());
        Npy.write(dir.resolve("v.npy"), new int[] {n, batch.e()}, batch.v());
        Npy.write(dir.resolve("t.npy"), new int[] {batch.d()}, batch.theta());
    }

    private CliRun attend(String backend, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("attend", "--q", dir.resolve("q.npy").toString(),
                "--k", dir.resolve("k.npy").toString(), "--v", dir.resolve("v.npy").toString(),
                "--theta", dir.resolve("t.npy").toString(), "--out", dir.resolve("o.npy").toString(), "--backend", backend));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static List<Path> folders(Path parent) {
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(parent)) {
            return files.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
