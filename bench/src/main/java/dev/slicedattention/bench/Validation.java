package dev.slicedattention.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slicedattention.BackendInfo;
import dev.slicedattention.io.AtomicFiles;
import dev.slicedattention.results.ResultsIO;
import dev.slicedattention.results.RunRecord;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.ErrorMetrics;
import dev.slicedattention.validation.TolerancePolicy;
import dev.slicedattention.validation.sequential.SequentialPipeline64;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The accuracy check of a benchmarked forward pass, done once per shape in the benchmark's setup:
 * the output of the untimed first call against the float64 sequential pipeline.
 *
 * <p>JMH runs benchmarks in forked JVMs, so the check is handed back to {@link BenchMain} as a small
 * JSON file in the folder named by the system property {@value #DIR_PROPERTY}. Without that property
 * (a benchmark run from the JMH command line) nothing is checked and the results say so.
 *
 * @param backend          backend name
 * @param heads            P
 * @param m                queries
 * @param n                keys
 * @param d                key dimension
 * @param e                value dimension
 * @param firstCallMillis  the first, untimed call (device plan building and JIT included)
 * @param setupMillis      the part of the first call the backend reported as setup
 * @param firstCallParts   the measured parts of the first call the backend reported, in ms (empty for none)
 * @param relError         {@link ErrorMetrics#relativeError()} against the reference
 * @param maxAbsError      {@link ErrorMetrics#maxAbsError()}
 * @param tolerance        the bound of the backend's {@link TolerancePolicy} at n
 * @param reference        {@link RunRecord#REFERENCE_SEQUENTIAL}
 * @param pass             relError ≤ tolerance and the output finite
 * @param kernel           the kernel checked, relu or bump
 */
public record Validation(String backend, int heads, int m, int n, int d, int e, double firstCallMillis,
                         double setupMillis, java.util.Map<String, Double> firstCallParts, double relError, double maxAbsError, double tolerance,
                         String reference, boolean pass, String kernel) {

    /** The system property naming the folder where forks leave their checks. */
    public static final String DIR_PROPERTY = "sliced.bench.validation.dir";

    /**
     * The float32 policy a backend family is held to: the JVM backends accumulate in float64
     * (SEQUENTIAL_FLOAT32); device backends scan blockwise in float32 (BLOCKED_FLOAT32).
     */
    public static TolerancePolicy policyFor(BackendInfo backend) {
        return backend.tolerancePolicy();
    }

    /** Checks {@code output} against the float64 sequential pipeline. */
    public static Validation check(BackendInfo backend, AttentionBatch batch, float[] output,
                                   double firstCallMillis, double setupMillis, java.util.Map<String, Double> firstCallParts) {
        double[] reference = SequentialPipeline64.forward(batch);
        ErrorMetrics metrics = ErrorMetrics.compare(output, reference, batch);
        boolean finite = true;
        for (float value : output) {
            if (!Float.isFinite(value)) {
                finite = false;
                break;
            }
        }
        double tolerance = policyFor(backend).tolerance(batch.n());
        boolean pass = finite && metrics.relativeError() <= tolerance;
        return new Validation(backend.name(), batch.heads(), batch.m(), batch.n(), batch.d(), batch.e(),
                firstCallMillis, setupMillis, firstCallParts, metrics.relativeError(), metrics.maxAbsError(), tolerance,
                RunRecord.REFERENCE_SEQUENTIAL, pass, BenchInputs.kernelOf(batch));
    }

    /** Whether this JVM was asked to check (the property is set). */
    public static boolean requested() {
        String dir = System.getProperty(DIR_PROPERTY);
        return dir != null && !dir.isBlank();
    }

    /** Leaves this check in the folder of {@value #DIR_PROPERTY}; no-op when unset. */
    public void save() {
        if (!requested()) {
            return;
        }
        Path file = Path.of(System.getProperty(DIR_PROPERTY)).resolve(key(backend, kernel, heads, n, d, e) + ".json");
        try {
            AtomicFiles.writeString(file, ResultsIO.mapper().writeValueAsString(this));
        } catch (IOException failed) {
            throw new UncheckedIOException("cannot write the validation record " + file, failed);
        }
    }

    /** Every check left in {@code dir}, by {@link #key}. */
    public static Map<String, Validation> readAll(Path dir) throws IOException {
        Map<String, Validation> all = new HashMap<>();
        if (!Files.isDirectory(dir)) {
            return all;
        }
        ObjectMapper mapper = ResultsIO.mapper();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                Validation check = mapper.readValue(file.toFile(), Validation.class);
                all.put(key(check.backend, check.kernel, check.heads, check.n, check.d, check.e), check);
            }
        }
        return all;
    }

    /** A file-name-safe key for one backend, kernel and shape. */
    public static String key(String backend, String kernel, int heads, int n, int d, int e) {
        return backend.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + kernel + "-P" + heads + "-n" + n + "-d" + d + "-e" + e;
    }
}
