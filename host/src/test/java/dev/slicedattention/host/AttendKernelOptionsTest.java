package dev.slicedattention.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.ErrorMetrics;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.NaiveReference;
import dev.slicedattention.validation.Shape;
import dev.slicedattention.validation.npy.Npy;
import dev.slicedattention.validation.npy.NpyArray;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code attend --kernel bump --bandwidth … --key-lengths … --query-lengths …}: results and refusals. */
class AttendKernelOptionsTest {
    @TempDir
    Path dir;

    private final AttentionBatch batch = InputGenerator.GAUSSIAN.generate(new Shape(3, 20, 40, 6, 4), 9);

    private String[] args(String... more) {
        Npy.write(dir.resolve("q.npy"), new int[] {3, 20, 6}, batch.q());
        Npy.write(dir.resolve("k.npy"), new int[] {3, 40, 6}, batch.k());
        Npy.write(dir.resolve("v.npy"), new int[] {3, 40, 4}, batch.v());
        Npy.write(dir.resolve("t.npy"), new int[] {3, 6}, batch.theta());
        String[] base = {"attend", "--q", path("q.npy"), "--k", path("k.npy"), "--v", path("v.npy"),
                "--theta", path("t.npy"), "--out", path("o.npy")};
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    private String path(String name) {
        return dir.resolve(name).toString();
    }

    private void check(AttentionOptions options) {
        AttentionBatch expected = batch.withOptions(options);
        NpyArray out = Npy.read(dir.resolve("o.npy"));
        assertArrayEquals(new int[] {3, 20, 4}, out.shape());
        ErrorMetrics error = ErrorMetrics.compare(out.data(), NaiveReference.attend(expected), expected);
        assertTrue(error.relativeError() <= 1e-5, error.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"jvm-seq", "jvm-par"})
    void bumpWithOneBandwidth(String backend) {
        CliRun run = CliRun.of(args("--kernel", "bump", "--bandwidth", "2.5", "--backend", backend));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("attend: bump kernel on " + backend), run.err());
        check(AttentionOptions.bump(2.5f));
    }

    @Test
    void bumpWithABandwidthPerProblemAndRaggedLengths() throws IOException {
        Npy.write(dir.resolve("b.npy"), new int[] {3}, new float[] {1f, 2f, 4f});
        Files.write(dir.resolve("keys.npy"), int64Npy(40, 7, 1));
        Npy.write(dir.resolve("queries.npy"), new int[] {3}, new double[] {5, 20, 1});
        CliRun run = CliRun.of(args("--kernel", "bump", "--bandwidth", path("b.npy"), "--key-lengths", path("keys.npy"),
                "--query-lengths", path("queries.npy")));
        assertEquals(0, run.exitCode(), run.err());
        check(AttentionOptions.bump(1f, 2f, 4f).withKeyLengths(40, 7, 1).withQueryLengths(5, 20, 1));
    }

    @Test
    void reluIsTheDefaultAndTakesLengths() throws IOException {
        Files.write(dir.resolve("keys.npy"), int64Npy(3, 40, 12));
        CliRun run = CliRun.of(args("--key-lengths", path("keys.npy")));
        assertEquals(0, run.exitCode(), run.err());
        check(AttentionOptions.relu().withKeyLengths(3, 40, 12));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--kernel,bump|--kernel bump needs --bandwidth B (a number > 0, or a .npy of one value per problem)",
            "--kernel,bump,--bandwidth,0|the bandwidth must be a finite number > 0, got 0.0",
            "--kernel,bump,--bandwidth,-1|the bandwidth must be a finite number > 0, got -1.0",
            "--kernel,bump,--bandwidth,NaN|the bandwidth must be a finite number > 0, got NaN",
            "--kernel,bump,--bandwidth,Infinity|the bandwidth must be a finite number > 0, got Infinity",
            "--kernel,bump,--bandwidth,wide|--bandwidth must be a number or a .npy file, got 'wide'",
            "--kernel,bump,--bandwidth,auto|--bandwidth auto is for generated inputs; for your tensors give b itself",
            "--bandwidth,1|--bandwidth applies to --kernel bump only",
            "--kernel,softmax|unknown kernel 'softmax': choose relu or bump"})
    void badKernelOptionsAreRefusedWithOneLine(String options, String message) {
        CliRun run = CliRun.of(args(options.split(",")));
        assertEquals(ExitCode.BAD_INPUT, run.exitCode(), run.err());
        assertEquals("error: " + message, run.errorLine());
        assertFalse(Files.exists(dir.resolve("o.npy")));
    }

    @Test
    void badLengthsAreRefusedNamingTheProblem() throws IOException {
        Files.write(dir.resolve("keys.npy"), int64Npy(40, 41, 1));
        CliRun run = CliRun.of(args("--key-lengths", path("keys.npy")));
        assertEquals(ExitCode.BAD_INPUT, run.exitCode(), run.err());
        assertEquals("error: key length of problem 1 is 41, more than the 40 keys the tensors hold (n = 40)", run.errorLine());
        Files.write(dir.resolve("keys.npy"), int64Npy(40, 0, 1));
        run = CliRun.of(args("--key-lengths", path("keys.npy")));
        assertEquals("error: key length of problem 1 is 0: every problem needs at least 1 key", run.errorLine());
        Files.write(dir.resolve("keys.npy"), int64Npy(40, 1));
        run = CliRun.of(args("--query-lengths", path("keys.npy")));
        assertEquals("error: the query lengths hold 2 values; give one per problem (3)", run.errorLine());
        Npy.write(dir.resolve("keys.npy"), new int[] {3}, new float[] {1f, 2.5f, 3f});
        run = CliRun.of(args("--query-lengths", path("keys.npy")));
        assertEquals("error: " + path("keys.npy") + ": value 2.5 at index [1] is not an integer", run.errorLine());
        assertFalse(Files.exists(dir.resolve("o.npy")));
    }

    @Test
    void causalNeedsSelfAttentionAndMatchesTheReference() {
        CliRun refused = CliRun.of(args("--causal"));
        assertEquals(ExitCode.BAD_INPUT, refused.exitCode());
        assertEquals("error: causal attention is self-attention: it needs m = n, got m = 20, n = 40", refused.errorLine());
        AttentionBatch self = InputGenerator.GAUSSIAN.generate(new Shape(3, 40, 40, 6, 4), 4);
        Npy.write(dir.resolve("q.npy"), new int[] {3, 40, 6}, self.q());
        Npy.write(dir.resolve("k.npy"), new int[] {3, 40, 6}, self.k());
        Npy.write(dir.resolve("v.npy"), new int[] {3, 40, 4}, self.v());
        Npy.write(dir.resolve("t.npy"), new int[] {3, 6}, self.theta());
        CliRun run = CliRun.of("attend", "--causal", "--kernel", "bump", "--bandwidth", "3", "--backend", "jvm-par",
                "--q", path("q.npy"), "--k", path("k.npy"), "--v", path("v.npy"), "--theta", path("t.npy"), "--out", path("o.npy"));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("attend: causal bump kernel on jvm-par"), run.err());
        AttentionBatch expected = self.withOptions(AttentionOptions.bump(3f).causal(true));
        ErrorMetrics error = ErrorMetrics.compare(Npy.read(dir.resolve("o.npy")).data(), NaiveReference.attend(expected), expected);
        assertTrue(error.relativeError() <= 1e-5, error.toString());
    }

    /** Finite V whose result lies beyond float32: refused before anything is written (SPEC §6). */
    @Test
    void aResultBeyondFloat32IsRefusedAndNothingIsWritten() {
        float big = 3.0e38f;
        Npy.write(dir.resolve("q.npy"), new int[] {1, 1}, new float[] {19f});
        Npy.write(dir.resolve("k.npy"), new int[] {3, 1}, new float[] {0f, 18f, 20f});
        Npy.write(dir.resolve("v.npy"), new int[] {3, 1}, new float[] {big, big, -big});
        Npy.write(dir.resolve("t.npy"), new int[] {1}, new float[] {1f});
        CliRun run = CliRun.of("attend", "--q", path("q.npy"), "--k", path("k.npy"), "--v", path("v.npy"),
                "--theta", path("t.npy"), "--out", path("o.npy"), "--backend", "jvm-par");
        assertEquals(ExitCode.BAD_INPUT, run.exitCode(), run.err());
        assertTrue(run.errorLine().startsWith("error: the output at [0, 0, 0] cannot be represented in float32"), run.err());
        assertFalse(Files.exists(dir.resolve("o.npy")));
    }

    /** An int64 .npy of the given values, as numpy.save(np.array([...], dtype=np.int64)) writes it. */
    static byte[] int64Npy(long... values) {
        String dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (" + values.length + ",), }";
        StringBuilder header = new StringBuilder(dict);
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        byte[] text = header.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(10 + text.length + 8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) text.length).put(text);
        for (long value : values) {
            out.putLong(value);
        }
        return out.array();
    }
}
