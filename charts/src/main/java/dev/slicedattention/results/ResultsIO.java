package dev.slicedattention.results;

import dev.slicedattention.io.AtomicFiles;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes a run's results folder: {@code results.json} ({@link RunResults}),
 * {@code results.csv} (one row per {@link RunRecord}) and {@code bench-summary.json}
 * ({@link BenchSummary}). Every write is atomic (temporary file in the same folder, then move).
 */
public final class ResultsIO {
    public static final String RESULTS_JSON = "results.json";
    public static final String RESULTS_CSV = "results.csv";
    public static final String BENCH_SUMMARY_JSON = "bench-summary.json";

    /** The CSV header, in column order. */
    public static final List<String> CSV_COLUMNS = List.of(
            "backend", "device", "heads", "m", "n", "d", "e",
            "projection_ms", "sort_ms", "prefix_sum_ms", "rank_ms", "combine_ms",
            "transfer_in_ms", "transfer_out_ms",
            "total_ms", "first_call_ms", "softmax_ms", "speedup",
            "rel_error", "max_abs_error", "tolerance", "reference", "pass");

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ResultsIO() {}

    /** The shared Jackson mapper (records as JSON objects, pretty-printed; unknown properties ignored). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * Writes {@code results.json} and {@code results.csv} into {@code folder} (created if absent),
     * each atomically.
     *
     * @return the path of results.json
     */
    public static Path write(Path folder, RunResults results) throws IOException {
        Files.createDirectories(folder);
        Path json = folder.resolve(RESULTS_JSON);
        AtomicFiles.writeString(json, MAPPER.writeValueAsString(results) + "\n");
        AtomicFiles.writeString(folder.resolve(RESULTS_CSV), toCsv(results.runs()));
        return json;
    }

    /**
     * Reads a run's results.
     *
     * @param folderOrJsonFile a results folder (results.json is read from it) or the JSON file itself
     * @throws ResultsFileException naming the file when it is missing, unreadable or not valid results JSON
     */
    public static RunResults read(Path folderOrJsonFile) throws ResultsFileException {
        Path file = Files.isDirectory(folderOrJsonFile) ? folderOrJsonFile.resolve(RESULTS_JSON) : folderOrJsonFile;
        RunResults results = readJson(file, RunResults.class, "run results");
        if (results.runId() == null || results.machine() == null) {
            throw new ResultsFileException(file, "Malformed run results in " + file.toAbsolutePath()
                    + ": " + (results.runId() == null ? "\"runId\"" : "\"machine\"") + " is missing", null);
        }
        return results;
    }

    /** Writes {@code bench-summary.json} into {@code folder} atomically; returns its path. */
    public static Path writeBenchSummary(Path folder, BenchSummary summary) throws IOException {
        Files.createDirectories(folder);
        Path json = folder.resolve(BENCH_SUMMARY_JSON);
        AtomicFiles.writeString(json, MAPPER.writeValueAsString(summary) + "\n");
        return json;
    }

    /**
     * Reads a benchmark summary from a folder (its bench-summary.json) or from the file itself.
     *
     * @throws ResultsFileException naming the file when it is missing or malformed
     */
    public static BenchSummary readBenchSummary(Path folderOrJsonFile) throws ResultsFileException {
        Path file = Files.isDirectory(folderOrJsonFile)
                ? folderOrJsonFile.resolve(BENCH_SUMMARY_JSON)
                : folderOrJsonFile;
        return readJson(file, BenchSummary.class, "benchmark summary");
    }

    /** Writes {@code peers.json} into {@code folder} atomically; returns its path. */
    public static Path writePeers(Path folder, PeerResults peers) throws IOException {
        Files.createDirectories(folder);
        Path json = folder.resolve(PeerResults.FILE);
        AtomicFiles.writeString(json, MAPPER.writeValueAsString(peers) + "\n");
        return json;
    }

    /** The peers comparison of a run folder, or null when it has none. */
    public static PeerResults readPeers(Path folder) throws ResultsFileException {
        Path file = folder.resolve(PeerResults.FILE);
        return Files.isRegularFile(file) ? readJson(file, PeerResults.class, "peers comparison") : null;
    }

    /**
     * The launch records a backend wrote beside its kernel dumps ({@code kernelsFolder/launches.json},
     * see {@link KernelLaunch}); empty when there is none.
     *
     * @throws ResultsFileException naming the file when it is malformed
     */
    public static List<KernelLaunch> readKernelLaunches(Path kernelsFolder) throws ResultsFileException {
        Path file = kernelsFolder.resolve(KernelLaunch.FILE);
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        KernelLaunch[] launches = readJson(file, KernelLaunch[].class, "kernel launches");
        return List.of(launches);
    }

    /** The CSV text for the given records: a header line and one line per record (RFC 4180 quoting). */
    public static String toCsv(List<RunRecord> runs) {
        StringBuilder csv = new StringBuilder(String.join(",", CSV_COLUMNS)).append('\n');
        for (RunRecord r : runs) {
            StageTimes s = r.stages();
            List<String> cells = new ArrayList<>(CSV_COLUMNS.size());
            cells.add(csvText(r.backend()));
            cells.add(csvText(r.device()));
            cells.add(Integer.toString(r.heads()));
            cells.add(Integer.toString(r.m()));
            cells.add(Integer.toString(r.n()));
            cells.add(Integer.toString(r.d()));
            cells.add(Integer.toString(r.e()));
            for (String key : StageTimes.KEYS) {
                cells.add(number(s.millis(key)));
            }
            cells.add(number(r.totalMillis()));
            cells.add(r.firstCallMillis() == null ? "" : number(r.firstCallMillis()));
            cells.add(r.softmaxMillis() == null ? "" : number(r.softmaxMillis()));
            cells.add(number(r.speedupOverSeq()));
            cells.add(number(r.relError()));
            cells.add(number(r.maxAbsError()));
            cells.add(number(r.tolerance()));
            cells.add(csvText(r.reference()));
            cells.add(Boolean.toString(r.pass()));
            csv.append(String.join(",", cells)).append('\n');
        }
        return csv.toString();
    }

    private static String number(double value) {
        // Shortest round-tripping decimal ("0.125", "1.0E-7"), independent of the default locale.
        return Double.toString(value);
    }

    private static String csvText(String value) {
        if (value == null) {
            return "";
        }
        if (value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r")) {
            return '"' + value.replace("\"", "\"\"") + '"';
        }
        return value;
    }

    private static <T> T readJson(Path file, Class<T> type, String what) throws ResultsFileException {
        Path shown = file.toAbsolutePath();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException missing) {
            throw new ResultsFileException(file, "No " + what + " file: " + shown + " does not exist", missing);
        } catch (IOException unreadable) {
            throw new ResultsFileException(file, "Cannot read " + what + " file " + shown + ": " + unreadable, unreadable);
        }
        if (bytes.length == 0) {
            throw new ResultsFileException(file, "Malformed " + what + " file " + shown + ": the file is empty", null);
        }
        try {
            T value = MAPPER.readValue(bytes, type);
            if (value == null) {
                throw new ResultsFileException(file, "Malformed " + what + " file " + shown + ": it holds JSON null", null);
            }
            return value;
        } catch (JsonMappingException mapping) {
            throw new ResultsFileException(file, "Malformed " + what + " file " + shown + ": "
                    + describe(mapping), mapping);
        } catch (JsonProcessingException syntax) {
            throw new ResultsFileException(file, "Malformed " + what + " file " + shown + " (not valid JSON): "
                    + syntax.getOriginalMessage() + location(syntax), syntax);
        } catch (IOException other) {
            throw new ResultsFileException(file, "Cannot read " + what + " file " + shown + ": " + other, other);
        }
    }

    private static String describe(JsonMappingException mapping) {
        String path = mapping.getPath().isEmpty() ? "" : " at " + pathOf(mapping);
        Throwable root = mapping;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = firstLine(root instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : root.toString());
        if (message.startsWith("Cannot map `null` into type")) {
            // a record component of primitive type that is absent or null
            String type = message.replaceAll("^Cannot map `null` into type `?([^` ]+)`?.*$", "$1");
            message = "a required " + type + " value is missing or null";
        }
        return message + path + location(mapping);
    }

    private static String pathOf(JsonMappingException mapping) {
        StringBuilder text = new StringBuilder();
        for (JsonMappingException.Reference ref : mapping.getPath()) {
            if (ref.getFieldName() != null) {
                if (!text.isEmpty()) {
                    text.append('.');
                }
                text.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                text.append('[').append(ref.getIndex()).append(']');
            }
        }
        return text.toString();
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "invalid content";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
