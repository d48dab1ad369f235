package dev.slicedattention.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.ErrorMetrics;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.NaiveReference;
import dev.slicedattention.validation.Shape;
import dev.slicedattention.validation.npy.Npy;
import dev.slicedattention.validation.npy.NpyArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code attend} end to end: .npy in, .npy out, against the float64 reference; and every refusal. */
class AttendCommandTest {
    @TempDir
    Path dir;

    private String[] write(AttentionBatch batch, boolean batched) {
        int p = batch.heads(), m = batch.m(), n = batch.n(), d = batch.d(), e = batch.e();
        Npy.write(dir.resolve("q.npy"), batched ? new int[] {p, m, d} : new int[] {m, d}, batch.q());
        Npy.write(dir.resolve("k.npy"), batched ? new int[] {p, n, d} : new int[] {n, d}, batch.k());
        Npy.write(dir.resolve("v.npy"), batched ? new int[] {p, n, e} : new int[] {n, e}, batch.v());
        Npy.write(dir.resolve("t.npy"), batched ? new int[] {p, d} : new int[] {d}, batch.theta());
        return new String[] {"attend", "--q", path("q.npy"), "--k", path("k.npy"), "--v", path("v.npy"),
                "--theta", path("t.npy"), "--out", path("o.npy")};
    }

    private String path(String name) {
        return dir.resolve(name).toString();
    }

    private String[] with(String[] args, String... more) {
        String[] all = Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    @ParameterizedTest
    @ValueSource(strings = {"jvm-seq", "jvm-par", "fastest"})
    void oneHeadMatchesTheReference(String backend) {
        AttentionBatch batch = InputGenerator.SHARED_OFFSET.generate(new Shape(1, 50, 333, 8, 5), 3);
        CliRun run = CliRun.of(with(write(batch, false), "--backend", backend));
        assertEquals(0, run.exitCode(), run.err());
        NpyArray out = Npy.read(dir.resolve("o.npy"));
        assertArrayEquals(new int[] {50, 5}, out.shape());
        ErrorMetrics error = ErrorMetrics.compare(out.data(), NaiveReference.attend(batch), batch);
        assertTrue(error.relativeError() <= 1e-5, error.toString());
    }

    @Test
    void batchedHeadsGiveABatchedOutput() {
        AttentionBatch batch = InputGenerator.MANY_TIES.generate(new Shape(3, 20, 70, 4, 6), 5);
        CliRun run = CliRun.of(write(batch, true));
        assertEquals(0, run.exitCode(), run.err());
        NpyArray out = Npy.read(dir.resolve("o.npy"));
        assertArrayEquals(new int[] {3, 20, 6}, out.shape());
        ErrorMetrics error = ErrorMetrics.compare(out.data(), NaiveReference.attend(batch), batch);
        assertTrue(error.relativeError() <= 1e-5, error.toString());
    }

    @Test
    void aMissingFileIsNamedAndNothingIsWritten() throws IOException {
        String[] args = write(InputGenerator.GAUSSIAN.generate(new Shape(1, 4, 4, 2, 2), 1), false);
        Files.delete(dir.resolve("k.npy"));
        CliRun run = CliRun.of(args);
        assertEquals(ExitCode.BAD_INPUT, run.exitCode());
        assertTrue(run.errorLine().startsWith("error: ") && run.errorLine().contains("k.npy: no such file"), run.err());
        assertNoOutput();
    }

    @Test
    void aWrongDtypeIsRefused() throws IOException {
        String[] args = write(InputGenerator.GAUSSIAN.generate(new Shape(1, 4, 4, 2, 2), 1), false);
        byte[] bytes = Files.readAllBytes(dir.resolve("v.npy"));
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).replace("<f4", "<i4");
        Files.write(dir.resolve("v.npy"), text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        CliRun run = CliRun.of(args);
        assertEquals(ExitCode.BAD_INPUT, run.exitCode());
        assertTrue(run.errorLine().contains("v.npy") && run.errorLine().contains("<i4"), run.err());
        assertNoOutput();
    }

    /**
     * Inputs as NumPy also writes them — float16, big-endian float32 in Fortran order (np.save(x.T)),
     * big-endian float64 — give exactly what the same values as little-endian float32 give.
     */
    @Test
    void everyFloatLayoutNumPyWritesIsReadAsItsValues() throws IOException {
        AttentionBatch batch = InputGenerator.GAUSSIAN.generate(new Shape(1, 6, 40, 4, 3), 2);
        String[] args = with(write(batch, false), "--backend", "jvm-seq");
        NumPyLayouts.write(dir.resolve("q.npy"), "<f2", false, new int[] {6, 4}, batch.q());
        NumPyLayouts.write(dir.resolve("k.npy"), ">f4", true, new int[] {40, 4}, batch.k());
        NumPyLayouts.write(dir.resolve("v.npy"), ">f8", true, new int[] {40, 3}, batch.v());
        NumPyLayouts.write(dir.resolve("t.npy"), ">f2", false, new int[] {4}, batch.theta());
        float[][] read = new float[4][];
        String[] names = {"q.npy", "k.npy", "v.npy", "t.npy"};
        for (int i = 0; i < names.length; i++) {
            read[i] = Npy.read(dir.resolve(names[i])).data();
        }
        assertArrayEquals(batch.k(), read[1], "big-endian Fortran float32 holds the values themselves");
        assertEquals(0, CliRun.of(args).exitCode());
        float[] exotic = Npy.read(dir.resolve("o.npy")).data();

        Files.delete(dir.resolve("o.npy"));
        Npy.write(dir.resolve("q.npy"), new int[] {6, 4}, read[0]);
        Npy.write(dir.resolve("k.npy"), new int[] {40, 4}, read[1]);
        Npy.write(dir.resolve("v.npy"), new int[] {40, 3}, read[2]);
        Npy.write(dir.resolve("t.npy"), new int[] {4}, read[3]);
        assertEquals(0, CliRun.of(args).exitCode());
        assertArrayEquals(Npy.read(dir.resolve("o.npy")).data(), exotic);
    }

    @Test
    void nanAndInfinityInFloat16AreRefusedAsInFloat32() throws IOException {
        AttentionBatch batch = InputGenerator.GAUSSIAN.generate(new Shape(1, 4, 6, 3, 2), 1);
        String[] args = write(batch, false);
        float[] q = batch.q().clone();
        q[2 * 3 + 1] = Float.NaN;
        NumPyLayouts.write(dir.resolve("q.npy"), "<f2", false, new int[] {4, 3}, q);
        CliRun run = CliRun.of(args);
        assertEquals(ExitCode.BAD_INPUT, run.exitCode());
        assertTrue(run.errorLine().contains("Q contains NaN at index [2, 1]"), run.err());
        assertNoOutput();

        Npy.write(dir.resolve("q.npy"), new int[] {4, 3}, batch.q());
        float[] k = batch.k().clone();
        k[5 * 3 + 2] = 70000f;                               // beyond float16's largest, 65504: stored as +inf
        NumPyLayouts.write(dir.resolve("k.npy"), ">f2", true, new int[] {6, 3}, k);
        run = CliRun.of(args);
        assertEquals(ExitCode.BAD_INPUT, run.exitCode());
        assertTrue(run.errorLine().contains("K contains +Infinity at index [5, 2]"), run.err());
        assertNoOutput();
    }

    @Test
    void mismatchedShapesAreRefused() {
        String[] args = write(InputGenerator.GAUSSIAN.generate(new Shape(1, 4, 6, 3, 2), 1), false);
        Npy.write(dir.resolve("v.npy"), new int[] {5, 2}, new float[10]);
        CliRun run = CliRun.of(args);
        assertEquals(ExitCode.BAD_INPUT, run.exitCode());
        assertTrue(run.errorLine().contains("the number of keys n differs: K has 6, V has 5"), run.err());
        assertNoOutput();
    }

    @Test
    void nanIsRefusedWithItsTensorAndIndex() {
        AttentionBatch batch = InputGenerator.GAUSSIAN.generate(new Shape(1, 4, 6, 3, 2), 1);
        String[] args = write(batch, false);
        float[] q = batch.q().clone();
        q[2 * 3 + 1] = Float.NaN;
        Npy.write(dir.resolve("q.npy"), new int[] {4, 3}, q);
        CliRun run = CliRun.of(args);
        assertEquals(ExitCode.BAD_INPUT, run.exitCode());
        assertTrue(run.errorLine().contains("Q contains NaN at index [2, 1]"), run.err());
        assertNoOutput();
    }

    @Test
    void noKeysIsRefused() {
        String[] args = write(InputGenerator.GAUSSIAN.generate(new Shape(1, 4, 6, 3, 2), 1), false);
        Npy.write(dir.resolve("k.npy"), new int[] {0, 3}, new float[0]);
        Npy.write(dir.resolve("v.npy"), new int[] {0, 2}, new float[0]);
        CliRun run = CliRun.of(args);
        assertEquals(ExitCode.BAD_INPUT, run.exitCode());
        assertTrue(run.errorLine().contains("n = 0"), run.err());
        assertNoOutput();
    }

    @Test
    void anUnknownBackendListsTheAvailableOnes() {
        String[] args = write(InputGenerator.GAUSSIAN.generate(new Shape(1, 4, 6, 3, 2), 1), false);
        CliRun run = CliRun.of(with(args, "--backend", "tornado:7:7"));
        assertEquals(ExitCode.BAD_INPUT, run.exitCode());
        assertTrue(run.errorLine().contains("unknown backend 'tornado:7:7'") && run.errorLine().contains("jvm-par"), run.err());
        assertNoOutput();
    }

    @Test
    void anExistingOutputIsNotOverwrittenWithoutForce() throws IOException {
        String[] args = write(InputGenerator.GAUSSIAN.generate(new Shape(1, 4, 6, 3, 2), 1), false);
        Files.writeString(dir.resolve("o.npy"), "precious");
        CliRun run = CliRun.of(args);
        assertEquals(ExitCode.BAD_INPUT, run.exitCode());
        assertTrue(run.errorLine().contains("--force"), run.err());
        assertEquals("precious", Files.readString(dir.resolve("o.npy")));
        assertEquals(0, CliRun.of(with(args, "--force")).exitCode());
        assertFalse(Files.readString(dir.resolve("o.npy"), java.nio.charset.StandardCharsets.ISO_8859_1).equals("precious"));
    }

    @Test
    void stackTracesOnlyWithVerbose() {
        String[] args = write(InputGenerator.GAUSSIAN.generate(new Shape(1, 4, 6, 3, 2), 1), false);
        CliRun verbose = CliRun.of(with(args, "--backend", "nope", "--verbose"));
        assertEquals(ExitCode.BAD_INPUT, verbose.exitCode());
        assertTrue(verbose.err().contains("\tat "), verbose.err());
    }

    private void assertNoOutput() {
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("o.npy")
                    || f.getFileName().toString().endsWith(".tmp")), "output or temporary file left behind");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
