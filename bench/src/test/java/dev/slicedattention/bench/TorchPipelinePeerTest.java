package dev.slicedattention.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slicedattention.bench.peers.PeerComparison;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.Bandwidths;
import dev.slicedattention.validation.ErrorMetrics;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.NaiveReference;
import dev.slicedattention.validation.Shape;
import dev.slicedattention.validation.npy.Npy;
import dev.slicedattention.validation.npy.NpyArray;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The PyTorch pipeline peer ({@code bench/peers/torch_pipeline.py}): its {@code attend} command against
 * the project's float64 naive reference, every kernel, on small Gaussian inputs (m ≠ n and d ≠ e where
 * the kernel allows it, and a causal length that is not a power of two, which the peer pads), and its
 * {@code time} command's JSON (every stage, the check against float64). Optional: skipped, with the
 * reason, where python3 cannot import torch and numpy.
 */
class TorchPipelinePeerTest {
    private static final Path SCRIPT = PeerComparison.repository().resolve("bench/peers/torch_pipeline.py");
    private static String skipReason;

    @TempDir
    Path folder;

    @BeforeAll
    static void findTorch() throws Exception {
        Result probe = python(List.of("-c", "import torch, numpy"));
        skipReason = probe == null ? "python3 is not on the PATH"
                : probe.exit != 0 ? "python3 cannot import torch and numpy (" + probe.lastLine() + ")" : null;
    }

    @ParameterizedTest
    @ValueSource(strings = {"relu", "bump", "causal-relu", "causal-bump"})
    void agreesWithTheFloat64NaiveReference(String kernel) throws Exception {
        assumeTrue(skipReason == null, () -> skipReason + ": the PyTorch pipeline peer is not checked");
        boolean causal = kernel.startsWith("causal-");
        int n = 1000, m = causal ? n : 700, d = 24, e = 40;
        AttentionBatch batch = InputGenerator.GAUSSIAN.generate(new Shape(1, m, n, d, e), 20261207L);
        AttentionOptions options = kernel.endsWith("bump")
                ? AttentionOptions.bump(Bandwidths.relativeToKeys(batch, Bandwidths.DEFAULT_FACTOR)) : AttentionOptions.relu();
        batch = batch.withOptions(options.causal(causal));

        List<String> args = new ArrayList<>(List.of(SCRIPT.toString(), "attend",
                write("q", new int[] {m, d}, batch.q()), write("k", new int[] {n, d}, batch.k()),
                write("v", new int[] {n, e}, batch.v()), write("theta", new int[] {d}, batch.theta()),
                folder.resolve("out.npy").toString(), "--kernel", kernel));
        if (kernel.endsWith("bump")) {
            args.addAll(List.of("--bandwidth", Float.toString(batch.bandwidth(0))));
        }
        Result run = python(args);
        assertEquals(0, run.exit, run.output);
        NpyArray out = Npy.read(folder.resolve("out.npy"));
        assertArrayEquals(new int[] {m, e}, out.shape());
        ErrorMetrics error = ErrorMetrics.compare(out.data(), NaiveReference.attend(batch), batch);
        // SPEC §6's JVM target; the peer measures 1e-7 .. 2e-6 here (float32 sums).
        assertTrue(error.relativeError() <= 1e-5, kernel + ": relative error " + error.relativeError());
    }

    @Test
    void timeWritesEveryStageAndTheCheckOfEveryKernel() throws Exception {
        assumeTrue(skipReason == null, () -> skipReason + ": the PyTorch pipeline peer is not checked");
        Path json = folder.resolve("pipeline.json");
        Result run = python(List.of(SCRIPT.toString(), "time", "--device", "cpu", "--sizes", "2^8", "--dim", "16",
                "--repeats", "2", "--warmup", "0", "--json", json.toString()));
        assertEquals(0, run.exit, run.output);
        JsonNode rows = new ObjectMapper().readTree(json.toFile()).get("rows");
        assertEquals(4, rows.size(), rows.toString());
        for (JsonNode row : rows) {
            String kernel = row.get("kernel").asText();
            assertEquals(256, row.get("n").asInt());
            assertEquals("naive float64", row.get("reference").asText());
            assertTrue(row.get("maxRelError").asDouble() <= 1e-5, row.toString());
            assertTrue(row.get("forwardDevice").get("medianMillis").asDouble() > 0, row.toString());
            for (String stage : List.of("projection", "sort", "prefixSum", "rank", "combine")) {
                assertTrue(row.get("stages").get(stage).get("medianMillis").asDouble() > 0, kernel + " " + stage);
            }
            // the authors' module computes only the plain kernels
            assertEquals(kernel.startsWith("causal-"), row.get("authorsRelDiff").isNull(), row.toString());
            if (!kernel.startsWith("causal-")) {
                assertTrue(row.get("authorsRelDiff").asDouble() <= 1e-5, row.toString());
            }
        }
    }

    @Test
    void refusesMismatchedShapesWithOneLineAndExitTwo() throws Exception {
        assumeTrue(skipReason == null, () -> skipReason + ": the PyTorch pipeline peer is not checked");
        Path out = folder.resolve("out.npy");
        Result run = python(List.of(SCRIPT.toString(), "attend", write("q", new int[] {4, 3}, new float[12]),
                write("k", new int[] {5, 3}, new float[15]), write("v", new int[] {6, 2}, new float[12]),
                write("theta", new int[] {3}, new float[3]), out.toString()));
        assertEquals(2, run.exit, run.output);
        assertEquals(1, run.output.strip().lines().count(), run.output);
        assertTrue(run.output.contains("shapes do not fit"), run.output);
        assertFalse(Files.exists(out));
    }

    private String write(String name, int[] shape, float[] data) {
        Path file = folder.resolve(name + ".npy");
        Npy.write(file, shape, data);
        return file.toString();
    }

    private record Result(int exit, String output) {
        String lastLine() {
            String text = output.strip();
            return text.isEmpty() ? "no output" : text.substring(text.lastIndexOf('\n') + 1);
        }
    }

    /** python3 with these arguments, its exit code and output; null when python3 does not start. */
    private static Result python(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("python3"));
        command.addAll(args);
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException notInstalled) {
            return null;
        }
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, "python3 did not finish in 2 minutes");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
